'use strict';
// PM2 7 in cluster mode, as a reload contender: its own home in a temp folder (PM2_HOME), its
// daemon (the cluster primary) found and killed by pid.
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./contender.js');
const { waitServing } = require('./count-load.js');

const PM2 = path.join(__dirname, '..', '..', 'node_modules', 'pm2', 'bin', 'pm2');
const APP = path.join(__dirname, '..', 'contenders', 'pm2-app.js');
const NAME = 'sticky-bench-app';

function pm2(args, env, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [PM2, ...args], { env, timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pm2 ${args.join(' ')}: ${err.message} ${stderr.slice(-1000)}`));
      else resolve(stdout);
    });
  });
}

async function startPm2(workers) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sticky-bench-pm2-'));
  const port = await freePort();
  const env = { ...process.env, PM2_HOME: home, BENCH_PORT: String(port), PM2_DISCRETE_MODE: 'true' };
  const handle = { home, port, env, daemonPid: null, workers: [] };
  try {
    await pm2(['start', APP, '-i', String(workers), '--name', NAME, '--kill-timeout', '5000'], env);
    handle.daemonPid = Number(fs.readFileSync(path.join(home, 'pm2.pid'), 'utf8'));
    await waitServing(port);
    handle.workers = await workerPids(handle);
    return handle;
  } catch (err) {
    await stopPm2(handle);
    throw err;
  }
}

async function workerPids(handle) {
  const list = JSON.parse(await pm2(['jlist'], handle.env));
  return list.filter((p) => p.name === NAME).map((p) => p.pid);
}

function reloadPm2(handle) {
  return pm2(['reload', NAME], handle.env);
}

async function stopPm2(handle) {
  try {
    await pm2(['kill'], handle.env, 20_000);
  } catch {
    // the daemon is killed by pid below
  }
  for (const pid of [handle.daemonPid, ...handle.workers]) {
    if (!pid) continue;
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  fs.rmSync(handle.home, { recursive: true, force: true });
}

module.exports = { startPm2, reloadPm2, stopPm2, workerPids };
