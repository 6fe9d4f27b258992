// Kernel accept in ip mode with real processes: the kernel steers each address to its slot's
// socket and the workers accept; the same address lands on the same slot as under primary
// accept; a worker killed under load loses nothing; a failing self-test falls back, said once.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotOfAddress } from '../../src/balancer/kernel/steer-program.js';
import { KERNEL_FAULT_ENV } from '../../src/balancer/kernel/socket-calls.js';
import { loopbackAddresses } from '../helpers/clients.js';
import { request, startFixture, waitFor, type AppReply, type Fixture } from '../helpers/proxy-harness.js';

const WORKERS = 3;
const steer = { slots: WORKERS, seed: 0 };
let kernel: Fixture;
let primary: Fixture;

beforeAll(async () => {
  [kernel, primary] = await Promise.all([
    startFixture('routing-server.js', { STICKY_WORKERS: String(WORKERS), STICKY_ROUTING: '{"by":"ip","accept":"kernel"}' }),
    startFixture('routing-server.js', { STICKY_WORKERS: String(WORKERS), STICKY_ROUTING: '{"by":"ip","accept":"primary"}' }),
  ]);
});
afterAll(async () => {
  await Promise.all([kernel?.stop(), primary?.stop()]);
});

const slotAt = async (f: Fixture, localAddress: string): Promise<number> => (await request(f.port, { localAddress })).json<AppReply>().slot;

function getFrom(host: string, port: number, localAddress: string): Promise<AppReply> {
  return new Promise((resolve, reject) => {
    http.get({ host, port, localAddress, agent: false, path: '/' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve(JSON.parse(body) as AppReply));
    }).on('error', reject).setTimeout(10_000, function (this: http.ClientRequest) { this.destroy(new Error('timed out')); });
  });
}

describe('kernel accept (routing.accept "kernel")', () => {
  it('reports accept "kernel" and keeps every address on its slot, the one primary accept picks too', async () => {
    expect((await kernel.status()).accept).toBe('kernel');
    expect((await primary.status()).accept).toBe('primary');
    const seen = new Set<number>();
    for (const addr of loopbackAddresses(30)) {
      const expected = slotOfAddress(addr, steer);
      const got = [await slotAt(kernel, addr), await slotAt(kernel, addr), await slotAt(primary, addr)];
      expect([addr, got]).toEqual([addr, [expected, expected, expected]]);
      seen.add(expected);
    }
    expect(seen.size).toBe(WORKERS);
  });

  it('counts the connections its workers accepted in their status rows', async () => {
    const before = (await kernel.status()).workers.reduce((n, w) => n + w.total, 0);
    for (const addr of loopbackAddresses(6, 40)) await slotAt(kernel, addr);
    await waitFor(async () => (await kernel.status()).workers.reduce((n, w) => n + w.total, 0) >= before + 6, 10_000, 'worker totals');
  });

  it('fails no request begun after a worker is killed -9 under load: the primary takes its socket until it is back', async () => {
    const victim = (await kernel.status()).workers.find((w) => w.slot === 1)!;
    const addresses = loopbackAddresses(24, 60);
    // A request the victim had already accepted dies with it (kill -9 takes its sockets), in
    // either accept mode; no request begun after the kill may fail. The flag is read when the
    // request begins.
    const failures: { addr: string; afterKill: boolean; err: string }[] = [];
    let killed = false;
    let served = 0;
    let stop = false;
    const loop = async (addr: string): Promise<void> => {
      while (!stop) {
        const afterKill = killed;
        try {
          await request(kernel.port, { localAddress: addr });
          served++;
        } catch (err) {
          failures.push({ addr, afterKill, err: String(err) });
        }
      }
    };
    const loops = addresses.map(loop);
    await waitFor(() => served > 50, 20_000, 'load before the kill');
    process.kill(victim.pid, 'SIGKILL');
    killed = true;
    await waitFor(async () => (await kernel.status()).workers.some((w) => w.slot === 1 && w.pid !== victim.pid && w.state === 'online'), 30_000, 'slot 1 back');
    const atReturn = served;
    await waitFor(() => served > atReturn + 50, 20_000, 'load after the return');
    stop = true;
    await Promise.all(loops);
    expect(failures.filter((f) => f.afterKill)).toEqual([]);
    expect(failures.filter((f) => slotOfAddress(f.addr, steer) !== 1)).toEqual([]);
    // Back in place: slot 1's addresses reach slot 1 again.
    const addr = loopbackAddresses(120).find((a) => slotOfAddress(a, steer) === 1)!;
    expect(await slotAt(kernel, addr)).toBe(1);
  });

  it('serves ::1 on a dual-stack group by its IPv6 address, and IPv4 clients by theirs', async () => {
    const dual = await startFixture('routing-server.js', {
      STICKY_WORKERS: String(WORKERS), STICKY_ROUTING: '{"by":"ip","accept":"kernel"}', STICKY_HOST: '::',
    });
    try {
      expect((await getFrom('::1', dual.port, '::1')).slot).toBe(slotOfAddress('::1', steer));
      for (const addr of loopbackAddresses(8)) {
        const reply = await getFrom('127.0.0.1', dual.port, addr);
        expect([addr, reply.slot, reply.remoteAddress]).toEqual([addr, slotOfAddress(addr, steer), `::ffff:${addr}`]);
      }
    } finally {
      await dual.stop();
    }
  });
});

describe('a kernel accept that cannot start', () => {
  it('refuses to start with routing.accept "kernel" when the self-test fails, saying why', async () => {
    await expect(startFixture('routing-server.js', {
      STICKY_WORKERS: String(WORKERS), STICKY_ROUTING: '{"by":"ip","accept":"kernel"}', [KERNEL_FAULT_ENV]: 'bad-program',
    }, 15_000)).rejects.toThrow(/routing\.accept is "kernel" but the self-test failed: a connection from 127\.\S+ reached slot 0/);
  });

  it('auto accepts in the primary in this release and routes every address to the same slot', async () => {
    const f = await startFixture('routing-server.js', { STICKY_WORKERS: String(WORKERS), STICKY_ROUTING: '{"by":"ip"}' });
    try {
      expect((await f.status()).accept).toBe('primary');
      for (const addr of loopbackAddresses(6)) expect(await slotAt(f, addr)).toBe(slotOfAddress(addr, steer));
    } finally {
      await f.stop();
    }
  });
});
