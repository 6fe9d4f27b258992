'use strict';
// Exactly `conns` requests on new connections, `concurrency` at a time, source addresses
// cycling over 127.0.1.1-254: for counts (instructions per connection), not for rates.
const { oneRequest } = require('./spread.js');

async function runCount({ port, conns, route = 'ip', concurrency = 4, timeoutMs = 30_000 }) {
  let next = 0;
  let completed = 0;
  let failed = 0;
  const lane = async () => {
    while (next < conns) {
      const n = next++;
      if ((await oneRequest(port, (n % 254) + 1, route, timeoutMs)) === null) failed++;
      else completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { completed, failed };
}

/** Resolves once 20 requests in a row succeed (a server that prints no ready line). */
async function waitServing(port, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await runCount({ port, conns: 20, timeoutMs: 2000 });
    if (r.failed === 0) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`nothing serving on port ${port} after ${timeoutMs} ms`);
}

module.exports = { runCount, waitServing };
