import { afterAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses, pollingClient, connected, whoami } from '../helpers/clients.js';
import { killAll } from '../helpers/processes.js';
import { spawnSupervisor, startSupervisor, writeScript } from '../helpers/supervisor.js';

const HANDLER = `(req, res) => res.end(JSON.stringify({ pid: process.pid, slot: process.env.STICKY_WORKER_SLOT, instance: process.env.NODE_APP_INSTANCE, form: process.env.FORM }))`;

const FORMS: Record<string, [file: string, text: string]> = {
  'an ESM default export returning a promise (async set-up)': ['app.mjs', `
    import http from 'node:http';
    export default async function () {
      await new Promise((r) => setTimeout(r, 200));
      return http.createServer(${HANDLER});
    }
  `],
  "TypeScript's CommonJS output (exports.default)": ['app.js', `
    Object.defineProperty(exports, '__esModule', { value: true });
    exports.default = () => require('node:http').createServer(${HANDLER});
  `],
  'a script that calls sticky() itself, after async set-up': ['app.js', `
    const sticky = require('socketio-sticky-session');
    setTimeout(() => {
      sticky(require('node:http').createServer(${HANDLER})).listen(3000, () => console.log('LISTEN_CB ' + process.pid));
    }, 100);
  `],
  'a script that calls sticky() and also has a default export (not called)': ['app.js', `
    const sticky = require('socketio-sticky-session');
    const server = require('node:http').createServer(${HANDLER});
    sticky(server).listen(3000);
    module.exports = () => { throw new Error('the default export must not be called'); };
  `],
};

describe('worker scripts in every supported form', () => {
  afterAll(killAll);

  for (const [form, [file, text]] of Object.entries(FORMS)) {
    it(`serves ${form}`, async () => {
      const sup = await startSupervisor({ script: writeScript(file, text), workers: 1, env: { FORM: form } });
      const status = await sup.status();
      expect(status.workers).toMatchObject([{ slot: 0, state: 'online' }]);
      for (const addr of loopbackAddresses(3)) {
        // NODE_APP_INSTANCE: PM2's name for the slot, for apps written for PM2.
        expect(await get(sup.port, addr)).toMatchObject({ pid: status.workers[0]!.pid, form, slot: '0', instance: '0' });
      }
      expect(status.events!.filter((e) => e.level === 'error')).toEqual([]);
    });
  }

  it('takes a socket.io Server returned by the factory by its http server', async () => {
    const script = writeScript('app.js', `
      const { Server } = require('socket.io');
      module.exports = () => {
        const io = new Server(require('node:http').createServer());
        io.on('connection', (s) => s.on('whoami', (ack) => ack({ pid: process.pid })));
        return io;
      };
    `);
    const sup = await startSupervisor({ script, workers: 1 });
    const client = pollingClient(`http://127.0.0.1:${sup.port}`, '127.0.0.2');
    try {
      await connected(client);
      expect((await whoami(client)).pid).toBe((await sup.status()).workers[0]!.pid);
    } finally {
      client.close();
    }
  });

  it('fails a default export that is not a server with a message naming the script', async () => {
    const script = writeScript('app.js', 'module.exports = () => 42;\n');
    // No worker can come online: the start itself fails, with the worker's error.
    const sup = spawnSupervisor({ script, workers: 1, restart: { maxBackoffMs: 60_000 }, reload: { readyTimeoutMs: 3000 } });
    expect(await sup.proc.exited).toEqual({ code: 2, signal: null });
    const stderr = sup.proc.stderr.join('');
    expect(stderr).toContain('START_FAILED STICKY_WORKER: no worker came online within 3000 ms (reload.readyTimeoutMs)');
    expect(stderr).toContain(`exited with code 1: Error: ${script}: the default export must be a server or a function returning one`);
    expect(stderr).toContain('got number');
  });
});
