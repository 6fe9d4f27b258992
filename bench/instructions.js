'use strict';
// User-space instructions per new connection in the primary, counted by valgrind's callgrind:
// the same count whatever else the machine is doing, so it settles what a noisy CPU-time
// figure cannot (kernel time is not in it: accept, sendmsg and close cost the same in every
// contender; getpeername is the one syscall only address-hashing balancers add).
//   node bench/instructions.js [--conns=3000] [--only=id,id] [--dist=NAME:PATH[:modes]] [--keep=DIR] [--concurrency=4]
// --keep copies each contender's callgrind file to DIR (read it with callgrind_annotate).
// The primary runs under callgrind (its workers natively); counters are zeroed after warm-up
// and dumped after exactly `conns` connections at a low fixed concurrency.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { CONTENDERS, distContenders } = require('./contenders/index.js');
const { freePort, stopProcess } = require('./lib/contender.js');
const { runCount } = require('./lib/count-load.js');

function parseArgs(argv) {
  const args = { conns: 3000, only: ['cluster-rr', 'ours-ip'], dists: [], keep: null, concurrency: 4 };
  for (const a of argv) {
    if (a.startsWith('--conns=')) args.conns = Number(a.slice(8));
    else if (a.startsWith('--only=')) args.only = a.slice(7).split(',');
    else if (a.startsWith('--dist=')) args.dists.push(a.slice(7).split(':'));
    else if (a.startsWith('--keep=')) args.keep = a.slice(7);
    else if (a.startsWith('--concurrency=')) args.concurrency = Number(a.slice(14));
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

async function startUnderCallgrind(spec, dir) {
  const port = await freePort();
  const proc = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${dir}/callgrind.out.%p`, '--dump-instr=no',
    process.execPath, path.join(__dirname, 'contenders', spec.script)], {
    env: { ...process.env, ...spec.env, BENCH_PORT: String(port), BENCH_WORKERS: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const info = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${spec.id}: not ready under callgrind: ${stderr}`)), 120_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) { clearTimeout(timer); resolve(JSON.parse(line)); }
    });
  });
  return { proc, port, info };
}

function totalIr(file) {
  const text = fs.readFileSync(file, 'utf8');
  const m = /^(?:summary|totals):\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

async function measure(spec, conns, keep, concurrency = 4) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sticky-callgrind-'));
  const { proc, port, info } = await startUnderCallgrind(spec, dir);
  try {
    await runCount({ port, conns: 300, route: spec.route }); // warm-up: JIT, first requests
    execFileSync('callgrind_control', ['--zero', String(proc.pid)], { stdio: 'ignore' });
    const r = await runCount({ port, conns, route: spec.route, concurrency });
    execFileSync('callgrind_control', ['--dump', String(proc.pid)], { stdio: 'ignore' });
    const dumps = fs.readdirSync(dir).filter((f) => f.startsWith(`callgrind.out.${proc.pid}.`));
    const last = dumps.sort().pop();
    if (keep) fs.copyFileSync(path.join(dir, last), path.join(keep, `${spec.id}.callgrind`));
    return { ir: totalIr(path.join(dir, last)), completed: r.completed, failed: r.failed };
  } finally {
    await stopProcess(proc, info.workers ?? []);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function haveValgrind() {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const extra = distContenders(args.dists);
  const specs = [...CONTENDERS, ...extra].filter((c) => args.only.includes(c.id) || extra.includes(c));
  const rows = [];
  for (const spec of specs) {
    const r = await measure(spec, args.conns, args.keep, args.concurrency);
    rows.push({ id: spec.id, irPerConn: r.ir / args.conns, ...r });
    process.stderr.write(`${spec.id}: ${(r.ir / args.conns).toFixed(0)} instructions per connection (${r.completed} ok, ${r.failed} failed)\n`);
  }
  const base = rows.find((r) => r.id === 'cluster-rr');
  for (const r of rows) {
    process.stdout.write(`| ${r.id} | ${r.irPerConn.toFixed(0)} | ${base ? (r.irPerConn / base.irPerConn).toFixed(2) + '×' : '–'} |\n`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  });
}

module.exports = { measureInstructions: measure, haveValgrind };
