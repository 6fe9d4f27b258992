'use strict';
// Side-by-side benchmark of every contender on one app, interleaved round by round.
//   node bench/run.js            full run (< 10 min): writes bench/RESULTS.md, bench/results.json, the README table
//   node bench/run.js --quick    smoke run (< 90 s): prints the tables, writes bench/out/ only
// Options: --only=id,id  --suites=newconn,keepalive,...  --workers=N  --rounds=N
//          --dist=NAME:PATH[:ip,header,proxy-protocol] adds this project built from another tsc
//          output in those modes (A/B a change in src/, or a branch not merged yet)
// Exit code 1 only when a contender fails to run (start, serve or stop); never on a figure.
const fs = require('node:fs');
const path = require('node:path');
const { CONTENDERS, unavailable, distContenders } = require('./contenders/index.js');
const { startContender } = require('./lib/contender.js');
const { runLoad } = require('./lib/load.js');
const { measureSpread } = require('./lib/spread.js');
const { runSocketIo } = require('./lib/sio.js');
const { statusBytes } = require('./lib/proc.js');
const { median } = require('./lib/stats.js');
const { machineInfo } = require('./lib/machine.js');
const { renderMarkdown, renderConsole } = require('./lib/report.js');
const { runReloadSuite } = require('./lib/reload.js');

const PROFILES = {
  quick: {
    newconn: { rounds: 2, durationMs: 1000, concurrency: 32 },
    keepalive: { rounds: 1, durationMs: 700, concurrency: 32 },
    latency: { rounds: 1, durationMs: 500, concurrency: 2 },
    body: { rounds: 1, durationMs: 700, concurrency: 16, bodyBytes: 64 * 1024 },
    socketio: { rounds: 1, clients: 30 },
    spread: { repeats: 1 },
    reload: { rounds: 1, durationMs: 3000, clients: 20 },
    instructions: null, // valgrind is not part of CI's install
  },
  full: {
    newconn: { rounds: 5, durationMs: 3000, concurrency: 32 },
    keepalive: { rounds: 3, durationMs: 2000, concurrency: 32 },
    latency: { rounds: 3, durationMs: 1000, concurrency: 2 },
    body: { rounds: 3, durationMs: 1500, concurrency: 16, bodyBytes: 64 * 1024 },
    socketio: { rounds: 3, clients: 200 },
    spread: { repeats: 3 },
    reload: { rounds: 3, durationMs: 6000, clients: 50 },
    instructions: { conns: 3000 },
  },
};
const SUITES = ['newconn', 'keepalive', 'latency', 'body', 'socketio', 'spread', 'reload', 'instructions'];
/** Contenders whose primary's instructions are counted (callgrind is slow: the target's pair). */
const COUNTED = (id) => id === 'cluster-rr' || id.startsWith('ours-');

function parseArgs(argv) {
  const args = { profile: 'full', only: null, suites: SUITES, workers: 2, rounds: null, dists: [] };
  for (const a of argv) {
    if (a === '--quick') args.profile = 'quick';
    else if (a.startsWith('--only=')) args.only = a.slice(7).split(',');
    else if (a.startsWith('--suites=')) args.suites = a.slice(9).split(',');
    else if (a.startsWith('--workers=')) args.workers = Number(a.slice(10));
    else if (a.startsWith('--rounds=')) args.rounds = Number(a.slice(9));
    else if (a.startsWith('--dist=')) args.dists.push(a.slice(7).split(':'));
    else throw new Error(`unknown argument ${a}`);
  }
  for (const s of args.suites) if (!SUITES.includes(s)) throw new Error(`unknown suite ${s}; one of ${SUITES.join(', ')}`);
  return args;
}

const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);

/** Runs `fn(contender)` for each running contender, `rounds` times, rotating the order each round. */
async function interleave(running, rounds, fn) {
  const out = new Map(running.map((c) => [c.spec.id, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < running.length; k++) {
      const c = running[(k + r) % running.length];
      if (c.failed) continue;
      try {
        out.get(c.spec.id).push(await fn(c, r));
      } catch (err) {
        fail(c, err);
      }
    }
  }
  return out;
}

function fail(c, err) {
  c.failed = `${err.message}`.slice(0, 500);
  log(`  ! ${c.spec.id} failed: ${c.failed}`);
}

function loadOptions(c, o, extra) {
  return {
    port: c.port, durationMs: o.durationMs, concurrency: o.concurrency, route: c.spec.route,
    primaryPid: c.pid, workerPids: c.workers, ...extra,
  };
}

/** A load run a contender must survive: a window that completes nothing means it does not run. */
async function load(c, o, extra) {
  const r = await runLoad(loadOptions(c, o, extra));
  // Error answers are figures (a contender may fail every request); no answer at all is not running.
  if (r.completed === 0 && r.badStatus === 0) throw new Error(`served nothing in ${o.durationMs} ms (errors ${JSON.stringify(r.errors)}, bad status ${r.badStatus})`);
  return r;
}

function failureFraction(r) {
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0) + r.badStatus;
  return errors / Math.max(1, errors + r.completed);
}

const medianOf = (rows, key) => median(rows.map((x) => (typeof key === 'function' ? key(x) : x[key])));

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const profile = structuredClone(PROFILES[args.profile]);
  if (args.rounds) for (const o of Object.values(profile)) if (o?.rounds) o.rounds = args.rounds;
  const t0 = Date.now();
  const specs = [...CONTENDERS, ...distContenders(args.dists)].filter((c) => !args.only || args.only.includes(c.id));
  const results = {
    profile: args.profile,
    workers: args.workers,
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    command: `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    loadGenerator: 'bench/lib/loadgen.js: one Node process on raw net sockets, minimal HTTP/1.1 requests, ' +
      'source addresses cycling over 127.0.1.1-254 (wrk and autocannon cannot bind source addresses)',
    params: profile,
    contenders: {},
    suites: {},
  };

  const running = [];
  const measured = args.suites.some((x) => x !== 'reload');
  // Started together (startup is not measured), then left idle between their turns.
  await Promise.all(specs.map(async (spec) => {
    const why = unavailable(spec);
    results.contenders[spec.id] = { label: spec.label, status: why ? 'unavailable' : 'ok', reason: why ?? undefined };
    if (why) { log(`- ${spec.id}: ${why}`); return; }
    if (!measured) return;
    try {
      const c = await startContender(spec, spec.single ? 1 : args.workers);
      c.spec = spec;
      if (c.info.accept) results.contenders[spec.id].accept = c.info.accept;
      running.push(c);
      log(`- ${spec.id}: primary ${c.pid}, workers ${c.workers.join(' ') || '(none)'}, port ${c.port}`);
    } catch (err) {
      results.contenders[spec.id].status = 'failed';
      results.contenders[spec.id].reason = err.message.slice(0, 500);
      log(`! ${spec.id}: ${err.message}`);
    }
  }));
  running.sort((a, b) => specs.indexOf(a.spec) - specs.indexOf(b.spec));

  const suite = (name) => args.suites.includes(name);
  try {
    // Warm-up: JIT and socket.io's first requests, off the record.
    if (measured) await interleave(running, 1, (c) => load(c, { durationMs: 300, concurrency: 8 }));

    if (suite('newconn')) {
      log('new connections (Connection: close) ...');
      const o = profile.newconn;
      const rows = await interleave(running, o.rounds, (c) => load(c, o));
      results.suites.newconn = summarize(rows, (rs) => ({
        rate: medianOf(rs, 'rate'),
        primaryCpuUsPerConn: medianOf(rs, 'primaryCpuUsPerConn'),
        failureFraction: medianOf(rs, failureFraction),
        errors: mergeErrors(rs),
        loadgenCpuPct: medianOf(rs, 'loadgenCpuPct'),
        workersCpuPct: medianOf(rs, 'workersCpuPct'),
        perRound: { rate: rs.map((r) => r.rate), primaryCpuUsPerConn: rs.map((r) => r.primaryCpuUsPerConn) },
      }));
    }
    if (suite('keepalive')) {
      log('keep-alive requests ...');
      const o = profile.keepalive;
      const rows = await interleave(running, o.rounds, (c) => load(c, o, { mode: 'keepalive' }));
      results.suites.keepalive = summarize(rows, (rs) => ({
        rate: medianOf(rs, 'rate'),
        primaryCpuPct: medianOf(rs, 'primaryCpuPct'),
        reconnectsPerS: medianOf(rs, (r) => (r.reconnects * 1000) / r.elapsedMs),
        failureFraction: medianOf(rs, failureFraction),
      }));
    }
    if (suite('latency')) {
      log('time to first byte on new connections, light load ...');
      const o = profile.latency;
      const rows = await interleave(running, o.rounds, (c) => load(c, o));
      results.suites.latency = summarize(rows, (rs) => ({
        ttfbP50Ms: medianOf(rs, 'ttfbP50Ms'),
        ttfbP99Ms: medianOf(rs, 'ttfbP99Ms'),
      }));
    }
    if (suite('body')) {
      log('new connections with a 64 KiB request body ...');
      const o = profile.body;
      const rows = await interleave(running, o.rounds, (c) => load(c, o, { bodyBytes: o.bodyBytes }));
      results.suites.body = summarize(rows, (rs) => ({
        rate: medianOf(rs, 'rate'),
        primaryCpuUsPerConn: medianOf(rs, 'primaryCpuUsPerConn'),
        failureFraction: medianOf(rs, failureFraction),
        errors: mergeErrors(rs),
      }));
    }
    if (suite('socketio')) {
      const o = profile.socketio;
      log(`socket.io polling handshakes, ${o.clients} clients ...`);
      const rows = await interleave(running, o.rounds, (c) => runSocketIo({ port: c.port, clients: o.clients, primaryPid: c.pid, route: c.spec.route }));
      results.suites.socketio = summarize(rows, (rs) => ({
        clients: o.clients,
        handshakesPerS: medianOf(rs, 'handshakesPerS'),
        failureFraction: medianOf(rs, 'failureFraction'),
        failures: mergeErrors(rs.map((r) => ({ errors: r.failures }))),
      }));
    }
    if (suite('spread')) {
      log('spread of 254 addresses over workers ...');
      const rows = await interleave(running, 1, (c) => measureSpread(c.port, c.spec.route, { repeats: profile.spread.repeats, workers: c.spec.single ? 1 : args.workers }));
      results.suites.spread = summarize(rows, (rs) => rs[0]);
    }
    for (const c of running) {
      results.contenders[c.spec.id].primaryPeakRssBytes = statusBytes(c.pid, 'VmHWM');
      results.contenders[c.spec.id].workerPeakRssBytes = c.workers.map((p) => statusBytes(p, 'VmHWM'));
    }
  } finally {
    for (const c of running) {
      await c.stop();
      if (c.failed) {
        results.contenders[c.spec.id].status = 'failed';
        results.contenders[c.spec.id].reason = c.failed;
      }
    }
  }

  if (suite('reload')) {
    log('reload under load ...');
    results.suites.reload = await runReloadSuite({ ...profile.reload, workers: args.workers, only: args.only, log });
    for (const [id, r] of Object.entries(results.suites.reload)) {
      if (r.status === 'failed') {
        results.contenders[id] ??= { label: r.label, status: 'failed' };
        results.contenders[id].status = 'failed';
        results.contenders[id].reason = r.reason;
      }
    }
  }

  if (suite('instructions') && profile.instructions) {
    const { measureInstructions, haveValgrind } = require('./instructions.js');
    if (!haveValgrind()) {
      log('instructions: valgrind not installed, skipped');
    } else {
      log('user-space instructions per connection in the primary (callgrind) ...');
      results.suites.instructions = {};
      for (const spec of specs) {
        if (!COUNTED(spec.id) || results.contenders[spec.id].status !== 'ok') continue;
        try {
          const r = await measureInstructions(spec, profile.instructions.conns);
          results.suites.instructions[spec.id] = { perConn: r.ir / profile.instructions.conns, conns: profile.instructions.conns, failed: r.failed };
        } catch (err) {
          log(`  ! ${spec.id}: ${err.message}`);
        }
      }
    }
  }

  results.elapsedS = (Date.now() - t0) / 1000;
  const outDir = path.join(__dirname, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `results-${args.profile}.json`), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(renderConsole(results));
  if (args.profile === 'full' && !args.only && args.suites === SUITES) {
    fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), renderMarkdown(results));
    require('./readme.js').updateReadme(results);
    log('wrote bench/RESULTS.md, bench/results.json and the README performance table');
  }
  const failed = Object.entries(results.contenders).filter(([, c]) => c.status === 'failed');
  if (failed.length) {
    log(`FAILED to run: ${failed.map(([id, c]) => `${id} (${c.reason})`).join('; ')}`);
    process.exitCode = 1;
  }
  log(`done in ${results.elapsedS.toFixed(0)} s`);
}

function summarize(rows, fn) {
  const out = {};
  for (const [id, rs] of rows) if (rs.length) out[id] = { ...fn(rs), rounds: rs.length };
  return out;
}

function mergeErrors(rs) {
  const out = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.errors ?? {})) out[k] = (out[k] ?? 0) + v;
  for (const r of rs) if (r.badStatus) out['non-200 status'] = (out['non-200 status'] ?? 0) + r.badStatus;
  return out;
}

main().catch((err) => {
  log(err.stack);
  process.exitCode = 1;
});
