'use strict';
// The bench app under `sticky start`, printing one line per request when LOG_CPU_CHATTY=1.
const { createApp } = require('../app/app.js');

module.exports = function createServer() {
  const { server } = createApp();
  if (process.env.LOG_CPU_CHATTY === '1') {
    server.on('request', (req) => console.log(`${req.method} ${req.url} from ${req.socket.remoteAddress}`));
  }
  return server;
};
