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

/** Tells the launcher this worker can serve (used by the contenders that have no ready signal). */
function signalReady() {
  if (process.send) process.send({ benchReady: process.pid });
}

module.exports = { createApp, signalReady };
