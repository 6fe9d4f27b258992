'use strict';
// Rolling reload under load: this project's `sticky reload` beside PM2 7's `pm2 reload`
// of the same app in cluster mode. Each round: socket.io polling clients connected and held,
// HTTP load on new connections from 254 addresses, a reload one second in; counts failed
// requests, the reload's duration and how long each socket.io client was without a session.
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const { startSupervisor } = require('./supervisor.js');
const { runLoad } = require('./load.js');
const { startPm2, reloadPm2, stopPm2 } = require('./pm2.js');
const { median } = require('./stats.js');

const RELOAD_AT_MS = 1000;

/** Starts the held socket.io clients; resolves with { connected, report() }. */
function holdClients(port, clients) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(__dirname, 'sio-hold.js'), JSON.stringify({ port, clients })], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: proc.stdout });
    let report;
    lines.on('line', (line) => {
      const msg = JSON.parse(line);
      if (msg.ready) {
        resolve({
          connected: msg.connected,
          report: () => new Promise((res) => { report = res; proc.stdin.write('report\n'); }),
          kill: () => proc.kill('SIGKILL'),
        });
      } else if (report) report(msg);
    });
    proc.on('error', reject);
  });
}

async function reloadRound(target, o) {
  const held = await holdClients(target.port, o.clients);
  try {
    const load = runLoad({ port: target.port, durationMs: o.durationMs, concurrency: 8, primaryPid: target.pid, timeoutMs: 10_000 });
    await new Promise((res) => setTimeout(res, RELOAD_AT_MS));
    const t0 = performance.now();
    const reload = await target.reload();
    const reloadMs = reload.ms ?? performance.now() - t0;
    const r = await load;
    const io = await held.report();
    const errors = { ...r.errors };
    if (r.badStatus) errors['non-200 status'] = r.badStatus;
    return {
      ok: reload.reloaded !== false,
      reason: reload.error,
      requests: r.completed + r.badStatus + Object.values(r.errors).reduce((a, b) => a + b, 0),
      failedRequests: r.badStatus + Object.values(r.errors).reduce((a, b) => a + b, 0),
      errors,
      reloadMs,
      sioConnectedBefore: held.connected,
      sioDisconnects: io.disconnects,
      sioStillDown: io.stillDown,
      reconnectP50Ms: median(io.reconnectMs),
      reconnectMaxMs: io.reconnectMs.length ? io.reconnectMs[io.reconnectMs.length - 1] : NaN,
    };
  } finally {
    held.kill();
  }
}

async function runReloadSuite({ rounds, durationMs, clients, workers, only, log }) {
  const out = {};
  const targets = [];
  if (!only || only.includes('ours-ip')) {
    out.ours = { label: 'this project (sticky start, sticky reload)', status: 'ok' };
    try {
      const h = await startSupervisor(workers);
      targets.push({ id: 'ours', port: h.port, pid: h.pid, stop: h.stop, reload: () => h.reload().then(() => ({ reloaded: true })) });
    } catch (err) {
      Object.assign(out.ours, { status: 'failed', reason: err.message });
    }
  }
  if (!only || only.includes('pm2')) {
    out.pm2 = { label: 'PM2 7 cluster mode (pm2 reload)', status: 'ok' };
    try {
      const h = await startPm2(workers);
      targets.push({ id: 'pm2', port: h.port, pid: h.daemonPid, stop: () => stopPm2(h), reload: () => reloadPm2(h).then(() => ({ reloaded: true })) });
    } catch (err) {
      Object.assign(out.pm2, { status: 'failed', reason: err.message });
    }
  }
  const rows = new Map(targets.map((t) => [t.id, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(k + r) % targets.length];
        if (out[t.id].status !== 'ok') continue;
        try {
          const row = await reloadRound(t, { durationMs, clients });
          rows.get(t.id).push(row);
          log(`  ${t.id} reload ${r + 1}: ${row.failedRequests} failed of ${row.requests}, ${row.reloadMs.toFixed(0)} ms, socket.io ${row.sioConnectedBefore}/${clients} connected before`);
          if (!row.ok) Object.assign(out[t.id], { status: 'failed', reason: `reload failed: ${row.reason}` });
        } catch (err) {
          Object.assign(out[t.id], { status: 'failed', reason: err.message });
        }
      }
    }
  } finally {
    for (const t of targets) await t.stop();
  }
  for (const [id, rs] of rows) {
    if (!rs.length) continue;
    const m = (k) => median(rs.map((x) => x[k]));
    Object.assign(out[id], {
      rounds: rs.length,
      clients,
      requests: m('requests'),
      failedRequests: m('failedRequests'),
      failedPerRound: rs.map((x) => x.failedRequests),
      errors: rs.reduce((acc, x) => { for (const [k, v] of Object.entries(x.errors)) acc[k] = (acc[k] ?? 0) + v; return acc; }, {}),
      reloadMs: m('reloadMs'),
      sioConnectedBefore: m('sioConnectedBefore'),
      sioDisconnects: m('sioDisconnects'),
      sioStillDown: m('sioStillDown'),
      reconnectP50Ms: m('reconnectP50Ms'),
      reconnectMaxMs: m('reconnectMaxMs'),
    });
  }
  return out;
}

module.exports = { runReloadSuite };
