'use strict';
// @socket.io/sticky 2.0.1: the primary parses each connection's first chunk for a sid and
// relays request bodies that may span chunks over IPC; workers force Connection: close.
const cluster = require('node:cluster');
const http = require('node:http');
const { setupMaster, setupWorker } = require('@socket.io/sticky');
const { WORKERS, PORT, announceWhenReady } = require('./common.js');

if (cluster.isPrimary) {
  announceWhenReady();
  // Its README's setting: Buffers survive IPC (without it every forwarded request is lost).
  cluster.setupPrimary({ serialization: 'advanced' });
  const httpServer = http.createServer();
  setupMaster(httpServer, { loadBalancingMethod: 'least-connection' });
  httpServer.listen(PORT, '127.0.0.1', () => {
    for (let i = 0; i < WORKERS; i++) cluster.fork();
  });
} else {
  const { createApp, signalReady } = require('../app/app.js');
  const { io } = createApp();
  setupWorker(io);
  signalReady();
}
