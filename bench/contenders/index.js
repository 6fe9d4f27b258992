'use strict';
// Every contender, in the order tables list them. `route` tells the load generator what the
// balancer keys on: the TCP peer (ip), an X-Forwarded-For header, or a PROXY v1 preamble.
const path = require('node:path');

const CONTENDERS = [
  { id: 'single', label: 'one plain process', script: 'single.js', route: 'ip', sticky: false, single: true },
  { id: 'cluster-rr', label: 'Node cluster round-robin', script: 'cluster-rr.js', route: 'ip', sticky: false },
  { id: 'sticky-session', label: 'sticky-session 1.1.2', script: 'sticky-session.js', route: 'ip', sticky: true },
  { id: 'socketio-sticky-session', label: 'socketio-sticky-session 0.4.3', script: 'socketio-sticky-session-v0.js', route: 'ip', sticky: true },
  { id: 'socketio-sticky-session-proxy', label: 'socketio-sticky-session 0.4.3 proxy:true', script: 'socketio-sticky-session-v0.js', env: { BENCH_PROXY: '1' }, route: 'header', sticky: true },
  { id: 'socket.io-sticky', label: '@socket.io/sticky 2.0.1', script: 'socket.io-sticky.js', route: 'ip', sticky: true },
  // ip mode twice: the primary accepting and handing off (the first phase's path), and the
  // kernel steering each connection to its worker's own socket (routing.accept: 'kernel').
  { id: 'ours-ip', label: 'this project, ip mode, primary accept', script: 'ours.js', env: { BENCH_ROUTING: 'ip', BENCH_ACCEPT: 'primary' }, route: 'ip', sticky: true, ours: true },
  { id: 'ours-ip-kernel', label: 'this project, ip mode, kernel accept', script: 'ours.js', env: { BENCH_ROUTING: 'ip', BENCH_ACCEPT: 'kernel' }, route: 'ip', sticky: true, ours: true, kernel: true },
  { id: 'ours-header', label: 'this project, header mode', script: 'ours.js', env: { BENCH_ROUTING: 'header' }, route: 'header', sticky: true, ours: true },
  { id: 'ours-proxy-protocol', label: 'this project, proxy-protocol mode', script: 'ours.js', env: { BENCH_ROUTING: 'proxy-protocol' }, route: 'proxy-protocol', sticky: true, ours: true },
];

/** Why a contender cannot run in this build (an older build without header / PROXY modes), or null. */
function unavailable(c) {
  if (c.kernel) return kernelUnavailable(c);
  if (!c.ours || c.route === 'ip') return null;
  try {
    // Constructing forks nothing; a build without routing modes ignores the option.
    const dist = distOf(c);
    const { BalancerServer } = require(path.join(dist, 'balancer', 'primary.js'));
    const probe = new BalancerServer({ workers: 1, routing: { by: c.route } });
    if (probe.routing && probe.routing.by === c.route) return null;
  } catch {
    // an older build may reject the option outright
  }
  return `${c.route} routing is not in this build`;
}

/** Why kernel accept cannot run here (a build without it, not Linux, koffi not loading), or null. */
function kernelUnavailable(c) {
  let calls;
  try {
    calls = require(path.join(distOf(c), 'balancer', 'kernel', 'socket-calls.js'));
  } catch {
    return 'kernel accept is not in this build';
  }
  const loaded = calls.loadSocketCalls();
  return loaded.ok ? null : `kernel accept unavailable: ${loaded.reason}`;
}

function distOf(c) {
  return c.env?.BENCH_DIST ?? path.join(__dirname, '..', '..', 'dist');
}

/** "this project" contenders built from another tsc output: NAME:PATH[:mode,mode] (default ip). */
function distContenders(dists) {
  const out = [];
  for (const [name, dir, modes = 'ip'] of dists) {
    for (const mode of modes.split(',')) {
      const base = CONTENDERS.find((c) => c.id === `ours-${mode}`);
      if (!base) throw new Error(`--dist: unknown mode ${mode}`);
      out.push({ ...base, id: `${base.id}-${name}`, label: `${base.label} (${name})`, env: { ...base.env, BENCH_DIST: path.resolve(dir) } });
    }
  }
  return out;
}

module.exports = { CONTENDERS, unavailable, distContenders };
