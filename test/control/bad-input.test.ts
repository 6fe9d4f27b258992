import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/processes.js';
import { startSupervisor } from '../helpers/supervisor.js';

describe('bad input on the control socket', () => {
  afterAll(killAll);

  it('answers each bad request with a STICKY_PROTOCOL error, cuts an oversized line, and keeps serving', async () => {
    const sup = await startSupervisor({ workers: 1 });
    const c = await sup.control();
    const cases: [line: string, id: number, message: RegExp][] = [
      ['not json\n', 0, /^request is not JSON/],
      ['[1,2]\n', 0, /^request is not a JSON object/],
      ['{"v":2,"id":7,"method":"status"}\n', 7, /^protocol version 2 is not supported; this supervisor speaks version 1/],
      ['{"v":1,"id":8,"method":"explode"}\n', 8, /^method: "explode" is not one of status, subscribe, reload, stop, ping/],
      ['{"v":1,"id":"x","method":"ping"}\n', 0, /^id: "x" is not an integer/],
    ];
    for (const [line, id, message] of cases) {
      expect(await c.sendRaw(line, id)).toEqual({ v: 1, id, ok: false, error: { code: 'STICKY_PROTOCOL', message: expect.stringMatching(message) } });
    }
    // The same connection still works after all that.
    expect(await c.request('ping')).toMatchObject({ ok: true, result: { pid: sup.proc.pid, name: sup.config.name, protocol: 1 } });

    const flood = await sup.control();
    const closed = new Promise((resolve) => flood.socket.once('close', resolve));
    expect(await flood.sendRaw('x'.repeat(100 * 1024), 0)).toMatchObject({ ok: false, error: { code: 'STICKY_PROTOCOL', message: expect.stringMatching(/longer than 65536 bytes/) } });
    await closed;

    expect((await sup.status()).workers[0]!.state).toBe('online');
    c.close();
  });
});
