// `sticky status` and `sticky stop` talked to whatever socket they found at the instance's
// path. Another user who made the folder first (/tmp/sticky-<uid> without XDG_RUNTIME_DIR)
// could answer with a fake success and put escape sequences on the operator's terminal.
// A real fake: a process running as nobody (uid 65534) listening on the socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait-for.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('test/cli/socket-owner.test.ts: not root, so no socket of another uid can be made: skipped');

/** Answers every request with success; the status names carry OSC and CSI (C0 and C1) sequences. */
const FAKE = `
const net = require('node:net');
const evil = '\\u001b]0;pwned\\u0007\\u009b31mEVIL\\u001b[2J';
const status = { name: evil, pid: evil, uptimeMs: 1, host: evil, port: 1, routing: evil,
  connections: { active: 0, total: 0, rejected: 0, misrouted: 0 },
  workers: [{ slot: 0, pid: 1, state: evil, active: 0, total: 0, restarts: 0, uptimeMs: 1, rssBytes: 1, cpuPercent: 1 }],
  events: [{ time: 0, level: 'info', kind: 'x', message: evil }] };
const server = net.createServer((socket) => {
  console.log('connection');
  let buf = '';
  socket.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\\n')) !== -1) {
      const req = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      socket.write(JSON.stringify({ v: req.v, id: req.id, ok: true, result: req.method === 'status' ? status : { stopped: true } }) + '\\n');
      if (req.method === 'stop') socket.end();
    }
  });
});
server.listen(process.argv[1], () => console.log('listening'));
`;

interface Fake {
  proc: ChildProcess;
  connections(): number;
}

const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) process.kill(p.pid!, 'SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An XDG_RUNTIME_DIR others can enter (as /tmp is), with a `sticky` folder owned by `folderUid`. */
function runtimeDir(folderUid: number, folderMode = 0o700): { runtime: string; folder: string } {
  const runtime = mkdtempSync(path.join(tmpdir(), 'sticky-owner-'));
  dirs.push(runtime);
  chmodSync(runtime, 0o755);
  const folder = path.join(runtime, 'sticky');
  mkdirSync(folder);
  chownSync(folder, folderUid, folderUid);
  chmodSync(folder, folderMode);
  return { runtime, folder };
}

async function startFake(socketPath: string, uid: number): Promise<Fake> {
  const proc = spawn(process.execPath, ['-e', FAKE, socketPath], { uid, gid: uid, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`the fake exited: ${err}`);
    return out.includes('listening');
  }, 10_000, 'the fake control socket');
  return { proc, connections: () => out.split('\n').filter((l) => l === 'connection').length };
}

const ESCAPES = /[\u001b\u0080-\u009f\u0007]/;

async function expectRefused(runtime: string, fake: Fake, why: RegExp): Promise<void> {
  for (const args of [['status'], ['status', '--json'], ['stop']]) {
    const r = await runCli([...args, '--name', 'victim'], { env: { XDG_RUNTIME_DIR: runtime } });
    expect(r.code, `sticky ${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(1);
    expect(r.stderr).toMatch(/refusing the control socket of "victim"/);
    expect(r.stderr).toMatch(why);
    expect(r.stdout + r.stderr).not.toMatch(ESCAPES);
    expect(r.stdout).not.toMatch(/EVIL|stopped/);
  }
  expect(fake.connections()).toBe(0);
}

describe('the CLI and a control socket it does not own', () => {
  it.runIf(isRoot)('refuses a socket in a folder another user made, naming the folder and its owner', async () => {
    const { runtime, folder } = runtimeDir(NOBODY);
    const fake = await startFake(path.join(folder, 'victim.sock'), NOBODY);
    await expectRefused(runtime, fake, new RegExp(`its folder ${folder} belongs to nobody \\(uid ${NOBODY}\\)`));
  });

  it.runIf(isRoot)('refuses another user\'s socket in a folder of ours', async () => {
    const { runtime, folder } = runtimeDir(0);
    const socketPath = path.join(folder, 'victim.sock');
    const fake = await startFake(socketPath, 0);
    chownSync(socketPath, NOBODY, NOBODY);
    await expectRefused(runtime, fake, new RegExp(`${socketPath} belongs to nobody \\(uid ${NOBODY}\\)`));
  });

  it.runIf(isRoot)('refuses a folder of ours that others can write to (they could swap the socket)', async () => {
    const { runtime, folder } = runtimeDir(0, 0o777);
    const fake = await startFake(path.join(folder, 'victim.sock'), NOBODY);
    await expectRefused(runtime, fake, new RegExp(`its folder ${folder} is writable by others \\(mode 0777\\)`));
  });

  it.runIf(isRoot)('refuses another user\'s folder before a socket is in it', async () => {
    const { runtime } = runtimeDir(NOBODY);
    const r = await runCli(['status', '--json', '--name', 'victim'], { env: { XDG_RUNTIME_DIR: runtime } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing the control socket/);
  });
});
