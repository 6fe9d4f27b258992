#!/usr/bin/env node
// Fault-injection soak (issue 12): `npm run soak -- [--minutes N] [--workers N]`.
// Runs `sticky start` on the supervisor test app and, for N minutes (default 10), injects
// faults at random — kill -9 of a worker, SIGSTOP then SIGCONT (long enough, sometimes, for
// the heartbeat to kill it), rolling reloads, garbage connections, slowloris — while HTTP
// clients and socket.io polling clients run from many 127.0.0.x addresses. A failure is
// excused only when a worker died while it was in flight (a connection a killed worker held
// dies with it) or no worker was online; any other failure, a dead primary, or a leak (fds or
// RSS of the primary growing past the bounds below) makes it exit 1.
// Every failure, excused or not, is written with the fault journal and the primary's event
// feed to test-artifacts/soak-<time>.jsonl (one JSON object a line): its time, client address,
// slot, the faults active around it and the error text; the unexplained ones are also printed.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    workers: { type: 'string', default: '3' },
    'http-clients': { type: 'string', default: '16' },
    'io-clients': { type: 'string', default: '8' },
  },
});
const DURATION_MS = Number(args.minutes) * 60_000;
const WORKERS = Number(args.workers);
/** How long after a worker's death a failure may still be its doing (the client sees the reset late). */
const DEATH_GRACE_MS = 1500;
/** fds the primary may gain over the run (connections in hand-off at the end, log files). */
const FD_SLACK = 32;
/** RSS the primary may gain over the run. */
const RSS_SLACK_BYTES = 64 * 1024 * 1024;
const HEALTH = { heartbeatMs: 500, timeoutMs: 3000, handoffTimeoutMs: 1000 };

const dir = mkdtempSync(path.join(tmpdir(), 'sticky-soak-'));
const runtimeDir = mkdtempSync(path.join(tmpdir(), 'sticky-soak-rt-'));
const name = `soak-${process.pid}`;
const journalFile = path.join(ROOT, 'test-artifacts', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
mkdirSync(path.dirname(journalFile), { recursive: true });
/** One line of the journal: a fault, an event of the primary, or a failure. */
const journal = (entry) => appendFileSync(journalFile, `${JSON.stringify({ t: new Date().toISOString(), ...entry })}\n`);
writeFileSync(path.join(dir, 'sticky.config.json'), JSON.stringify({
  name, script: path.join(ROOT, 'test/fixtures/supervisor/app.js'), host: '127.0.0.1', port: 0, workers: WORKERS,
  health: HEALTH,
  restart: { minUptimeMs: 500, maxBackoffMs: 2000 },
  reload: { readyTimeoutMs: 20_000, drainTimeoutMs: 3000 },
  log: { level: 'warn' },
}));
const env = { ...process.env, XDG_RUNTIME_DIR: runtimeDir };
const primary = spawn(process.execPath, [path.join(ROOT, 'bin/sticky.js'), 'start', '--config', 'sticky.config.json'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
let primaryStderr = '';
primary.stderr.on('data', (d) => (primaryStderr = (primaryStderr + d).slice(-4000)));
let primaryExited = null;
primary.on('exit', (code, signal) => (primaryExited = { code, signal }));
const socketPath = path.join(runtimeDir, 'sticky', `${name}.sock`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rand = (n) => Math.floor(Math.random() * n);
const addr = (i) => `127.0.${Math.floor(i / 250) + 1}.${(i % 250) + 2}`;

// ---- control socket ----
function control(method, onEvent) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`${JSON.stringify({ v: 1, id: 1, method })}\n`));
    socket.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const msg = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if ('event' in msg) onEvent?.(msg);
        else {
          // Only a subscription stays open: a reload's socket left open held one of the
          // primary's fds per reload (23 over a 10-minute run), read as the primary's.
          if (method !== 'subscribe') socket.end();
          resolve(msg.ok ? msg.result : Promise.reject(new Error(`${method}: ${msg.error.message}`)));
        }
      }
    });
  });
}

// ---- what excuses a failure ----
/** Worker deaths: kill -9 here, heartbeat kills and crashes (from the event feed). */
const deaths = []; // { at, pid, slot }
/** SIGSTOP windows; `to` is Infinity while the worker is still stopped. */
const stops = []; // { pid, slot, from, to }
/**
 * Rolling reloads. A reload loses no HTTP request, but a socket.io session lives in its
 * worker's memory: when the old worker drains, its polling clients must reconnect.
 */
const reloads = []; // { from, to }
/**
 * Workers coming online: a slot that comes back takes its keys back (consistent hashing), so
 * a socket.io session opened on the fallback slot meanwhile ends and reconnects.
 */
const returns = []; // { at, slot }
let lastStatus;
const overlaps = (w, from, to) => w.from <= to + DEATH_GRACE_MS && w.to + DEATH_GRACE_MS >= from;
/**
 * Every fault injected and every worker event of the primary, as windows ({ kind, from, to,
 * pid, slot }; `to` is Infinity while one lasts), to say what was going on around a failure.
 */
const timeline = [];
function note(kind, fields = {}, from = Date.now(), to = from) {
  const w = { kind, from, to, ...fields };
  timeline.push(w);
  journal({ fault: kind, ...fields });
  return w;
}
const slotOf = (pid) => lastStatus?.workers.find((w) => w.pid === pid)?.slot;
/** What was active within DEATH_GRACE_MS of [from, to], each with its start relative to the failure's end. */
function around(from, to) {
  return timeline.filter((w) => overlaps(w, from, to)).map((w) => {
    const at = `${w.from - to >= 0 ? '+' : ''}${w.from - to} ms`;
    const lasted = w.to === Infinity ? ', still on' : w.to > w.from ? `, lasted ${w.to - w.from} ms` : '';
    return `${w.kind}${w.slot !== undefined ? ` slot ${w.slot}` : ''}${w.pid ? ` pid ${w.pid}` : ''} at ${at}${lasted}`;
  });
}

/**
 * `slots`: the client's slots (where it was served, and its key's home slot, which takes it
 * back when it returns); a death or stop excuses only a failure on one of them. Undefined when
 * the client was never served: then a fault on any slot may be the cause.
 */
function excuse(kind, startedAt, endedAt, slots) {
  const near = (x) => slots === undefined || x.slot === undefined || slots.has(String(x.slot));
  if (deaths.some((d) => near(d) && d.at >= startedAt - 50 && d.at <= endedAt + DEATH_GRACE_MS)) return 'its worker died meanwhile';
  if (stops.some((w) => near(w) && overlaps(w, startedAt, endedAt))) return 'its worker was stopped (SIGSTOP) meanwhile';
  if (kind === 'io' && reloads.some((w) => overlaps(w, startedAt, endedAt))) return 'its session\'s worker was reloaded';
  if (noWorkerOnline(startedAt, endedAt)) return 'no worker online';
  return undefined;
}

/**
 * Whether slot `home`'s keys were served elsewhere at `at`: its worker had died (and no new
 * one was online yet) or was stopped (hand-offs time out to the next slot).
 */
function homeAway(home, at) {
  const isHome = (x) => String(x.slot) === home;
  const died = deaths.filter((d) => isHome(d) && d.at <= at).at(-1);
  if (died && !returns.some((r) => isHome(r) && r.at >= died.at && r.at <= at)) return true;
  return stops.some((w) => isHome(w) && overlaps(w, at, at));
}

/**
 * A key moves when a worker comes online in its home slot, or, while the home slot is away,
 * in any slot (one before the current fallback in the key's order takes it). A socket.io
 * session lives in one worker's memory: the client's next request then reaches a worker that
 * does not know it. `home` undefined: the client was never served, so any slot may be its.
 */
function keyMoved(home, from, to) {
  return returns.some((r) => r.at >= from && r.at <= to && (home === undefined || String(r.slot) === home || homeAway(home, r.at)));
}

/**
 * When each slot had no worker taking its connections: from its current worker's death (the
 * kill, when the soak killed it: the primary may notice later) to the next worker online in
 * it. Built from the event feed once the run is over.
 */
function downIntervals() {
  const byTime = timeline.filter((w) => /^worker-/.test(w.kind)).sort((a, b) => a.from - b.from);
  const current = new Map();
  const down = Array.from({ length: WORKERS }, () => []);
  for (const e of byTime) {
    const slot = Number(e.slot);
    if (e.kind === 'worker-online') {
      current.set(slot, e.pid);
      const open = down[slot]?.at(-1);
      if (open && open.to === Infinity) open.to = e.from;
    } else if (/^worker-(crash|errored|unresponsive|exit)$/.test(e.kind) && current.get(slot) === e.pid) {
      current.delete(slot);
      const killed = deaths.find((d) => d.pid === e.pid);
      down[slot]?.push({ from: Math.min(e.from, killed?.at ?? Infinity), to: Infinity });
    }
  }
  return down;
}
let slotsDown;

/** Some instant of [from, to] at which every slot was down (checked every 10 ms). */
function noWorkerOnline(from, to) {
  slotsDown ??= downIntervals();
  for (let t = from; t <= to; t += 10) {
    if (slotsDown.every((intervals) => intervals.some((w) => w.from <= t && t <= w.to))) return true;
  }
  return false;
}

// ---- proc figures ----
function procFigures(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
  return { rssBytes: rss, fds: readdirSync(`/proc/${pid}/fd`).length };
}

// ---- clients ----
const stats = { http: { ok: 0, failures: 0, failed: 0, excused: 0 }, io: { acks: 0, connects: 0, failures: 0, failed: 0, excused: 0 }, unexplained: [] };
let running = true;

function httpGet(localAddress) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', localAddress, agent: false, timeout: 15_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Failures by why they were excused ('unexplained' when not). */
const failureKinds = {};
/**
 * Failures, judged once the run is over: the primary's events about a fault may come seconds
 * after the client saw it fail (a loaded primary notices a dead worker late), and a status
 * polled every 500 ms is older still.
 */
const failures = [];

/**
 * `where`: the client's address, slot (its session's, or the slot that last answered it) and
 * home (its key's slot, from its first answer, when every worker was online). `moved`, for a
 * socket.io session: the window in which its key moving to another slot explains it.
 */
function failure(kind, where, startedAt, err, moved) {
  const endedAt = Date.now();
  stats[kind].failures++;
  failures.push({
    kind, where, startedAt, endedAt, moved,
    entry: {
      kind, at: new Date(endedAt).toISOString(), address: where.address, slot: where.slot ?? null, home: where.home ?? null,
      ms: endedAt - startedAt, error: String(err),
      workers: (lastStatus?.workers ?? []).map((w) => `${w.slot}:${w.state}:${w.pid}`).join(' '),
    },
  });
}

function judge({ kind, where, startedAt, endedAt, moved, entry }) {
  const known = [where.slot, where.home].filter((x) => x !== undefined).map(String);
  let why = excuse(kind, startedAt, endedAt, known.length > 0 ? new Set(known) : undefined);
  if (!why && moved && keyMoved(where.home, moved.from, moved.to)) why = moved.why;
  const judged = { ...entry, excused: why ?? null, active: around(startedAt, endedAt) };
  journal({ failure: judged });
  const reason = why ?? 'unexplained';
  failureKinds[reason] = (failureKinds[reason] ?? 0) + 1;
  if (why) {
    stats[kind].excused++;
  } else {
    stats[kind].failed++;
    stats.unexplained.push(judged);
  }
}

async function httpLoop(i) {
  const localAddress = addr(i);
  let slot;
  let home;
  while (running) {
    const startedAt = Date.now();
    try {
      slot = JSON.parse(await httpGet(localAddress)).slot;
      home ??= slot;
      stats.http.ok++;
    } catch (err) {
      failure('http', { address: localAddress, slot, home }, startedAt, err);
    }
    await sleep(50 + rand(100));
  }
}

async function ioLoop(i) {
  const localAddress = addr(100 + i);
  /** The slot of its first session (every worker is online then): where its key belongs. */
  let home;
  while (running) {
    const agent = new http.Agent({ keepAlive: false, localAddress });
    const socket = io(`http://127.0.0.1:${port}`, { transports: ['polling'], agent, reconnection: false, timeout: 10_000, forceNew: true });
    const startedAt = Date.now();
    const ok = await new Promise((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('connect_error', (err) => resolve(err));
    });
    if (ok !== true) {
      // A handshake is several requests: one may reach a fallback slot and the next the slot
      // that has just come back (the home slot, or one before the fallback in the key's order).
      const moved = { from: startedAt - DEATH_GRACE_MS, to: Date.now() + DEATH_GRACE_MS, why: 'its key moved during the handshake' };
      failure('io', { address: localAddress, home }, startedAt, ok, moved);
      socket.close();
      await sleep(200);
      continue;
    }
    stats.io.connects++;
    const sessionAt = Date.now();
    // From the connect on: a session can end while its first emit waits.
    let disconnected;
    socket.once('disconnect', (reason) => (disconnected ??= reason));
    let slot;
    let lastOk = sessionAt;
    try {
      slot = (await socket.timeout(10_000).emitWithAck('whoami')).slot;
      home ??= slot;
      lastOk = Date.now();
    } catch {
      // counted by the loop below
    }
    while (running && !disconnected) {
      try {
        await socket.timeout(10_000).emitWithAck('whoami');
        stats.io.acks++;
        lastOk = Date.now();
      } catch (err) {
        // An unanswered emit is a lost session, judged as a disconnect: its worker may have
        // gone any time since the client last heard from it.
        disconnected ??= `no answer: ${String(err)}`;
      }
      await sleep(300 + rand(400));
    }
    // A polling client holds a request on its worker all the time: a disconnect is a failure
    // unless that worker died (or was stopped) since the client last heard from it.
    // A session opened on a fallback slot ends when its key moves (see keyMoved). One whose
    // slot is unknown (its first emit was not answered) may have been on one.
    const moved = slot !== home ? { from: sessionAt - DEATH_GRACE_MS, to: Date.now(), why: 'its key moved' } : undefined;
    if (disconnected && running) failure('io', { address: localAddress, slot, home }, lastOk, new Error(`disconnected: ${disconnected}`), moved);
    socket.close();
    agent.destroy();
  }
}

// ---- faults ----
const faults = { kill9: 0, stop: 0, reload: 0, garbage: 0, slowloris: 0 };

function workerPids() {
  return (lastStatus?.workers ?? []).filter((w) => w.pid > 0 && w.state === 'online').map((w) => w.pid);
}

function killPid(pid, signal) {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function garbage() {
  faults.garbage++;
  const window = note('garbage', {}, Date.now(), Infinity);
  await Promise.all(Array.from({ length: 20 }, (_, i) => new Promise((resolve) => {
    const s = net.createConnection({ host: '127.0.0.1', port, localAddress: addr(200 + i) });
    s.on('error', resolve);
    s.on('close', resolve);
    s.on('connect', () => {
      const junk = Buffer.alloc(1 + rand(4096));
      for (let j = 0; j < junk.length; j++) junk[j] = rand(256);
      s.write(junk);
      setTimeout(() => s.destroy(), rand(500));
    });
  })));
  window.to = Date.now();
}

function slowloris() {
  faults.slowloris++;
  const window = note('slowloris', {}, Date.now(), Infinity);
  let open = 30;
  for (let i = 0; i < 30; i++) {
    const s = net.createConnection({ host: '127.0.0.1', port, localAddress: addr(300 + i) });
    s.on('error', () => {});
    s.on('close', () => {
      if (--open === 0) window.to = Date.now();
    });
    let n = 0;
    const head = 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ';
    const timer = setInterval(() => {
      if (s.destroyed || n >= 15) {
        clearInterval(timer);
        s.destroy();
        return;
      }
      s.write(n === 0 ? head : 'a');
      n++;
    }, 1000);
  }
}

async function chaos() {
  while (running) {
    await sleep(2000 + rand(3000));
    if (!running) break;
    const pids = workerPids();
    const pick = rand(10);
    if (pick < 3 && pids.length > 0) {
      const pid = pids[rand(pids.length)];
      if (killPid(pid, 'SIGKILL')) {
        faults.kill9++;
        const slot = slotOf(pid);
        deaths.push({ at: Date.now(), pid, slot });
        note('kill -9', { pid, slot });
      }
    } else if (pick < 5 && pids.length > 0) {
      const pid = pids[rand(pids.length)];
      // Sometimes longer than health.timeoutMs: then the heartbeat kills it.
      const ms = 300 + rand(HEALTH.timeoutMs + 2000);
      if (killPid(pid, 'SIGSTOP')) {
        faults.stop++;
        const window = { pid, slot: slotOf(pid), from: Date.now(), to: Infinity };
        stops.push(window);
        const noted = note('SIGSTOP', { pid, slot: window.slot, forMs: ms }, window.from, Infinity);
        setTimeout(() => {
          killPid(pid, 'SIGCONT');
          window.to = noted.to = Date.now();
        }, ms);
      }
    } else if (pick < 6) {
      faults.reload++;
      const window = { from: Date.now(), to: Infinity };
      reloads.push(window);
      const noted = note('reload', {}, window.from, Infinity);
      const done = () => (window.to = noted.to = Date.now());
      control('reload', () => {}).then(done, done);
    } else if (pick < 8) {
      await garbage();
    } else {
      slowloris();
    }
  }
}

// ---- run ----
let port;
async function main() {
  const startedAt = Date.now();
  for (;;) {
    if (primaryExited) throw new Error(`sticky start exited: ${JSON.stringify(primaryExited)} ${primaryStderr}`);
    try {
      lastStatus = await control('status');
      if (lastStatus.workers.filter((w) => w.state === 'online').length === WORKERS) break;
    } catch {
      // not up yet
    }
    if (Date.now() - startedAt > 60_000) throw new Error(`workers not online in 60 s: ${primaryStderr}`);
    await sleep(200);
  }
  port = lastStatus.port;
  const pid = lastStatus.pid;
  // The first workers came online before the feed below: their slots' starting point.
  for (const w of lastStatus.workers) timeline.push({ kind: 'worker-online', from: 0, to: 0, pid: w.pid, slot: w.slot });
  // Worker deaths the soak did not cause itself (heartbeat kills, crashes) come as events.
  void control('subscribe', (msg) => {
    const e = msg.data;
    if (msg.event !== 'log' || !e) return;
    journal({ event: e });
    if (/^(worker-|reload|unresponsive)/.test(e.kind)) timeline.push({ kind: e.kind, from: e.time, to: e.time, pid: e.pid, slot: e.slot });
    if (/^worker-(crash|errored|unresponsive)$/.test(e.kind)) deaths.push({ at: e.time, pid: e.pid, slot: e.slot });
    else if (e.kind === 'worker-online') returns.push({ at: e.time, slot: e.slot });
  }).catch(() => {});
  const poller = setInterval(() => {
    control('status').then((s) => (lastStatus = s), () => {});
  }, 500);

  const loops = [
    ...Array.from({ length: Number(args['http-clients']) }, (_, i) => httpLoop(i)),
    ...Array.from({ length: Number(args['io-clients']) }, (_, i) => ioLoop(i)),
  ];
  await sleep(3000);
  const start = procFigures(pid);
  console.log(`soak: ${args.minutes} min, ${WORKERS} workers, port ${port}, primary ${pid}: start rss ${(start.rssBytes / 1048576).toFixed(1)} MiB, ${start.fds} fds`);
  const chaosDone = chaos();
  const progress = setInterval(() => console.log(`soak: ${JSON.stringify({ min: ((Date.now() - startedAt) / 60_000).toFixed(1), http: stats.http, io: stats.io, faults })}`), 60_000);
  await sleep(DURATION_MS);
  running = false;
  clearInterval(progress);
  await chaosDone;
  // Every SIGSTOPped worker goes on, so the end figures are of a settled system.
  for (const w of stops) if (w.to === Infinity) killPid(w.pid, 'SIGCONT');
  await Promise.all(loops);
  // The last slowloris (15 s) or reload may still run: the end figures wait for them.
  for (let waited = 0; timeline.some((w) => w.to === Infinity) && waited < 30_000; waited += 200) await sleep(200);
  await sleep(HEALTH.timeoutMs + 3000);
  clearInterval(poller);
  if (primaryExited) throw new Error(`the primary died: ${JSON.stringify(primaryExited)} ${primaryStderr}`);
  const end = procFigures(pid);
  const final = await control('status');
  await control('stop');
  await new Promise((r) => (primaryExited ? r() : primary.once('exit', r)));

  for (const f of failures) judge(f);
  const leaks = [];
  if (end.fds > start.fds + FD_SLACK) leaks.push(`fds ${start.fds} -> ${end.fds}`);
  if (end.rssBytes > start.rssBytes + RSS_SLACK_BYTES) leaks.push(`rss ${start.rssBytes} -> ${end.rssBytes}`);
  const report = {
    minutes: Number(args.minutes), workers: WORKERS, accept: final.accept,
    requests: { http: stats.http, io: stats.io },
    faults,
    primary: { start: { rssMiB: +(start.rssBytes / 1048576).toFixed(1), fds: start.fds }, end: { rssMiB: +(end.rssBytes / 1048576).toFixed(1), fds: end.fds } },
    final: { connections: final.connections, workers: final.workers.map((w) => `${w.slot}:${w.state}`) },
    failures: failureKinds,
    unexplained: stats.unexplained,
    journal: path.relative(ROOT, journalFile),
    leaks,
    stopExit: primaryExited,
  };
  console.log(JSON.stringify(report, null, 2));
  const failed = stats.http.failed + stats.io.failed > 0 || leaks.length > 0 || primaryExited?.code !== 0;
  return failed ? 1 : 0;
}

main().then((code) => {
  cleanUp();
  process.exit(code);
}, (err) => {
  console.error(`soak: ${err instanceof Error ? err.stack : String(err)}`);
  if (primaryExited === null) primary.kill('SIGKILL');
  cleanUp();
  process.exit(1);
});

function cleanUp() {
  rmSync(dir, { recursive: true, force: true });
  rmSync(runtimeDir, { recursive: true, force: true });
}
