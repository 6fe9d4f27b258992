'use strict';
// The bench app as the supervisor runs it: the default export builds the server in each worker.
const { createApp, exitGracefully } = require('../../app/app.js');

module.exports = function createServer() {
  const { server, io } = createApp();
  exitGracefully(io);
  return server;
};
