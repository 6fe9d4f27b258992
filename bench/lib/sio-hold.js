'use strict';
// socket.io polling clients held open across a reload: each from its own loopback address,
// reconnecting at once (100 ms, no jitter) so the figure is the server's, not the client's
// back-off. Prints {"ready":…} once every client connected or `connectMs` passed; on a
// "report" line on stdin prints what happened since and exits.
//   node sio-hold.js '<json options>'
const http = require('node:http');
const readline = require('node:readline');
const { io } = require('socket.io-client');
const { sourceAddress } = require('./request.js');

const { port, clients = 50, block = 3, connectMs = 5000 } = JSON.parse(process.argv[2]);

const state = [];
const connectedNow = () => state.filter((s) => s.up).length;
let phase = 'connecting';

for (let i = 1; i <= clients; i++) {
  const agent = new http.Agent({ keepAlive: false, localAddress: sourceAddress(block, i) });
  const socket = io(`http://127.0.0.1:${port}`, {
    transports: ['polling'], agent, forceNew: true, timeout: 5000,
    reconnectionDelay: 100, reconnectionDelayMax: 100, randomizationFactor: 0,
  });
  const s = { socket, up: false, downSince: 0, outages: [], connectErrors: 0 };
  state.push(s);
  socket.on('connect', () => {
    s.up = true;
    if (s.downSince) s.outages.push(performance.now() - s.downSince);
    s.downSince = 0;
    if (phase === 'connecting' && connectedNow() === clients) ready();
  });
  socket.on('disconnect', () => {
    s.up = false;
    if (phase === 'holding') s.downSince = performance.now();
  });
  socket.on('connect_error', () => {
    s.connectErrors++;
    if (phase === 'holding' && !s.downSince) s.downSince = performance.now();
  });
}
const timer = setTimeout(ready, connectMs);

function ready() {
  if (phase !== 'connecting') return;
  clearTimeout(timer);
  phase = 'holding';
  for (const s of state) s.connectErrors = 0;
  process.stdout.write(`${JSON.stringify({ ready: true, connected: connectedNow() })}\n`);
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'report') return;
  const outages = state.flatMap((s) => s.outages).sort((a, b) => a - b);
  const stillDown = state.filter((s) => !s.up).length;
  const out = {
    clients,
    connectedAtEnd: clients - stillDown,
    disconnects: outages.length + state.filter((s) => s.downSince).length,
    reconnectMs: outages,
    stillDown,
    connectErrors: state.reduce((a, s) => a + s.connectErrors, 0),
  };
  for (const s of state) s.socket.disconnect();
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
});
