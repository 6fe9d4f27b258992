// Installed without the optional dependency (npm ci --omit=optional leaves koffi out of
// node_modules): the package loads, auto accepts in the primary, says why in one line, and
// routes every address to the slot kernel accept would have picked. The layout is the
// package's own files beside every installed dependency but koffi.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotOfAddress } from '../../src/balancer/kernel/steer-program.js';
import { get, loopbackAddresses } from '../helpers/clients.js';
import { killAll, startNode } from '../helpers/processes.js';

const ROOT = resolve(__dirname, '../..');
let dir: string;
let pkg: string;

const APP = `'use strict';
const cluster = require('node:cluster');
const http = require('node:http');
const sticky = require(process.env.PKG);
const server = sticky(2, () => http.createServer((req, res) => {
  res.end(JSON.stringify({ pid: process.pid, slot: process.env.STICKY_WORKER_SLOT }));
}));
server.listen(0, '127.0.0.1', () => {
  if (cluster.isPrimary) console.log(JSON.stringify({ port: server.address().port, accept: server.accept }));
});
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sticky-no-koffi-'));
  pkg = join(dir, 'socketio-sticky-session');
  mkdirSync(join(pkg, 'node_modules'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === 'koffi' || name.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', name), join(pkg, 'node_modules', name));
  }
  writeFileSync(join(dir, 'app.js'), APP);
});
afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('installed without koffi', () => {
  it('accepts in the primary, says why once, and keeps every address on its slot', async () => {
    expect(() => createRequire(join(pkg, 'dist', 'index.js')).resolve('koffi')).toThrow(/Cannot find module 'koffi'/);
    const app = startNode(join(dir, 'app.js'), [], { env: { PKG: pkg } });
    const ready = JSON.parse((await app.line(/^\{"port":.*$/, 20_000))[0]) as { port: number; accept: string };
    expect(ready.accept).toBe('primary');
    for (const addr of loopbackAddresses(10)) {
      expect([addr, (await get(ready.port, addr)).slot]).toEqual([addr, String(slotOfAddress(addr, { slots: 2, seed: 0 }))]);
    }
    const said = app.stderr.join('').split('\n').filter((l) => l.length > 0);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^socketio-sticky-session: accepting in the primary: the optional dependency koffi did not load \(Cannot find module 'koffi'/);
  });
});
