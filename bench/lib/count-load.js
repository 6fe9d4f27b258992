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

module.exports = { runCount };
