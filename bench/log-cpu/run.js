'use strict';
// The primary's CPU per connection when the app prints a line per request (every line
// read from the worker's pipe, framed, recorded and written as NDJSON to stdout) against
// the same app silent. Both run under `sticky start` with stdout piped to this process,
// as under systemd or in a container; rounds alternate between the two.
//   node bench/log-cpu/run.js [--rounds=N] [--duration=MS]   (after npm run build)
// Every stdout line is parsed as JSON on the way (a non-JSON line fails the run).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runLoad } = require('../lib/load.js');
const { median } = require('../lib/stats.js');

const BIN = path.join(__dirname, '..', '..', 'bin', 'sticky.js');
const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROUNDS = arg('rounds', 3);
const DURATION_MS = arg('duration', 3000);

function startSticky(chatty) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sticky-log-cpu-'));
  const name = `log-cpu-${chatty ? 'chatty' : 'silent'}-${process.pid}`;
  fs.writeFileSync(path.join(dir, 'sticky.config.json'), JSON.stringify({
    name, script: path.join(__dirname, 'worker.js'), host: '127.0.0.1', port: 0, workers: 2,
    env: { LOG_CPU_CHATTY: chatty ? '1' : '0' },
  }));
  const child = spawn(process.execPath, [BIN, 'start', '--config', path.join(dir, 'sticky.config.json')], {
    env: { ...process.env, XDG_RUNTIME_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const state = { child, dir, lines: 0, appLines: 0, port: 0 };
  let buf = '';
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sticky start exited ${code}`)));
    child.stdout.setEncoding('utf8').on('data', (d) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop();
      for (const line of parts) {
        state.lines++;
        const record = JSON.parse(line);
        if (record.kind === 'app') state.appLines++;
        const port = /listening on 127\.0\.0\.1:(\d+)/.exec(record.msg ?? '')?.[1];
        if (port) state.port = Number(port);
        if (record.kind === 'ready') resolve(state);
      }
    });
  });
  return ready;
}

async function main() {
  const contenders = { silent: await startSticky(false), chatty: await startSticky(true) };
  const perConn = { silent: [], chatty: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [id, c] of Object.entries(contenders)) {
        const r = await runLoad({ port: c.port, durationMs: DURATION_MS, concurrency: 32, mode: 'close', primaryPid: c.child.pid });
        perConn[id].push(r.primaryCpuUsPerConn);
        process.stderr.write(`${id} round ${round + 1}: ${r.connections} conns, ${r.primaryCpuUsPerConn.toFixed(1)} µs primary CPU/conn, ${r.rate.toFixed(0)} req/s\n`);
      }
    }
  } finally {
    for (const c of Object.values(contenders)) c.child.kill('SIGTERM');
    await Promise.all(Object.values(contenders).map((c) => new Promise((r) => (c.child.exitCode !== null ? r() : c.child.once('exit', r)))));
    for (const c of Object.values(contenders)) fs.rmSync(c.dir, { recursive: true, force: true });
  }
  const out = {
    silentUsPerConn: median(perConn.silent),
    chattyUsPerConn: median(perConn.chatty),
    appLinesRecorded: contenders.chatty.appLines,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
