// A control client that sends requests and never reads the replies: the primary queued every
// reply in memory (600k pings: RSS 54 -> 250 MB). It now stops reading that client's requests
// while its replies wait, so the kernel stops the client's writes, and it answers all of them
// once the client reads.
import { readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/processes.js';
import { startSupervisor } from '../helpers/supervisor.js';
import { ControlClient } from '../helpers/control-client.js';
import { parseStatusBytes } from '../../src/supervisor/proc-stats.js';
import { waitFor } from '../helpers/wait-for.js';

const PINGS = 600_000;
const BATCH = 10_000;
/** The unbounded queue grew ~200 MB; the bound keeps what waits to about a MiB per client. */
const RSS_GROWTH_LIMIT_BYTES = 40 * 1024 * 1024;

const rss = (pid: number): number => parseStatusBytes(readFileSync(`/proc/${pid}/status`, 'utf8')) ?? 0;

/** Writes every ping without waiting for the kernel; resolves once all of it reached the primary. */
function flood(socket: Socket): Promise<void> {
  let last: Promise<void> = Promise.resolve();
  for (let i = 0; i < PINGS; i += BATCH) {
    let chunk = '';
    for (let id = i + 1; id <= i + BATCH; id++) chunk += `{"v":1,"id":${id},"method":"ping"}\n`;
    last = new Promise((resolve) => socket.write(chunk, () => resolve()));
  }
  return last;
}

describe('a control client that does not read its replies', () => {
  afterAll(killAll);

  it('costs the primary a bounded amount of memory, and gets every reply once it reads', async () => {
    const sup = await startSupervisor({ workers: 1 });
    const pid = sup.proc.pid;
    const before = rss(pid);
    const socket = createConnection(sup.socketPath);
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    let allSent = false;
    void flood(socket).then(() => { allSent = true; });
    // The primary has stopped reading (or has read everything) when our unsent bytes stop
    // moving across several round trips on another connection.
    const other = await ControlClient.connect(sup.socketPath);
    let stable = 0;
    let previous = -1;
    let peak = before;
    await waitFor(async () => {
      await other.request('ping');
      peak = Math.max(peak, rss(pid));
      stable = socket.writableLength === previous ? stable + 1 : 0;
      previous = socket.writableLength;
      return allSent || stable >= 5;
    }, 120_000, 'the flood to be read or held back', 100);
    peak = Math.max(peak, rss(pid));
    expect(peak - before, `primary RSS ${before} -> ${peak} bytes`).toBeLessThan(RSS_GROWTH_LIMIT_BYTES);
    expect(allSent).toBe(false);

    // Reading now: every ping is answered, in order.
    let buffered = '';
    let replies = 0;
    let lastId = 0;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buffered += d;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const reply = JSON.parse(buffered.slice(0, nl)) as { id: number; ok: boolean };
        buffered = buffered.slice(nl + 1);
        if (reply.ok && reply.id === lastId + 1) replies++;
        lastId = reply.id;
      }
    });
    socket.resume();
    await waitFor(() => replies === PINGS, 120_000, `${PINGS} replies (got ${replies})`, 100);
    other.close();
    socket.destroy();
  }, 300_000);
});
