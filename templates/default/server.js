// A starter worker for `sticky start`. Export a function that returns your server: sticky runs
// it in every worker and hands it the connections. (An existing app that calls listen() itself
// works unchanged too: its first server to listen is adopted and binds nothing.)
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
  // io.close() closes every client's transport, so each reconnects at once, to the worker that
  // replaces this one. (Not io.disconnectSockets(true): a client the server disconnects does
  // not reconnect.) Clean up here too (a database, a queue); once its connections are done,
  // this worker exits when nothing is left to do, or after reload.killTimeoutMs.
  process.on('message', (message) => {
    if (message === 'shutdown') io.close();
  });

  return server;
};
