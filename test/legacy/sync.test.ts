// The original `sync` option: the bytes the primary read wait in the worker until the app
// emits `event`, on the socket (the original code) or on the server (the README example).
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseResponses, rawExchange, startFixture, type AppReply, type Fixture } from '../helpers/proxy-harness.js';

// How long the app takes to emit the sync event after a connection arrives.
const DELAY_MS = 400;
let app: Fixture | undefined;
afterEach(async () => { await app?.stop(); app = undefined; });

const post = (body: Buffer, path = '/sync'): Buffer => Buffer.concat([Buffer.from(
  `POST ${path} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.10\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]);

/** The app's reply, and whether the sync event had been emitted when the request reached it. */
async function syncedReply(pieces: Buffer[]): Promise<{ afterEvent: boolean; reply: AppReply }> {
  const [r] = parseResponses(await rawExchange(app!.port, pieces));
  const flag = /\r\nx-sync-emitted: ([01])/i.exec(r!.head)?.[1];
  return { afterEvent: flag === '1', reply: JSON.parse(r!.body) as AppReply };
}

describe('sync', () => {
  it('holds a connection until the event is emitted on its socket (isSyncable)', async () => {
    app = await startFixture('legacy-proxy-server.js', {
      STICKY_OPTIONS: JSON.stringify({ proxy: true, num: 2, sync: { isSyncable: true, event: 'ready-now' } }),
      STICKY_SYNC_SOCKET_DELAY_MS: String(DELAY_MS),
    });
    const body = randomBytes(256 * 1024);
    // The body's tail arrives after the primary handed the connection over, while it waits.
    const all = post(body);
    const { afterEvent, reply } = await syncedReply([all.subarray(0, 2000), all.subarray(2000)]);
    expect(afterEvent).toBe(true);
    expect(reply.sha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('releases every waiting connection when the event is emitted on the server (isSynced)', async () => {
    app = await startFixture('legacy-proxy-server.js', {
      STICKY_OPTIONS: JSON.stringify({ proxy: true, num: 1, sync: { isSynced: true, event: 'mySyncEventCall' } }),
      STICKY_SYNC_SERVER_DELAY_MS: String(DELAY_MS),
    });
    const bodies = [1, 2, 3].map((i) => randomBytes(1000 * i));
    const replies = await Promise.all(bodies.map((b, i) => syncedReply([post(b, `/w${i}`)])));
    for (const [i, { afterEvent, reply }] of replies.entries()) {
      expect(afterEvent).toBe(true);
      expect(reply.url).toBe(`/w${i}`);
      expect(reply.sha256).toBe(createHash('sha256').update(bodies[i]!).digest('hex'));
    }
  });

  it('does not wait without sync', async () => {
    app = await startFixture('legacy-proxy-server.js', { STICKY_OPTIONS: JSON.stringify({ proxy: true, num: 1 }) });
    const [r] = parseResponses(await rawExchange(app!.port, [post(Buffer.from('x'))]));
    expect(r!.head).not.toMatch(/x-sync-emitted/i);
    expect((JSON.parse(r!.body) as AppReply).bytes).toBe(1);
  });
});
