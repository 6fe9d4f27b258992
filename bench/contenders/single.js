'use strict';
// One plain process: the baseline every balancer adds its cost to.
const { createApp } = require('../app/app.js');
const { PORT, announce } = require('./common.js');

const { server } = createApp();
server.listen(PORT, '127.0.0.1', () => announce({ workers: [] }));
