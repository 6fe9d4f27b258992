// A socket.io chat on every core: `sticky start` in this folder, then open http://localhost:3000
// in a few browsers. Each page shows the worker (slot and pid) serving it, the live list of
// workers, and every message from every worker.
//
// sticky calls the default export once in each worker and hands it the connections.
const cluster = require('node:cluster');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { Server } = require('socket.io');

const PAGE = fs.readFileSync(path.join(__dirname, 'index.html'));
const PRESENCE_INTERVAL_MS = 1000;
const MAX_TEXT = 500;
const MAX_NAME = 40;

module.exports = function createServer() {
  const slot = Number(process.env.STICKY_WORKER_SLOT ?? 0);
  const worker = { slot, pid: process.pid };
  const startedAt = Date.now();

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(PAGE);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });

  // socket.io serves its browser client at /socket.io/socket.io.js.
  const io = new Server(server);
  // The one line that makes io.emit reach the clients of every worker: the sticky primary
  // relays this adapter's messages (config `broadcast: 'cluster'`). Across several machines,
  // use @socket.io/redis-adapter here instead.
  if (cluster.isWorker) io.adapter(require('@socket.io/cluster-adapter').createAdapter());

  io.on('connection', (socket) => {
    socket.emit('welcome', worker);
    socket.on('chat', (msg) => {
      const text = typeof msg?.text === 'string' ? msg.text.trim().slice(0, MAX_TEXT) : '';
      const name = typeof msg?.name === 'string' ? msg.name.trim().slice(0, MAX_NAME) : '';
      if (!text) return;
      io.emit('chat', { name: name || 'anonymous', text, worker, at: Date.now() });
    });
  });

  // Each worker tells every page it is alive; pages drop workers they stop hearing from.
  const presence = setInterval(() => {
    io.emit('worker', { ...worker, clients: io.of('/').sockets.size, uptimeMs: Date.now() - startedAt });
  }, PRESENCE_INTERVAL_MS);
  presence.unref();

  // `sticky reload` / `sticky stop` drain this worker and tell it first (PM2's 'shutdown').
  // Closing the transports (not disconnect(), which tells clients not to come back) makes
  // every page reconnect at once, to the worker that has taken this one's place.
  process.on('message', (message) => {
    if (message !== 'shutdown') return;
    clearInterval(presence);
    io.emit('worker-gone', worker);
    for (const socket of io.of('/').sockets.values()) socket.conn.close();
    // The adapter's timers would keep this worker alive once its clients are gone (it would
    // be killed at reload.killTimeoutMs); closed, the worker exits when they are.
    io.of('/').adapter.close();
  });

  return server;
};
