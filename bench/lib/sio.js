'use strict';
const { execFile } = require('node:child_process');
const path = require('node:path');

/** Runs bench/lib/sio-clients.js in its own process and returns its JSON result. */
function runSocketIo(options) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(__dirname, 'sio-clients.js'), JSON.stringify(options)], {
      timeout: 60_000,
      maxBuffer: 1 << 20,
    }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`socket.io clients failed: ${err.message} ${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

module.exports = { runSocketIo };
