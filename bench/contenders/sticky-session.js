'use strict';
// indutny's sticky-session 1.1.2: sticky.listen(server, port, { workers }).
const sticky = require('sticky-session');
const { createApp, signalReady } = require('../app/app.js');
const { WORKERS, PORT, announceWhenReady } = require('./common.js');

const { server } = createApp();
if (!sticky.listen(server, PORT, { workers: WORKERS })) {
  announceWhenReady();
} else {
  signalReady();
}
