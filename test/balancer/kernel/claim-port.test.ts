import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ReuseportGroup, SocketCallError, claimPort } from '../../../src/balancer/kernel/reuseport-group.js';
import { killAll, startNode } from '../../helpers/processes.js';
import { closeServer, socketCalls } from '../../helpers/reuseport.js';

const calls = socketCalls();
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
  await killAll();
});

function listenPlain(host: string): Promise<number> {
  const s = new Server();
  servers.push(s);
  return new Promise((resolve) => s.listen(0, host, () => resolve((s.address() as { port: number }).port)));
}

function inUse(host: string, port: number): unknown {
  try {
    claimPort(calls, host, port);
  } catch (err) {
    return err;
  }
  return null;
}

describe('claiming the port before opening a reuseport group', () => {
  it('returns the port the kernel chose for port 0, and the port is then free for the group', () => {
    const claimed = claimPort(calls, '127.0.0.1', 0);
    expect(claimed).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(claimed.port).toBeGreaterThan(0);
    const group = ReuseportGroup.open(calls, { host: '127.0.0.1', port: claimed.port, slots: 2, seed: 0 });
    expect(group.address.port).toBe(claimed.port);
    group.close();
  });

  it('refuses a port a plain listener holds, with the error net.Server#listen gives', async () => {
    const port = await listenPlain('127.0.0.1');
    const err = inUse('127.0.0.1', port) as SocketCallError;
    expect(err).toBeInstanceOf(SocketCallError);
    expect(err).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port });
    expect(err.message).toBe(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
  });

  it("refuses 127.0.0.1 when another listener holds 0.0.0.0, and '::' when one holds 127.0.0.1", async () => {
    const any = await listenPlain('0.0.0.0');
    expect(inUse('127.0.0.1', any)).toMatchObject({ code: 'EADDRINUSE' });
    const local = await listenPlain('127.0.0.1');
    expect(inUse('::', local)).toMatchObject({ code: 'EADDRINUSE' });
  });

  it("refuses a port where another process's SO_REUSEPORT group of the same user listens (it would join it silently)", async () => {
    const other = startNode(fileURLToPath(new URL('../../fixtures/reuseport-holder.js', import.meta.url)));
    const [, port] = await other.line(/^listening (\d+)$/, 20_000);
    // Joining would succeed: same user, SO_REUSEPORT on both sides.
    const joined = ReuseportGroup.open(calls, { host: '127.0.0.1', port: Number(port), slots: 1, seed: 0 });
    joined.close();
    expect(inUse('127.0.0.1', Number(port))).toMatchObject({ code: 'EADDRINUSE', port: Number(port) });
  });

  it('refuses what is not an IP literal', () => {
    expect(() => claimPort(calls, 'localhost', 0)).toThrow(/IP literal/);
    expect(() => claimPort(calls, 'fe80::1%lo', 0)).toThrow(/IP literal/);
  });
});
