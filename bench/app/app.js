'use strict';
// The one app every contender serves: an http server with socket.io attached (polling only),
// answering plain requests with a fixed body. POST bodies are read to the end first, so the
// 64 KiB-body figure measures the whole request reaching the worker.
const http = require('node:http');
const { Server } = require('socket.io');

const BODY = Buffer.from('ok');
const PID = String(process.pid);

function createApp() {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') return reply(res);
    let bytes = 0;
    req.on('data', (chunk) => { bytes += chunk.length; });
    req.on('end', () => reply(res, bytes));
  });
  const io = new Server(server, { transports: ['polling'], serveClient: false });
  io.on('connection', (socket) => {
    socket.on('ping-ack', (n, ack) => ack(n));
  });
  return { server, io };
}

function reply(res, bytes) {
  res.setHeader('Content-Type', 'text/plain');
  res.setHeader('X-Worker', PID);
  if (bytes !== undefined) res.setHeader('X-Body-Bytes', String(bytes));
  res.setHeader('Content-Length', BODY.length);
  res.end(BODY);
}

/**
 * Graceful shutdown the way a PM2 user writes it: on SIGINT (PM2's stop/reload signal) or
 * the 'shutdown' message (PM2's convention, which this project's workers also receive when
 * drained), close socket.io (its clients reconnect elsewhere) and the server, then exit.
 */
function exitGracefully(io, graceMs = 5000) {
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    io.close(() => process.exit(0));
    setTimeout(() => process.exit(0), graceMs).unref();
  };
  process.on('SIGINT', shutdown);
  process.on('message', (msg) => { if (msg === 'shutdown') shutdown(); });
}

/** Tells the launcher this worker can serve (used by the contenders that have no ready signal). */
function signalReady() {
  if (process.send) process.send({ benchReady: process.pid });
}

module.exports = { createApp, signalReady, exitGracefully };
