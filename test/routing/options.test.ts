import https from 'node:https';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { resolveRouting } from '../../src/routing/options.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { RejectLog } from '../../src/balancer/reject-log.js';
import { parseLegacyArgs } from '../../src/legacy/options.js';
import { StickyConfigError } from '../../src/errors.js';
import { waitFor } from '../helpers/proxy-harness.js';

const problems = (f: () => unknown): string[] => {
  try { f(); } catch (e) { if (e instanceof StickyConfigError) return e.problems; throw e; }
  return [];
};

describe('resolveRouting', () => {
  it('defaults to ip and fills header defaults', () => {
    expect(resolveRouting(undefined)).toMatchObject({ by: 'ip', seed: 0, maxPending: 10_000 });
    expect(resolveRouting({ by: 'header', header: 'X-Real-IP' })).toEqual({
      by: 'header', header: 'x-real-ip', seed: DEFAULTS.routing.seed, maxPending: DEFAULTS.routing.maxPending,
      trustedHops: 1, ignoreMissingHeader: false, headerTimeoutMs: 10_000, maxHeaderBytes: 16_384,
    });
  });

  it('lets routing fields win over the top-level ones', () => {
    expect(resolveRouting({ by: 'proxy-protocol', seed: 7 }, { seed: 3, maxPending: 5 })).toMatchObject({ seed: 7, maxPending: 5 });
  });

  it('reports every problem with its key', () => {
    expect(problems(() => resolveRouting({ by: 'header', trustedHops: 1.5, headerTimeoutMs: -1, ignoreMissingHeader: 'yes' as unknown as boolean }))).toEqual([
      'routing.trustedHops: 1.5 is not an integer from 1 to 64',
      'routing.headerTimeoutMs: -1 is not an integer from 1 to 3600000',
      'routing.ignoreMissingHeader: "yes" is not true or false',
    ]);
    expect(problems(() => resolveRouting({ by: 'hedaer' } as never))).toEqual(['routing.by: "hedaer" is not one of ip, header, proxy-protocol (did you mean "header"?)']);
  });
});

describe('legacy options', () => {
  const factory = (): http.Server => http.createServer();

  it('maps proxy: true, header and ignoreMissingHeader to header routing', () => {
    expect(parseLegacyArgs({ proxy: true, num: 2 }, factory).routing).toEqual({ by: 'header', header: undefined, ignoreMissingHeader: undefined });
    expect(parseLegacyArgs({ proxy: true, header: 'CF-Connecting-IP', ignoreMissingHeader: true }, factory).routing)
      .toEqual({ by: 'header', header: 'CF-Connecting-IP', ignoreMissingHeader: true });
  });

  it('ignores header options without proxy: true, as the original did', () => {
    expect(parseLegacyArgs({ header: 'x-real-ip' }, factory).routing).toBeUndefined();
  });

  it('reads sync from isSynced (README) and isSyncable (code)', () => {
    expect(parseLegacyArgs({ proxy: true, sync: { isSynced: true, event: 'e' } }, factory).sync).toEqual({ event: 'e' });
    expect(parseLegacyArgs({ proxy: true, sync: { isSyncable: true } }, factory).sync).toEqual({ event: 'sticky-sessions:syn' });
    expect(parseLegacyArgs({ proxy: true, sync: { isSyncable: false, event: 'e' } }, factory).sync).toBeUndefined();
  });

  it('refuses an empty header name and a TLS server with proxy: true', () => {
    expect(problems(() => parseLegacyArgs({ proxy: true, header: ' ' }, factory))).toEqual(['header: " " is not an HTTP header name']);
    const tlsServer = https.createServer();
    expect(problems(() => parseLegacyArgs({ proxy: true }, tlsServer))[0]).toMatch(/use "ip" or "proxy-protocol"/);
    expect(parseLegacyArgs({ num: 1 }, tlsServer).routing).toBeUndefined();
  });
});

describe('RejectLog', () => {
  it('logs the first rejection, then one summary per interval', async () => {
    const lines: [object, string][] = [];
    const log = new RejectLog({ warn: (obj, msg) => lines.push([obj, msg]) }, 50);
    log.record('timeout', 'no key in 10 ms', '127.0.0.2');
    for (let i = 0; i < 100; i++) log.record(i % 2 ? 'not-http' : 'timeout', 'x', undefined);
    expect(lines).toHaveLength(1);
    await waitFor(() => lines.length === 2, 2000, 'the summary line');
    expect(lines[1]![0]).toEqual({ rejected: { timeout: 50, 'not-http': 50 } });
    log.stop();
  });
});
