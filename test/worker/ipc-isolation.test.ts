import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll, type Started } from '../helpers/processes.js';
import { startLegacyApp } from '../helpers/legacy-app.js';
import { waitFor } from '../helpers/wait-for.js';


describe("the balancer's IPC is invisible to the app", () => {
  let app: Started;
  let port: number;

  beforeAll(async () => {
    ({ app, port } = await startLegacyApp({ APP: 'http', FORM: 'num', WORKERS: '2' }));
  });
  afterAll(killAll);

  it("neither process.on('message') in workers nor worker.on('message') in the primary sees balancer traffic", async () => {
    for (const addr of loopbackAddresses(40)) await get(port, addr);
    const appMessages = () => app.lines.filter((l) => l.startsWith('APPMSG ')).map((l) => JSON.parse(l.slice(7)));
    // Each worker got the app's 'ping' and answered once; nothing else crossed either way.
    await waitFor(() => appMessages().length >= 2, 5000, 'both pongs');
    expect(appMessages().map((m) => m.app)).toEqual(['pong', 'pong']);
  });
});
