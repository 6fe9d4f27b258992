'use strict';
// The machine and versions a run was made on, for RESULTS.md.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

function versionOf(pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    versions: {
      'socketio-sticky-session (this)': JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
      'sticky-session': versionOf('sticky-session'),
      'socketio-sticky-session 0.x': versionOf('socketio-sticky-session-v0'),
      '@socket.io/sticky': versionOf('@socket.io/sticky'),
      pm2: versionOf('pm2'),
      'socket.io': versionOf('socket.io'),
      'socket.io-client': versionOf('socket.io-client'),
    },
  };
}

module.exports = { machineInfo };
