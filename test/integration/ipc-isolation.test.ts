import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll, startNode, type Started } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait-for.js';

const FIXTURE = resolve(__dirname, '../fixtures/legacy-app.js');

describe("the balancer's IPC is invisible to the app", () => {
  let app: Started;
  let port: number;

  beforeAll(async () => {
    app = startNode(FIXTURE, [], { APP: 'http', FORM: 'num', WORKERS: '2' });
    port = Number((await app.line(/^LISTENING (\d+)$/))[1]);
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
