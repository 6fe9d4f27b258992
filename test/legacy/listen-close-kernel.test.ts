// The original API under kernel accept (auto on Linux): sticky(...).listen(port) binds the
// port before it returns, as the original's net.Server did, so address() answers at once and
// a client connecting before 'listening' is served by its slot's worker; close() stops the
// workers and frees the port.
import { resolve } from 'node:path';
import { Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { slotOfAddress } from '../../src/balancer/kernel/steer-program.js';
import { killAll, startNode } from '../helpers/processes.js';

const FIXTURE = resolve(__dirname, '../fixtures/legacy-listen-close.js');
const EARLY_FROM = '127.0.0.7';

describe('sticky(...).listen() under kernel accept', () => {
  afterAll(killAll);

  it('binds inside listen(): address() at once, an early client served; close() frees the port and the process exits', async () => {
    const run = startNode(FIXTURE, [], { env: { EARLY_FROM } });
    const step = async (t: string): Promise<Record<string, unknown>> => JSON.parse((await run.line(new RegExp(`^\\{"t":"${t}".*$`), 20_000))[0]) as Record<string, unknown>;
    const bound = await step('bound');
    expect(bound).toMatchObject({ returnsItself: true, listening: true });
    const port = bound.port as number;
    expect(port).toBeGreaterThan(0);
    expect(await step('listening')).toEqual({ t: 'listening', accept: 'kernel' });
    expect(await step('early')).toMatchObject({ reply: { slot: slotOfAddress(EARLY_FROM, { slots: 2, seed: 0 }) } });
    expect(await step('closed')).toEqual({ t: 'closed', listening: false, address: null });
    // Every copy of the slot sockets is gone (the workers' too): the port binds again.
    const probe = new Server();
    await new Promise<void>((ok, fail) => probe.once('error', fail).listen(port, '127.0.0.1', ok));
    await new Promise<void>((ok) => probe.close(() => ok()));
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stderr.join('')).toBe('');
  });
});
