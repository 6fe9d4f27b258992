'use strict';
// The load generator: a tight Node client on raw net sockets. Each of `concurrency` lanes
// opens a connection from the next source address (127.0.1.1 .. 127.0.1.N in turn), sends
// one minimal HTTP request and reads the response; in `close` mode a new connection per
// request (`Connection: close`), in `keepalive` mode requests follow each other on one
// connection. It reads the primary's CPU time from /proc itself at the exact start and end
// of the window, so the figure covers only the load. Run as a child process:
//   node loadgen.js '<json options>'   → one JSON line on stdout
const net = require('node:net');
const { cpuMicros, cpuMicrosOf } = require('./proc.js');
const { buildRequest, sourceAddress } = require('./request.js');

const opts = JSON.parse(process.argv[2]);
const {
  port,
  host = '127.0.0.1',
  durationMs,
  concurrency = 32,
  mode = 'close',
  addresses = 254,
  addressBlock = 1,
  bodyBytes = 0,
  route = 'ip', // ip | header (X-Forwarded-For from a fake client address) | proxy-protocol (PROXY v1)
  primaryPid,
  workerPids = [],
  timeoutMs = 5000,
} = opts;

const HTTP_200 = Buffer.from('HTTP/1.1 200');
const CRLFCRLF = Buffer.from('\r\n\r\n');
const body = bodyBytes > 0 ? Buffer.alloc(bodyBytes, 0x61) : null;

// One prebuilt request per address; in keep-alive mode the PROXY preamble goes only first.
const requests = [];
const followUps = [];
for (let i = 1; i <= addresses; i++) {
  requests[i] = buildRequest(i, { route, keepAlive: mode === 'keepalive', body, port });
  followUps[i] = route === 'proxy-protocol' ? requests[i].subarray(requests[i].indexOf('\n') + 1) : requests[i];
}
const localAddress = (i) => sourceAddress(addressBlock, i);

const result = {
  started: 0,
  completed: 0,
  connections: 0,
  reconnects: 0,
  errors: {},
  badStatus: 0,
};
const MAX_SAMPLES = 1 << 18;
const ttfb = new Float64Array(MAX_SAMPLES);
let samples = 0;
let nextAddress = 0;
let running = true;
const lanes = [];
let t0 = 0;

function countError(code) {
  result.errors[code] = (result.errors[code] ?? 0) + 1;
}

function pickAddress() {
  nextAddress = (nextAddress % addresses) + 1;
  return nextAddress;
}

class Lane {
  constructor() {
    this.socket = null;
    this.addr = 0;
    this.sentAt = 0;
    this.gotFirst = false;
    this.ok = false;
    this.head = null; // keep-alive: partial response bytes
    this.buf = Buffer.allocUnsafe(64 * 1024);
  }

  open() {
    if (!running) return;
    this.addr = pickAddress();
    this.sentAt = performance.now();
    this.gotFirst = false;
    this.ok = false;
    this.head = null;
    result.started++;
    result.connections++;
    const s = net.connect({
      port, host, localAddress: localAddress(this.addr),
      onread: { buffer: this.buf, callback: (n, b) => this.onRead(n, b) },
    });
    this.socket = s;
    s.on('connect', () => s.write(requests[this.addr]));
    s.on('error', (err) => { this.failed = err.code ?? 'error'; });
    s.on('close', () => this.onClose(s));
  }

  onRead(n, buf) {
    if (!this.gotFirst) {
      this.gotFirst = true;
      if (samples < MAX_SAMPLES) ttfb[samples++] = performance.now() - this.sentAt;
      this.ok = n >= HTTP_200.length && buf.compare(HTTP_200, 0, HTTP_200.length, 0, HTTP_200.length) === 0;
      if (!this.ok) result.badStatus++;
    }
    if (mode === 'keepalive') this.onKeepAliveBytes(buf.subarray(0, n));
    return true;
  }

  onKeepAliveBytes(chunk) {
    const data = this.head ? Buffer.concat([this.head, chunk]) : chunk;
    const end = data.indexOf(CRLFCRLF);
    if (end === -1) { this.head = Buffer.from(data); return; }
    const header = data.toString('latin1', 0, end);
    const m = /content-length:\s*(\d+)/i.exec(header);
    const total = end + 4 + (m ? Number(m[1]) : 0);
    if (data.length < total) { this.head = Buffer.from(data); return; }
    this.head = null;
    if (!this.ok) { this.socket.destroy(); return; }
    if (running) result.completed++;
    const closing = /\r\nconnection:\s*close/i.test(header);
    if (closing || !running) { this.socket.end(); return; }
    // Next request on the same connection.
    result.started++;
    this.sentAt = performance.now();
    this.gotFirst = false;
    this.socket.write(followUps[this.addr]);
  }

  onClose(s) {
    if (s !== this.socket) return;
    this.socket = null;
    if (this.failed) {
      countError(this.failed);
      this.failed = undefined;
      if (running) setImmediate(() => this.open());
      return;
    }
    if (mode === 'close') {
      if (this.ok && running) result.completed++;
      else if (!this.gotFirst && running) countError('closed-without-response');
    } else if (running) {
      result.reconnects++;
    }
    this.open();
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function finish(primaryBefore, workersBefore, selfBefore) {
  running = false;
  const elapsedMs = performance.now() - t0;
  const primaryCpuUs = cpuMicros(primaryPid) - primaryBefore;
  const workersCpuUs = cpuMicrosOf(workerPids) - workersBefore;
  const self = process.cpuUsage(selfBefore);
  // Connections still open at the deadline were accepted too: they count in the CPU divisor.
  let inFlight = 0;
  for (const lane of lanes) if (lane.socket) { inFlight++; lane.socket.destroy(); }
  const sorted = ttfb.subarray(0, samples).sort();
  const out = {
    ...result,
    inFlight,
    elapsedMs,
    rate: (result.completed * 1000) / elapsedMs,
    primaryCpuUs,
    primaryCpuUsPerConn: primaryCpuUs / Math.max(1, result.connections),
    primaryCpuUsPerReq: primaryCpuUs / Math.max(1, result.started),
    primaryCpuPct: (primaryCpuUs / 1000 / elapsedMs) * 100,
    workersCpuPct: (workersCpuUs / 1000 / elapsedMs) * 100,
    loadgenCpuPct: (((self.user + self.system) / 1000) / elapsedMs) * 100,
    ttfbP50Ms: percentile(sorted, 50),
    ttfbP99Ms: percentile(sorted, 99),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
}

function main() {
  const timer = setInterval(() => {
    const now = performance.now();
    for (const lane of lanes) {
      if (lane.socket && !lane.gotFirst && now - lane.sentAt > timeoutMs) {
        lane.failed = 'timeout';
        lane.socket.destroy();
      }
    }
  }, 250);
  timer.unref();
  const primaryBefore = cpuMicros(primaryPid);
  const workersBefore = cpuMicrosOf(workerPids);
  const selfBefore = process.cpuUsage();
  t0 = performance.now();
  for (let i = 0; i < concurrency; i++) {
    const lane = new Lane();
    lanes.push(lane);
    lane.open();
  }
  setTimeout(() => finish(primaryBefore, workersBefore, selfBefore), durationMs);
}

main();
