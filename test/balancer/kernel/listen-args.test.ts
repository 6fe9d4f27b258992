import { describe, expect, it } from 'vitest';
import { tcpListenArgs } from '../../../src/balancer/kernel/listen-args.js';

const cb = (): void => {};

describe("net.Server#listen's arguments for kernel accept", () => {
  it('reads the port forms', () => {
    expect(tcpListenArgs([])).toEqual({ target: { port: 0, host: undefined, backlog: undefined }, callback: undefined });
    expect(tcpListenArgs([cb])).toEqual({ target: { port: 0, host: undefined, backlog: undefined }, callback: cb });
    expect(tcpListenArgs([3000])).toEqual({ target: { port: 3000, host: undefined, backlog: undefined }, callback: undefined });
    expect(tcpListenArgs(['3000', '127.0.0.1', cb])).toEqual({ target: { port: 3000, host: '127.0.0.1', backlog: undefined }, callback: cb });
    expect(tcpListenArgs([3000, '::', 64, cb])).toEqual({ target: { port: 3000, host: '::', backlog: 64 }, callback: cb });
    expect(tcpListenArgs([3000, 64])).toEqual({ target: { port: 3000, host: undefined, backlog: 64 }, callback: undefined });
  });

  it('reads the options form', () => {
    expect(tcpListenArgs([{ port: 80, host: 'localhost', ipv6Only: true, backlog: 10 }, cb]))
      .toEqual({ target: { port: 80, host: 'localhost', ipv6Only: true, backlog: 10 }, callback: cb });
    expect(tcpListenArgs([{ host: '::1' }])).toEqual({ target: { port: 0, host: '::1', ipv6Only: false, backlog: undefined }, callback: undefined });
  });

  it('leaves paths, handles, descriptors and bad ports to net.Server', () => {
    for (const args of [['/tmp/x.sock'], [{ path: '/tmp/x.sock' }], [{ fd: 3 }], [{ handle: {} }], [{ _handle: {} }],
      [{ listen() {} }], [{ port: -1 }], [{ port: 70000 }], [1.5], ['abc'], [{ port: 'x' }]]) {
      expect([args, tcpListenArgs(args)]).toEqual([args, null]);
    }
  });
});
