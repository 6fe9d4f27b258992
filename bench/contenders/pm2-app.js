'use strict';
// The app as PM2 runs it in cluster mode (`pm2 start pm2-app.js -i N`): it listens itself,
// and PM2's daemon is the cluster primary (Node's round-robin).
const { createApp, exitGracefully } = require('../app/app.js');

const { server, io } = createApp();
exitGracefully(io);
server.listen(Number(process.env.BENCH_PORT), '127.0.0.1');
