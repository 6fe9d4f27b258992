// BalancerServer#listen on the kernel path behaves as net.Server#listen: the port is bound
// before listen() returns, 'listening' follows (once the self-test chose the path), a port in
// use is an 'error' event on a later tick, and close() at any point frees the port, even while
// the self-test still runs.
import { Server, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BalancerServer } from '../../src/balancer/primary.js';
import { closeServer } from '../helpers/reuseport.js';

const open: Server[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) if (s.listening) await closeServer(s);
});

function balancer(): BalancerServer {
  const b = new BalancerServer({ workers: 2, logger: { warn: (fields, msg) => { throw new Error(`unexpected warning: ${msg}`); } } });
  open.push(b);
  return b;
}

/** Resolves once `port` on 127.0.0.1 binds again (nothing holds it), then lets it go. */
async function bindsAgain(port: number): Promise<void> {
  const probe = new Server();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
  await closeServer(probe);
}

describe('BalancerServer#listen under kernel accept', () => {
  it('binds before it returns, then emits listening with the accept path chosen', async () => {
    const b = balancer();
    const listening = new Promise<void>((resolve) => b.once('listening', resolve));
    expect(b.listen(0, '127.0.0.1')).toBe(b);
    const { port } = b.address() as AddressInfo;
    expect(port).toBeGreaterThan(0);
    expect(b.listening).toBe(true);
    expect(b.accept).toBeUndefined();
    await listening;
    expect(b.accept).toBe('kernel');
    expect(b.acceptReason).toBe(`self-test passed; 2 sockets on 127.0.0.1:${port}`);
    await closeServer(b);
    await bindsAgain(port);
  });

  it('close() while the self-test runs frees the port; neither listening nor error follows', async () => {
    const b = balancer();
    const events: string[] = [];
    b.on('listening', () => events.push('listening')).on('error', (err) => events.push(`error ${err.message}`));
    b.listen(0, '127.0.0.1');
    const { port } = b.address() as AddressInfo;
    const closed = new Promise<void>((resolve) => b.close(() => resolve()));
    await closed;
    await bindsAgain(port);
    // As long as a second balancer's self-test, begun after the first's, takes: the first
    // one's result comes meanwhile and must change nothing.
    const second = balancer();
    await new Promise<void>((resolve) => second.listen(0, '127.0.0.1', resolve));
    expect(events).toEqual([]);
    expect(b.listening).toBe(false);
  });

  it('a port in use is an error event on a later tick, as net.Server reports it', async () => {
    const holder = new Server();
    open.push(holder);
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    const b = balancer();
    let sync = true;
    const failed = new Promise<NodeJS.ErrnoException & { sameTick: boolean }>((resolve) => b.once('error', (err) => resolve(Object.assign(err, { sameTick: sync }))));
    b.listen(port, '127.0.0.1');
    sync = false;
    expect(await failed).toMatchObject({ code: 'EADDRINUSE', port, sameTick: false });
    expect(b.listening).toBe(false);
  });

  it('looks a host name up first, then binds its address', async () => {
    const b = balancer();
    await new Promise<void>((resolve) => b.listen(0, 'localhost', resolve));
    expect(b.accept).toBe('kernel');
    expect(['127.0.0.1', '::1']).toContain((b.address() as AddressInfo).address);
  });
});
