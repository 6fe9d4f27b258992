'use strict';
// Runs the load generator in its own process and returns its JSON result.
const { execFile } = require('node:child_process');
const path = require('node:path');

const LOADGEN = path.join(__dirname, 'loadgen.js');

function runLoad(options) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [LOADGEN, JSON.stringify(options)], {
      timeout: options.durationMs + 30_000,
      maxBuffer: 1 << 20,
    }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`loadgen failed: ${err.message} ${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()));
      } catch (e) {
        reject(new Error(`loadgen printed no result: ${stdout} ${stderr}`));
      }
    });
  });
}

module.exports = { runLoad };
