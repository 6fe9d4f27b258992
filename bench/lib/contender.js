'use strict';
// Starts a contender's launcher, waits for its ready line and stops it (by pid) afterwards.
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const { childPids } = require('./proc.js');

const READY_TIMEOUT_MS = 30_000;

/** A free loopback port (the launchers need a number up front: not all peers report theirs). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * @param {{ name: string, script: string, env?: object, execArgv?: string[] }} spec
 * @returns {Promise<{ name, port, pid, workers: number[], info, proc, stderr: () => string, stop }>}
 */
async function startContender(spec, workers) {
  const port = await freePort();
  const proc = spawn(process.execPath, [...(spec.execArgv ?? []), path.join(__dirname, '..', 'contenders', spec.script)], {
    env: { ...process.env, ...spec.env, BENCH_PORT: String(port), BENCH_WORKERS: String(workers) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-8000); });
  const info = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`${spec.name}: not ready in ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const onData = (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"ready"'));
      if (!line) return;
      clearTimeout(timer);
      proc.stdout.off('data', onData);
      proc.off('exit', onExit);
      proc.stdout.resume();
      resolve(JSON.parse(line));
    };
    const onExit = (code, signal) => fail(new Error(`${spec.name}: exited (${code ?? signal}) before ready: ${stderr.trim().slice(-2000)}`));
    function fail(err) {
      clearTimeout(timer);
      proc.stdout.off('data', onData);
      proc.off('exit', onExit);
      killTree(proc.pid);
      reject(err);
    }
    proc.stdout.on('data', onData);
    proc.on('exit', onExit);
  });
  return {
    name: spec.name,
    port,
    pid: info.pid ?? proc.pid,
    workers: info.workers ?? [],
    info,
    proc,
    stderr: () => stderr,
    stop: () => stopProcess(proc, info.workers ?? []),
  };
}

function killTree(pid) {
  const kids = childPids(pid);
  try { process.kill(pid, 'SIGKILL'); } catch {}
  for (const k of kids) { try { process.kill(k, 'SIGKILL'); } catch {} }
}

/** SIGTERM, then SIGKILL at 3 s; workers that outlive their primary are killed by pid. */
function stopProcess(proc, workerPids) {
  return new Promise((resolve) => {
    const kids = new Set([...workerPids, ...childPids(proc.pid)]);
    const done = () => {
      clearTimeout(timer);
      for (const k of kids) { try { process.kill(k, 'SIGKILL'); } catch {} }
      resolve();
    };
    if (proc.exitCode !== null || proc.signalCode !== null) return done();
    const timer = setTimeout(() => { try { proc.kill('SIGKILL'); } catch {} }, 3000);
    proc.once('exit', done);
    proc.kill('SIGTERM');
  });
}

module.exports = { startContender, freePort, stopProcess };
