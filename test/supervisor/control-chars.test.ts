// What clients and apps choose reached the operator's terminal raw: a worker's error text
// through the log and `sticky status`, a client's header value through the reject log. C1
// controls (U+009B is a one-character CSI) pass JSON.stringify untouched.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { killAll } from '../helpers/processes.js';
import { startSupervisor, writeScript } from '../helpers/supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

const EVIL = '\u001b]0;pwned\u0007\u009b31mRED\u001b[2J\u0085';
/** Header values may carry obs-text (0x80-0xff), so C1 controls get through an HTTP parser. */
const EVIL_HEADER = '\u009b31mRED\u0085';
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('terminal controls from apps and clients', () => {
  afterAll(killAll);

  it('never reach the log, the events or `sticky status`', async () => {
    // Slot 1 throws at load; slot 0 serves, so the first start succeeds (it fails fast when none can).
    const script = writeScript('evil-app.js', `if (process.env.STICKY_WORKER_SLOT === '1') throw new Error(${JSON.stringify(`bad app ${EVIL}`)});
module.exports = () => require('node:http').createServer((req, res) => res.end('ok'));`);
    const sup = await startSupervisor({
      script,
      workers: 2,
      routing: { by: 'header', header: 'x-forwarded-for', trustedHops: 1, ignoreMissingHeader: false, headerTimeoutMs: 10_000, maxHeaderBytes: 16_384, seed: 0, maxPending: 100 },
    });
    // A client whose header names no address, with controls in it (obs-text bytes, as HTTP allows).
    const client = net.connect({ host: '127.0.0.1', port: sup.port });
    client.on('error', () => {});
    client.end(Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${EVIL_HEADER}\r\n\r\n`, 'latin1'));
    const status = await waitFor(async () => {
      const s = await sup.status();
      const kinds = new Set((s.events ?? []).map((e) => e.kind));
      return kinds.has('worker-error') && kinds.has('connection-rejected') && s;
    }, 20_000, 'the worker error and the rejected client in the events');
    for (const e of status.events ?? []) expect(e.message).not.toMatch(RAW_CONTROLS);
    expect(status.events!.find((e) => e.kind === 'worker-error')!.message).toContain('bad app ]0;pwnedRED');
    expect(status.events!.find((e) => e.kind === 'connection-rejected')!.message).toContain('names no IP address: "RED"');

    for (const line of sup.proc.lines) expect(line).not.toMatch(RAW_CONTROLS);
    expect(sup.proc.lines.join('\n')).not.toMatch(/\\u001b|\\u0007/);

    const text = await runCli(['status', '--name', sup.config.name], { env: { XDG_RUNTIME_DIR: sup.runtimeDir } });
    expect(text.stdout).toContain('bad app');
    expect(text.stdout + text.stderr).not.toMatch(RAW_CONTROLS);
  });
});
