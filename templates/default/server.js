// A starter worker for `sticky start`. Export a function that returns your server without
// calling listen(): sticky runs it in every worker and hands it the connections.
const http = require('node:http');
const { Server } = require('socket.io');

module.exports = function createServer() {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`hello from worker ${process.env.NODE_WORKER_ID} (pid ${process.pid})\n`);
  });

  const io = new Server(server);
  io.on('connection', (socket) => {
    socket.emit('hello', { worker: process.env.NODE_WORKER_ID, pid: process.pid });
    socket.on('echo', (message, ack) => {
      if (typeof ack === 'function') ack(message);
    });
  });

  // `sticky reload` and `sticky stop` drain this worker; PM2's convention tells the app first.
  // Disconnected socket.io clients reconnect at once, to the worker that replaces this one.
  process.on('message', (message) => {
    if (message === 'shutdown') io.disconnectSockets(true);
  });

  return server;
};
