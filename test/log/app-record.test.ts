import { expect, test } from 'vitest';
import { appRecord, appRecordJson, formatLogRecord } from '../../src/log/app-record.js';
import { LogRing } from '../../src/log/log-ring.js';

test('a plain line is the message; stderr lines are errors', () => {
  expect(appRecord(1, 42, 'stdout', 'hello', 5)).toEqual({ time: 5, level: 'info', kind: 'app', slot: 1, pid: 42, stream: 'stdout', msg: 'hello' });
  expect(appRecord(1, 42, 'stderr', 'oops', 5).level).toBe('error');
});

test("the app's JSON object line stays an object; its msg is the message", () => {
  const r = appRecord(0, 7, 'stdout', '{"level":30,"msg":"up","port":3000}', 5);
  expect(r.json).toEqual({ level: 30, msg: 'up', port: 3000 });
  expect(r.msg).toBe('up');
  expect(appRecord(0, 7, 'stdout', '{"message":"m"}').msg).toBe('m');
  expect(appRecord(0, 7, 'stdout', '{"a":1}').msg).toBe('');
  // Not an object, or not JSON: a plain line.
  expect(appRecord(0, 7, 'stdout', '{not json').json).toBeUndefined();
  expect(appRecord(0, 7, 'stdout', '[1]').json).toBeUndefined();
});

test('NDJSON: one line, pino levels, the worker pid as pid', () => {
  const line = appRecordJson(appRecord(2, 99, 'stderr', 'x', 5), 'chat');
  expect(line.endsWith('\n')).toBe(true);
  expect(line.indexOf('\n')).toBe(line.length - 1);
  expect(JSON.parse(line)).toEqual({ level: 50, time: 5, name: 'chat', kind: 'app', slot: 2, pid: 99, stream: 'stderr', msg: 'x' });
});

test('readable line: time, slot|pid, stream or level, text', () => {
  expect(formatLogRecord(appRecord(0, 12, 'stdout', 'hi', Date.UTC(2026, 0, 1, 10, 2, 3, 4)), false)).toBe('10:02:03.004  0|12    out    hi\n');
  expect(formatLogRecord({ time: 0, level: 'warn', kind: 'worker-crash', msg: 'gone' }, false)).toBe('00:00:00.000  sticky  WARN   gone\n');
  expect(formatLogRecord(appRecord(0, 1, 'stdout', '{"a":1}', 0), false)).toContain('{"a":1}');
});

test('LogRing keeps the last records in order and tells subscribers', () => {
  const ring = new LogRing(3);
  const seen: string[] = [];
  const stop = ring.subscribe((r) => seen.push(r.msg));
  for (const msg of ['a', 'b', 'c', 'd']) ring.push({ time: 0, level: 'info', kind: 'app', msg });
  expect(ring.last(10).map((r) => r.msg)).toEqual(['b', 'c', 'd']);
  expect(ring.last(2).map((r) => r.msg)).toEqual(['c', 'd']);
  expect(ring.last(0)).toEqual([]);
  stop();
  ring.push({ time: 0, level: 'info', kind: 'app', msg: 'e' });
  expect(seen).toEqual(['a', 'b', 'c', 'd']);
});
