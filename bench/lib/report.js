'use strict';
// Turns a results object into markdown tables. Every figure comes from the run; ratios are
// against Node cluster round-robin (RR) and one plain process in the same run.
const { median, ratio } = require('./stats.js');

const RR = 'cluster-rr';
const SINGLE = 'single';
const OURS_IP = 'ours-ip';
const OURS_KERNEL = 'ours-ip-kernel';

const num = (x, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const x2 = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');
const pct = (x, digits = 1) => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '–');
const mb = (bytes) => (Number.isFinite(bytes) ? (bytes / 2 ** 20).toFixed(1) : '–');

function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

/** Rows for every contender in the run, in registry order, with a note for those that did not run. */
function rowsFor(results, suite, cells) {
  const rows = [];
  for (const [id, c] of Object.entries(results.contenders)) {
    const s = results.suites[suite]?.[id];
    if (c.status === 'unavailable') continue;
    if (!s) {
      if (c.status === 'failed') rows.push([c.label, `failed: ${c.reason}`.slice(0, 120)]);
      continue;
    }
    rows.push([c.label, ...cells(s, id)]);
  }
  return rows;
}

function base(results, suite, id, key) {
  return results.suites[suite]?.[id]?.[key];
}

function errorsNote(errors) {
  const e = Object.entries(errors ?? {});
  return e.length ? ` (${e.map(([k, v]) => `${k}: ${v}`).join(', ')})` : '';
}

function targets(results) {
  const s = results.suites;
  const out = [];
  const check = (name, value, ok, shown) => out.push(`- ${name}: ${shown} — ${Number.isFinite(value) ? (ok ? 'met' : 'missed') : 'not measured'}`);
  const ipCpu = ratio(s.newconn?.[OURS_IP]?.primaryCpuUsPerConn, s.newconn?.[RR]?.primaryCpuUsPerConn);
  check('ip mode primary CPU per new connection ≤ 1.00× round-robin', ipCpu, ipCpu <= 1.0, x2(ipCpu));
  const ipIr = ratio(s.instructions?.[OURS_IP]?.perConn, s.instructions?.[RR]?.perConn);
  if (Number.isFinite(ipIr)) check('the same in primary instructions per connection (callgrind, noise-free)', ipIr, ipIr <= 1.0, x2(ipIr));
  const hdr = ratio(s.newconn?.['ours-header']?.rate, s.newconn?.[RR]?.rate);
  check('header mode new-connection rate ≥ 0.90× round-robin', hdr, hdr >= 0.9, x2(hdr));
  const pp = ratio(s.newconn?.['ours-proxy-protocol']?.rate, s.newconn?.[RR]?.rate);
  check('proxy-protocol mode new-connection rate ≥ 0.95× round-robin', pp, pp >= 0.95, x2(pp));
  const ka = s.keepalive?.[OURS_IP]?.primaryCpuPct;
  check('keep-alive traffic with primary CPU ~0% (ip mode, < 1%)', ka, ka < 1, `${num(ka, 2)}%`);
  const rss = ratio(results.contenders[OURS_IP]?.primaryPeakRssBytes, results.contenders[RR]?.primaryPeakRssBytes);
  check('primary peak RSS ≤ round-robin', rss, rss <= 1.0, x2(rss));
  kernelTargets(results, check);
  const reload = s.reload?.ours;
  const failed = reload?.failedRequests;
  check('0 failed requests per rolling reload', failed, failed === 0, Number.isFinite(failed) ? String(failed) : reload?.reason ?? '–');
  return `${out.join('\n')}\n`;
}

/** Issue 11's targets for ip mode with kernel accept, as ratios to round-robin in the same run. */
function kernelTargets(results, check) {
  if (results.contenders[OURS_KERNEL]?.status === 'unavailable') return;
  const s = results.suites;
  const vs = (suite, key) => ratio(s[suite]?.[OURS_KERNEL]?.[key], s[suite]?.[RR]?.[key]);
  const cpu = vs('newconn', 'primaryCpuUsPerConn');
  check('kernel accept: primary CPU per new connection ≤ 0.10× round-robin', cpu, cpu <= 0.1, x2(cpu));
  const rate = vs('newconn', 'rate');
  check(`kernel accept: new-connection rate ≥ 1.50× round-robin (${results.workers} workers)`, rate, rate >= 1.5, x2(rate));
  const ka = vs('keepalive', 'rate');
  check('kernel accept: keep-alive rate equal to round-robin (≥ 0.95×)', ka, ka >= 0.95, x2(ka));
  const rss = ratio(results.contenders[OURS_KERNEL]?.primaryPeakRssBytes, results.contenders[RR]?.primaryPeakRssBytes);
  check('kernel accept: primary peak RSS ≤ 1.00× round-robin', rss, rss <= 1.0, x2(rss));
  const io = s.socketio?.[OURS_KERNEL]?.failureFraction;
  check('kernel accept: socket.io polling failures 0', io, io === 0, pct(io));
}

function sections(results) {
  const s = results.suites;
  const p = results.params;
  const parts = [];
  parts.push(`### Targets (ratios to cluster round-robin in the same run)\n\n${targets(results)}`);
  if (s.newconn) {
    const rrRate = base(results, 'newconn', RR, 'rate');
    const rrCpu = base(results, 'newconn', RR, 'primaryCpuUsPerConn');
    parts.push(`### New connections\n\nOne request per connection (\`Connection: close\`), ${p.newconn.concurrency} at a time from 254 source addresses; median of ${p.newconn.rounds} rounds of ${p.newconn.durationMs / 1000} s. Primary CPU is utime+stime from /proc over the window, divided by the connections it accepted.${loadgenNote(s.newconn)}\n\n${table(
      ['contender', 'new conn/s', '× RR', 'primary CPU µs/conn', '× RR', 'failed'],
      rowsFor(results, 'newconn', (r) => [num(r.rate), x2(ratio(r.rate, rrRate)), num(r.primaryCpuUsPerConn, 1), x2(ratio(r.primaryCpuUsPerConn, rrCpu)), pct(r.failureFraction) + errorsNote(r.errors)]),
    )}`);
  }
  if (s.keepalive) {
    const rrRate = base(results, 'keepalive', RR, 'rate');
    parts.push(`### Keep-alive requests\n\n${p.keepalive.concurrency} persistent connections (one per source address), requests back to back; median of ${p.keepalive.rounds} rounds of ${p.keepalive.durationMs / 1000} s. A contender that closes connections after each response shows reconnects.\n\n${table(
      ['contender', 'req/s', '× RR', 'primary CPU %', 'reconnects/s', 'failed'],
      rowsFor(results, 'keepalive', (r) => [num(r.rate), x2(ratio(r.rate, rrRate)), num(r.primaryCpuPct, 1), num(r.reconnectsPerS), pct(r.failureFraction)]),
    )}`);
  }
  if (s.latency || results.contenders[RR]?.primaryPeakRssBytes) {
    const singleP50 = base(results, 'latency', SINGLE, 'ttfbP50Ms');
    const rrRss = results.contenders[RR]?.primaryPeakRssBytes;
    const rows = [];
    for (const [id, c] of Object.entries(results.contenders)) {
      if (c.status === 'unavailable' || (!s.latency?.[id] && !c.primaryPeakRssBytes)) continue;
      const l = s.latency?.[id] ?? {};
      rows.push([c.label, num(l.ttfbP50Ms, 2), num(l.ttfbP99Ms, 2), x2(ratio(l.ttfbP50Ms, singleP50)), mb(c.primaryPeakRssBytes), x2(ratio(c.primaryPeakRssBytes, rrRss))]);
    }
    parts.push(`### Latency and memory\n\nTime to first byte on new connections at light load (${p.latency.concurrency} at a time; median of ${p.latency.rounds} rounds), and the primary's peak RSS (VmHWM) after every suite. For one plain process the "primary" is that process.\n\n${table(
      ['contender', 'TTFB p50 ms', 'TTFB p99 ms', 'p50 × one process', 'primary peak RSS MiB', '× RR'], rows,
    )}`);
  }
  if (s.socketio || s.spread) {
    const rows = [];
    for (const [id, c] of Object.entries(results.contenders)) {
      const io = s.socketio?.[id];
      const sp = s.spread?.[id];
      if (!io && !sp) continue;
      rows.push([c.label, num(io?.handshakesPerS), io ? pct(io.failureFraction) + errorsNote(topErrors(io.failures)) : '–',
        num(sp?.maxOverMean, 2), pct(sp?.stickyFraction, 0), sp ? String(sp.workersUsed) : '–']);
    }
    parts.push(`### socket.io and stickiness\n\nsocket.io polling: ${p.socketio.clients} clients at once, each from its own address without keep-alive, connect + one emit/ack (no reconnection; a failure counts once); median of ${p.socketio.rounds} rounds. Spread: 254 addresses × ${p.spread.repeats} requests on new connections; max/mean of addresses per worker, and the share of addresses always served by the same worker.\n\n${table(
      ['contender', 'handshakes/s', 'failed', 'spread max/mean', 'sticky addresses', 'workers used'], rows,
    )}`);
  }
  if (s.body) {
    const rrRate = base(results, 'body', RR, 'rate');
    const rrCpu = base(results, 'body', RR, 'primaryCpuUsPerConn');
    parts.push(`### 64 KiB request bodies\n\nPOST with a ${p.body.bodyBytes / 1024} KiB body on a new connection each, ${p.body.concurrency} at a time; median of ${p.body.rounds} rounds. Shows what a balancer that reads or relays bodies in the primary pays.\n\n${table(
      ['contender', 'conn/s', '× RR', 'primary CPU µs/conn', '× RR', 'failed'],
      rowsFor(results, 'body', (r) => [num(r.rate), x2(ratio(r.rate, rrRate)), num(r.primaryCpuUsPerConn, 1), x2(ratio(r.primaryCpuUsPerConn, rrCpu)), pct(r.failureFraction) + errorsNote(r.errors)]),
    )}`);
  }
  if (s.reload && Object.keys(s.reload).length) {
    const rows = Object.values(s.reload).map((r) => r.status !== 'ok'
      ? [r.label, `${r.status}: ${r.reason ?? ''}`.slice(0, 160), '', '', '', '', '', '', '']
      : [r.label, num(r.requests), String(r.failedRequests) + errorsNote(r.errors), num(r.reloadMs),
        `${num(r.sioConnectedBefore)} / ${r.clients}`, num(r.sioDisconnects), num(r.reconnectP50Ms), num(r.reconnectMaxMs), num(r.sioStillDown)]);
    parts.push(`### Rolling reload under load\n\nHTTP load on new connections from 254 addresses plus socket.io polling clients while each worker is replaced; median of ${p.reload.rounds} reloads. Failed = requests refused, reset or answered with an error. socket.io clients reconnect after 100 ms without jitter; "sessions before" counts those that held a session when the reload began (polling needs stickiness), reconnect = time a client was without one.\n\n${table(
      ['contender', 'requests during reload', 'failed', 'reload took ms', 'socket.io sessions before', 'disconnects', 'reconnect p50 ms', 'reconnect max ms', 'without session at end'], rows,
    )}`);
  }
  if (s.instructions && Object.keys(s.instructions).length) {
    const rr = s.instructions[RR]?.perConn;
    const rows = Object.entries(s.instructions).map(([id, r]) => [results.contenders[id]?.label ?? id, num(r.perConn), x2(ratio(r.perConn, rr))]);
    parts.push(`### Primary instructions per new connection

User-space instructions the primary executes per connection, counted by valgrind's callgrind over ${Object.values(s.instructions)[0].conns.toLocaleString('en-US')} connections after warm-up (4 at a time): the same count however busy the machine is. Kernel work is not in it (accept, sendmsg and close are the same for every balancer; getpeername is the one extra syscall of address hashing).

${table(['contender', 'instructions / conn', '× RR'], rows)}`);
  }
  const off = Object.entries(results.contenders).filter(([, c]) => c.status !== 'ok');
  if (off.length) parts.push(`### Not measured\n\n${off.map(([, c]) => `- ${c.label}: ${c.status}${c.reason ? ` — ${c.reason}` : ''}`).join('\n')}\n`);
  return parts.join('\n');
}

/** What the load generator itself cost (it shares the cores with the contenders). */
function loadgenNote(newconn) {
  const rows = Object.values(newconn).filter((r) => r.rate > 0 && Number.isFinite(r.loadgenCpuPct));
  if (!rows.length) return '';
  const pctMed = median(rows.map((r) => r.loadgenCpuPct));
  const usPerConn = median(rows.map((r) => (r.loadgenCpuPct * 1e4) / r.rate));
  return ` The load generator itself used a median ${pctMed.toFixed(0)}% of one core (${usPerConn.toFixed(0)} µs of CPU per connection).`;
}

function topErrors(failures) {
  return Object.fromEntries(Object.entries(failures ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 2));
}

function header(results) {
  const m = results.machine;
  return [
    `Generated by \`${results.command}\` on ${results.startedAt} (${results.elapsedS?.toFixed(0)} s). Do not edit: rerun it.`,
    '',
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.kernel}; load average at start ${m.loadAverageAtStart}`,
    `- Node ${m.node}; ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `- Every contender runs the same app (bench/app/app.js: http + socket.io) with ${results.workers} workers (one plain process: 1), all started at once and measured in turn, the order rotating each round`,
    `- Load generator: ${results.loadGenerator}`,
    '',
  ].join('\n');
}

function renderMarkdown(results) {
  return `# Benchmark results\n\n${header(results)}\n${sections(results)}`;
}

function renderConsole(results) {
  return `\n${header(results)}\n${sections(results)}`;
}

/** The compact table the README shows. */
function readmeTable(results) {
  const s = results.suites;
  const rrRate = s.newconn?.[RR]?.rate;
  const rrCpu = s.newconn?.[RR]?.primaryCpuUsPerConn;
  const rrIr = s.instructions?.[RR]?.perConn;
  const rows = [];
  for (const [id, c] of Object.entries(results.contenders)) {
    const n = s.newconn?.[id];
    if (!n) continue;
    const io = s.socketio?.[id];
    const ir = s.instructions?.[id]?.perConn;
    rows.push([c.label, `${num(n.rate)} (${x2(ratio(n.rate, rrRate))})`, `${num(n.primaryCpuUsPerConn, 1)} (${x2(ratio(n.primaryCpuUsPerConn, rrCpu))})`,
      Number.isFinite(ir) ? `${num(ir / 1000)}k (${x2(ratio(ir, rrIr))})` : '–',
      num(s.keepalive?.[id]?.rate), io ? pct(io.failureFraction) : '–', num(s.spread?.[id]?.maxOverMean, 2)]);
  }
  const m = results.machine;
  return `${table(['contender', 'new conn/s (× RR)', 'primary CPU µs per new conn (× RR)', 'primary instructions per new conn (× RR)', 'keep-alive req/s', `socket.io handshakes failed (${results.params.socketio.clients} clients)`, 'spread max/mean'], rows)}
${results.workers} workers on ${m.cores} cores (${m.cpu}, load average ${m.loadAverageAtStart} at the start: a shared, busy machine, so rates and CPU times move by ±10% between runs; instruction counts do not), Node ${m.node}, ${results.startedAt.slice(0, 10)}. Full figures, machine and commands: [bench/RESULTS.md](bench/RESULTS.md); rerun with \`npm run bench\`.
`;
}

module.exports = { renderMarkdown, renderConsole, readmeTable };
