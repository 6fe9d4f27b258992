// How long a CLI call takes to load the config: `sticky status` (nothing running, so it
// exits 1 right after loading the config and finding no control socket) in a folder made
// by `sticky init`, run RUNS times; prints the median and the spread. Not a test: the
// numbers depend on the machine and its load.
//   node bench/config-load-time.js [RUNS] [template]
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'sticky.js');
const runs = Number(process.argv[2] ?? 15);
const template = process.argv[3] ?? 'default';

// Inside the package, so the config's import of socketio-sticky-session resolves to it.
mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
const dir = mkdtempSync(path.join(ROOT, 'test-artifacts', 'config-load-'));
const runtime = mkdtempSync(path.join(require('node:os').tmpdir(), 'sticky-rt-'));
try {
  execFileSync(process.execPath, [BIN, 'init', '--template', template], { cwd: dir });
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, 'status'], { cwd: dir, env: { ...process.env, XDG_RUNTIME_DIR: runtime }, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (r.status !== 1 || !r.stderr.includes('is running')) throw new Error(`unexpected: exit ${r.status}: ${r.stderr}`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(0);
  console.log(`sticky status, ${template} template's sticky.config.ts, ${runs} runs on node ${process.version}: `
    + `first ${times[0].toFixed(0)} ms, median ${at(0.5)} ms, min ${at(0)} ms, p90 ${at(0.9)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(runtime, { recursive: true, force: true });
}
