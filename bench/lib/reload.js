'use strict';
async function runReloadSuite() { return {}; }
module.exports = { runReloadSuite };
