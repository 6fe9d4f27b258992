// templates/chat in headless Chromium (Debian's, driven by playwright-core): two pages whose
// X-Forwarded-For sends them to different workers (header mode), each connecting with polling
// and upgrading to a WebSocket; what one page types appears in the other (the primary relays
// the cluster adapter's broadcast), and still does after a rolling reload replaced both workers.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey, Rendezvous } from '../../src/routing/hash.js';
import { addressKey } from '../../src/routing/address.js';
import { runCli } from '../helpers/cli.js';
import { startInstance, type Instance } from '../helpers/sticky-instance.js';

const ROOT = path.resolve(__dirname, '../..');
const CHAT = path.join(ROOT, 'templates/chat/server.js');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// sandbox refuses; Playwright gives the browser a fresh, temporary --user-data-dir itself.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WORKERS = 2;
const UI_TIMEOUT_MS = 15_000;

/** Two client addresses that the primary's hash (seed 0) puts on different slots. */
function addressesOnBothSlots(): [string, string] {
  const ring = new Rendezvous(WORKERS, 0);
  const slotOf = (a: string): number => ring.pick(hashKey(addressKey(a)!, 0), () => true);
  const first = '198.51.100.1';
  for (let i = 2; i < 255; i++) {
    const other = `198.51.100.${i}`;
    if (slotOf(other) !== slotOf(first)) return [first, other];
  }
  throw new Error('no two addresses on different slots');
}

let chat: Instance;
let browser: Browser;
let pages: Page[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [chat, browser] = await Promise.all([
    startInstance({
      name: 'browser-chat',
      script: CHAT,
      routing: { by: 'header' },
      broadcast: 'cluster',
      reload: { drainTimeoutMs: 5000 },
    }, WORKERS),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 }),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await chat?.cleanUp();
});

/** What went over the wire for one page: socket.io polling requests and WebSockets opened. */
const wire = new Map<Page, { polling: number; websockets: number }>();

/** A page in a browser context of its own (its own connection pool) that claims to be `address`. */
async function openChat(address: string): Promise<Page> {
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': address } });
  const page = await context.newPage();
  const seen = { polling: 0, websockets: 0 };
  wire.set(page, seen);
  page.on('request', (r) => { if (r.url().includes('/socket.io/?') && r.url().includes('transport=polling')) seen.polling++; });
  page.on('websocket', (ws) => { if (ws.url().includes('transport=websocket')) seen.websockets++; });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  await page.goto(`http://127.0.0.1:${chat.port}/`);
  return page;
}

/** Waits until the page is connected over a WebSocket and returns the worker it shows. */
async function servedBy(page: Page, notPid?: number): Promise<{ slot: number; pid: number }> {
  await page.waitForFunction((old) => {
    const pid = Number(document.getElementById('me-pid')!.textContent);
    return pid > 0 && pid !== old
      && document.getElementById('status')!.textContent === 'connected'
      && document.getElementById('transport')!.textContent === 'websocket';
  }, notPid ?? 0);
  return page.evaluate(() => ({
    slot: Number(document.getElementById('me-slot')!.textContent),
    pid: Number(document.getElementById('me-pid')!.textContent),
  }));
}

/** Each page types a line (in `lines` order) and the other page shows it. */
async function chatBothWays(pair: Page[], lines: [string, string]): Promise<void> {
  for (const [i, text] of lines.entries()) {
    const [from, to] = i === 0 ? [pair[0]!, pair[1]!] : [pair[1]!, pair[0]!];
    await from.fill('#text', text);
    await from.press('#text', 'Enter');
    await to.locator('#messages li .text', { hasText: text }).first().waitFor();
  }
}

/** Waits until every page's live worker list shows exactly `pids`. */
async function expectWorkerList(pair: Page[], pids: number[]): Promise<void> {
  const sorted = [...pids].sort((x, y) => x - y);
  for (const page of pair) {
    await expect.poll(() => page.$$eval('#workers li', (items) => items.map((li) => Number((li as HTMLElement).dataset.pid)).sort((x, y) => x - y)), { timeout: UI_TIMEOUT_MS }).toEqual(sorted);
  }
}

describe('templates/chat in Chromium', () => {
  let before: { slot: number; pid: number }[];

  it('two pages on different workers, both upgraded to WebSocket, chat with each other', async () => {
    const [a, b] = addressesOnBothSlots();
    pages = [await openChat(a), await openChat(b)];
    before = await Promise.all(pages.map((p) => servedBy(p)));
    expect(new Set(before.map((w) => w.slot)).size).toBe(2);
    expect(before[0]!.pid).not.toBe(before[1]!.pid);
    // socket.io's handshake is a polling request; the upgrade opens the WebSocket.
    for (const p of pages) expect(wire.get(p)!.polling).toBeGreaterThan(0);
    for (const p of pages) expect(wire.get(p)!.websockets).toBe(1);

    await chatBothWays(pages, ['hello from the first page', 'and back from the second']);
    await expectWorkerList(pages, before.map((w) => w.pid));
    await pages[0]!.screenshot({ path: path.join(ARTIFACTS, 'browser-chat.png'), fullPage: true });
    expect((await chat.status()).connections.misrouted).toBe(0);
  });

  it('a rolling reload: both pages reconnect to the new workers (same slots) and keep chatting', async () => {
    const reload = await runCli(['reload', '--config', chat.configFile], { cwd: chat.dir, env: chat.env, timeoutMs: 30_000 });
    expect(reload.code, reload.stdout + reload.stderr).toBe(0);

    const after = await Promise.all(pages.map((p, i) => servedBy(p, before[i]!.pid)));
    expect(after.map((w) => w.slot)).toEqual(before.map((w) => w.slot));
    for (const p of pages) expect(wire.get(p)!.websockets).toBeGreaterThanOrEqual(2);

    await chatBothWays(pages, ['still here after the reload', 'me too']);
    await expectWorkerList(pages, after.map((w) => w.pid));
    await pages[1]!.screenshot({ path: path.join(ARTIFACTS, 'browser-chat-after-reload.png'), fullPage: true });
  });
});
