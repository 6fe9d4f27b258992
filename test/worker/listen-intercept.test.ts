// Which listen() calls name a TCP port (and so can be adopted): every form of
// net.Server#listen, and what is not a port.
import { describe, expect, it } from 'vitest';
import { listenPort } from '../../src/worker/listen-intercept.js';

describe('listenPort', () => {
  it.each([
    [[], 0],
    [[() => {}], 0],
    [[3000], 3000],
    [[3000, '127.0.0.1', () => {}], 3000],
    [['8080'], 8080],
    [[0, 'localhost', 511], 0],
    [[{ port: 4000, host: '::' }], 4000],
    [[{ port: '4001' }, () => {}], 4001],
    [[{ host: '127.0.0.1' }], 0],
    [[{}], 0],
    [[undefined, '127.0.0.1'], 0],
    [[null], 0],
  ])('listen(%j) names port %j', (args, port) => {
    expect(listenPort(args as unknown[])).toBe(port);
  });

  it.each([
    [['/tmp/app.sock']],
    [['\\\\?\\pipe\\app']],
    [[{ path: '/tmp/app.sock' }]],
    [[{ port: 3000, path: '/tmp/app.sock' }]],
    [[{ fd: 3 }]],
    [[{ handle: {} }]],
    [[{ _handle: {} }]],
    [[{ port: 'http' }]],
    [[{ port: {} }]],
    [['3000abc']],
    [[true]],
  ])('listen(%j) names no TCP port', (args) => {
    expect(listenPort(args as unknown[])).toBeUndefined();
  });
});
