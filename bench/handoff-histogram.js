'use strict';
// What metrics add to the primary's per-connection path: the dispatcher's hand-off (dispatch,
// send, acknowledge) with fake handles and workers: `off` without a hand-off listener, `on`
// with the metrics' HandoffHistogram, `prom` with prom-client's own Histogram#observe instead
// (what HandoffHistogram replaced). Rounds alternate so machine load hits all alike; prints
// the median CPU ns per connection of each.
//   node bench/handoff-histogram.js [--conns=200000] [--rounds=7]   (after npm run build)
// Under callgrind, one mode per run; two sizes give instructions per connection, free of
// noise and of start-up: (I(60000) - I(20000)) / 40000.
//   valgrind --tool=callgrind node bench/handoff-histogram.js --mode=on --rounds=1 --conns=20000
const { Histogram, Registry } = require('prom-client');
const { Dispatcher } = require('../dist/balancer/dispatcher.js');
const { HandoffHistogram, HANDOFF_BUCKETS_MS } = require('../dist/metrics/handoff-histogram.js');

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const CONNS = Number(args.conns ?? 200_000);
const ROUNDS = Number(args.rounds ?? 7);

const handle = { close() {}, getpeername() { return 0; } };

function setUp(mode) {
  const d = new Dispatcher({ slotCount: 2, seed: 0, maxPending: 10_000 });
  let lastId = 0;
  let lastTarget;
  const targets = [0, 1].map((slot) => {
    const target = { slot, send(msg) { lastId = msg.id; lastTarget = target; return true; } };
    return target;
  });
  for (const t of targets) d.setTarget(t);
  if (mode === 'prom') {
    const histogram = new Histogram({ name: 'h', help: 'h', registers: [new Registry()], buckets: HANDOFF_BUCKETS_MS.map((ms) => ms / 1000) });
    d.onHandoff = (ms) => histogram.observe(ms / 1000);
  } else if (mode === 'on') {
    const histogram = new HandoffHistogram('h', 'h');
    d.onHandoff = (ms) => histogram.observeMs(ms);
  }
  return (n) => {
    for (let i = 0; i < n; i++) {
      const key = (i * 2654435761) >>> 0;
      d.dispatch(handle, key);
      d.acknowledge(lastTarget, lastId, true);
    }
    if (d.pendingCount !== 0 || d.rejected !== 0) throw new Error('a hand-off was not acknowledged');
  };
}

/** CPU time, not wall time: on a loaded machine the process waits for a core between slices. */
function nsPerConn(run) {
  const start = process.cpuUsage();
  run(CONNS);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / CONNS;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const LABELS = { off: 'without metrics', on: 'HandoffHistogram', prom: 'prom-client Histogram' };
const modes = args.mode ? [args.mode] : ['off', 'on', 'prom'];
const runs = Object.fromEntries(modes.map((m) => [m, setUp(m)]));
for (const m of modes) runs[m](20_000); // warm-up: let the JIT settle both paths
const times = Object.fromEntries(modes.map((m) => [m, []]));
for (let r = 0; r < ROUNDS; r++) for (const m of modes) times[m].push(nsPerConn(runs[m]));
for (const m of modes) {
  const extra = m !== 'off' && times.off.length > 0 ? ` (+${(median(times[m]) - median(times.off)).toFixed(0)})` : '';
  console.log(`${LABELS[m].padEnd(22)} ${median(times[m]).toFixed(0)} CPU ns per connection${extra}, median of ${ROUNDS} rounds of ${CONNS}`);
}
