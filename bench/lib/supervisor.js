'use strict';
// This project's supervisor as a reload contender: `sticky start` with the bench config, its
// control socket in a temp folder (XDG_RUNTIME_DIR), reloaded with `sticky reload` (the
// command returns when every old worker has exited, like `pm2 reload`), stopped by pid.
const { execFile, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, stopProcess } = require('./contender.js');
const { waitServing } = require('./count-load.js');
const { childPids } = require('./proc.js');

const ROOT = path.join(__dirname, '..', '..');
const STICKY = path.join(ROOT, 'bin', 'sticky.js');
const CONFIG = path.join(__dirname, '..', 'contenders', 'supervisor', 'sticky.config.js');

function sticky(args, env, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [STICKY, ...args, '--config', CONFIG], { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`sticky ${args.join(' ')}: ${err.message} ${stderr.slice(-1000)}`));
      else resolve(stdout);
    });
  });
}

async function startSupervisor(workers) {
  const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'sticky-bench-run-'));
  const port = await freePort();
  const env = { ...process.env, XDG_RUNTIME_DIR: runtime, BENCH_PORT: String(port), BENCH_WORKERS: String(workers), BENCH_NAME: `bench-${process.pid}` };
  const proc = spawn(process.execPath, [STICKY, 'start', '--config', CONFIG], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const stop = async () => {
    await stopProcess(proc, childPids(proc.pid));
    fs.rmSync(runtime, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitServing(port),
      new Promise((_, reject) => proc.once('exit', (code) => reject(new Error(`sticky start exited (${code}): ${stderr}`)))),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, pid: proc.pid, reload: () => sticky(['reload'], env), stop };
}

module.exports = { startSupervisor };
