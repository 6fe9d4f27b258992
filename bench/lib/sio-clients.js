'use strict';
// socket.io polling handshakes: `clients` socket.io-client instances, each from its own
// loopback address and without keep-alive (as the project's tests do), connect at once, do
// one emit/ack round trip and disconnect. A client fails on connect_error, a wrong ack or
// no answer in time; reconnection is off so a failure counts once. Run as a child process:
//   node sio-clients.js '<json options>'  → one JSON line
const http = require('node:http');
const net = require('node:net');
const { io } = require('socket.io-client');
const { cpuMicros } = require('./proc.js');
const { clientOf, sourceAddress } = require('./request.js');

const { port, clients = 200, block = 2, timeoutMs = 10_000, primaryPid, route = 'ip' } = JSON.parse(process.argv[2]);

/** An agent whose every connection starts with a PROXY v1 preamble naming client i. */
class ProxyProtocolAgent extends http.Agent {
  constructor(i, options) {
    super(options);
    this.preamble = `PROXY TCP4 ${clientOf(i)} 127.0.0.1 ${40000 + i} ${port}\r\n`;
  }

  createConnection(options, cb) {
    const socket = net.connect(options);
    socket.write(this.preamble);
    if (cb) socket.once('connect', () => cb(null, socket));
    return socket;
  }
}

function oneClient(i) {
  return new Promise((resolve) => {
    const localAddress = sourceAddress(block + Math.floor((i - 1) / 254), ((i - 1) % 254) + 1);
    const agent = route === 'proxy-protocol'
      ? new ProxyProtocolAgent(i, { keepAlive: false, localAddress })
      : new http.Agent({ keepAlive: false, localAddress });
    // Behind a proxy every request names the client; each client is one address.
    const extraHeaders = route === 'header' ? { 'x-forwarded-for': clientOf(i) } : undefined;
    const socket = io(`http://127.0.0.1:${port}`, { transports: ['polling'], agent, extraHeaders, reconnection: false, timeout: timeoutMs, forceNew: true });
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.disconnect();
      agent.destroy();
      resolve(err);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('connect', () => {
      socket.emit('ping-ack', i, (n) => finish(n === i ? null : 'wrong ack'));
    });
    socket.on('connect_error', (err) => finish(err.message || 'connect_error'));
    socket.on('disconnect', (reason) => finish(`disconnect: ${reason}`));
  });
}

async function main() {
  const cpuBefore = cpuMicros(primaryPid);
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: clients }, (_, k) => oneClient(k + 1)));
  const elapsedMs = performance.now() - t0;
  const failures = {};
  let ok = 0;
  for (const r of results) {
    if (r === null) ok++;
    else failures[r] = (failures[r] ?? 0) + 1;
  }
  const out = {
    clients, ok, failed: clients - ok, failures, elapsedMs,
    handshakesPerS: (ok * 1000) / elapsedMs,
    failureFraction: (clients - ok) / clients,
    primaryCpuUs: cpuMicros(primaryPid) - cpuBefore,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
}

main();
