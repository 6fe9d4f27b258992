'use strict';
// socketio-sticky-session 0.4.3 (this package's last release), options-object form: the one
// that sets pauseOnConnect. BENCH_PROXY=1 turns on its `proxy: true` (X-Forwarded-For) mode.
const cluster = require('node:cluster');
const sticky = require('socketio-sticky-session-v0');
const { WORKERS, PORT, announceWhenReady } = require('./common.js');

const options = { num: WORKERS };
if (process.env.BENCH_PROXY === '1') options.proxy = true;
if (cluster.isPrimary) announceWhenReady();
// Its factory runs in workers only, so the app never loads in the primary.
sticky(options, () => require('../app/app.js').createApp().server).listen(PORT, () => {
  if (cluster.isWorker) require('../app/app.js').signalReady();
});
