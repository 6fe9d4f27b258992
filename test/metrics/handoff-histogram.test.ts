// The hand-off histogram's counting: le is inclusive, past the last bound is +Inf, the
// sum is in seconds, and what it renders through prom-client is a valid histogram.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HandoffHistogram } from '../../src/metrics/handoff-histogram.js';
import { parseExposition, sampleValue } from '../helpers/prometheus-text.js';

async function render(h: HandoffHistogram): Promise<ReturnType<typeof parseExposition>> {
  const registry = new Registry();
  registry.registerMetric(h.asMetric());
  return parseExposition(await registry.metrics());
}

describe('HandoffHistogram', () => {
  it('a value equal to a bound is in that bucket; one past the last bound only in +Inf', async () => {
    const h = new HandoffHistogram('h_seconds', 'A test.', [1, 10]);
    for (const ms of [0, 1, 1.0001, 10, 10.5, 5000]) h.observeMs(ms);
    const families = await render(h);
    expect(families.get('h_seconds')).toMatchObject({ type: 'histogram', help: 'A test.' });
    expect(sampleValue(families, 'h_seconds_bucket', { le: '0.001' })).toBe(2);
    expect(sampleValue(families, 'h_seconds_bucket', { le: '0.01' })).toBe(4);
    expect(sampleValue(families, 'h_seconds_bucket', { le: '+Inf' })).toBe(6);
    expect(sampleValue(families, 'h_seconds_count')).toBe(6);
    expect(sampleValue(families, 'h_seconds_sum')).toBeCloseTo(5.0225001, 9);
  });

  it('empty, and after reset: every bucket 0', async () => {
    const h = new HandoffHistogram('h_seconds', 'A test.');
    expect(sampleValue(await render(h), 'h_seconds_count')).toBe(0);
    h.observeMs(3);
    h.reset();
    const families = await render(h);
    expect(families.get('h_seconds')!.samples.every((s) => s.value === 0)).toBe(true);
    expect(families.get('h_seconds')!.samples.filter((s) => s.name === 'h_seconds_bucket')).toHaveLength(15);
  });
});
