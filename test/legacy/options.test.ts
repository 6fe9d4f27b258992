import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { parseLegacyArgs } from '../../src/legacy/options.js';

describe("the original package's call forms", () => {
  const server = http.createServer();
  const factory = () => server;

  it('sticky(server) and sticky(factory) use one worker per core', () => {
    expect(parseLegacyArgs(server, undefined)).toMatchObject({ num: availableParallelism(), serverOrFactory: server });
    expect(parseLegacyArgs(factory, undefined)).toMatchObject({ num: availableParallelism(), serverOrFactory: factory });
  });

  it('sticky(num, x) and sticky({ num }, x)', () => {
    expect(parseLegacyArgs(3, factory).num).toBe(3);
    expect(parseLegacyArgs({ num: 5 }, server).num).toBe(5);
    expect(parseLegacyArgs({}, server).num).toBe(availableParallelism());
  });

  it('sync takes isSynced (README example) and isSyncable (README option list)', () => {
    expect(parseLegacyArgs({ sync: { isSynced: true, event: 'go' } }, server).sync).toEqual({ event: 'go' });
    expect(parseLegacyArgs({ sync: { isSyncable: true } }, server).sync).toEqual({ event: 'sticky-sessions:syn' });
    expect(parseLegacyArgs({ sync: { isSynced: false } }, server).sync).toBeUndefined();
  });

  it('fails loudly on what it cannot do, naming the option', () => {
    expect(() => parseLegacyArgs(0, server)).toThrow(/num: 0/);
    expect(() => parseLegacyArgs({ num: 1.5 }, server)).toThrow(/num: 1.5/);
    expect(() => parseLegacyArgs('4', server)).toThrow(/options must be a number or an object/);
    expect(() => parseLegacyArgs(2, 'nope')).toThrow(/server or a function/);
  });
});
