'use strict';
// Which worker serves each of 254 client addresses: every address sends `repeats` requests on
// new connections; the app names its worker pid in X-Worker. Gives the spread over workers
// (max/mean of addresses per worker) and stickiness (addresses always served by one worker).
const net = require('node:net');
const { buildRequest, sourceAddress } = require('./request.js');

function oneRequest(port, i, route, timeoutMs) {
  return new Promise((resolve) => {
    const chunks = [];
    const s = net.connect({ port, host: '127.0.0.1', localAddress: sourceAddress(1, i) });
    const timer = setTimeout(() => s.destroy(new Error('timeout')), timeoutMs);
    s.on('connect', () => s.write(buildRequest(i, { route, port })));
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /\r\nx-worker: (\d+)/i.exec(text);
      resolve(text.startsWith('HTTP/1.1 200') && m ? m[1] : null);
    });
  });
}

/** `workers`: how many there are, so a worker that got no address counts in the mean. */
async function measureSpread(port, route, { workers, addresses = 254, repeats = 3, concurrency = 16, timeoutMs = 5000 } = {}) {
  const served = new Map(); // address -> Set of worker pids
  let failed = 0;
  let next = 0;
  const lane = async () => {
    while (next < addresses * repeats) {
      const n = next++;
      const i = (n % addresses) + 1;
      const pid = await oneRequest(port, i, route, timeoutMs);
      if (pid === null) { failed++; continue; }
      if (!served.has(i)) served.set(i, new Set());
      served.get(i).add(pid);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const perWorker = new Map();
  let sticky = 0;
  for (const pids of served.values()) {
    if (pids.size === 1) sticky++;
    for (const pid of pids) perWorker.set(pid, (perWorker.get(pid) ?? 0) + 1 / pids.size);
  }
  const counts = [...perWorker.values()];
  const mean = counts.reduce((a, b) => a + b, 0) / Math.max(1, workers ?? counts.length);
  return {
    workersUsed: counts.length,
    maxOverMean: counts.length ? Math.max(...counts) / mean : NaN,
    stickyFraction: served.size ? sticky / served.size : NaN,
    failedRequests: failed,
    requests: addresses * repeats,
  };
}

module.exports = { measureSpread, oneRequest };
