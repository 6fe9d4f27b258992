import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FATAL_REPORT_ENV } from '../../src/ipc/env.js';
import { armFatalReport, isOutOfMemory, takeFatalReport } from '../../src/ipc/fatal-report.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sticky-fatal-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fatal-error reports', () => {
  it('takes the report a worker left (header trigger and event) and removes it', () => {
    const file = path.join(dir, 'fatal-4242.json');
    writeFileSync(file, JSON.stringify({ header: { trigger: 'OOMError', event: 'Allocation failed - JavaScript heap out of memory' }, javascriptHeap: {} }));
    const report = takeFatalReport(dir, 4242);
    expect(report).toEqual({ trigger: 'OOMError', event: 'Allocation failed - JavaScript heap out of memory' });
    expect(isOutOfMemory(report!)).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it('no report: undefined; a cut-short one: still a fatal error, not out of memory', () => {
    expect(takeFatalReport(dir, 1)).toBeUndefined();
    writeFileSync(path.join(dir, 'fatal-7.json'), '{"header":{"trig');
    const cut = takeFatalReport(dir, 7)!;
    expect(cut).toEqual({ trigger: '', event: '' });
    expect(isOutOfMemory(cut)).toBe(false);
    expect(isOutOfMemory({ trigger: 'FatalError', event: 'Check failed' })).toBe(false);
  });

  it('arming without the env leaves Node\'s report settings alone', () => {
    const before = process.report.reportOnFatalError;
    armFatalReport({});
    expect(process.report.reportOnFatalError).toBe(before);
    expect(FATAL_REPORT_ENV).toBe('STICKY_FATAL_REPORT_DIR');
  });
});
