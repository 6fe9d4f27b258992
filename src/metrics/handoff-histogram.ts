import type { Metric } from 'prom-client';

/** What prom-client's registry reads from a metric's get() (its typings differ from its runtime). */
interface RenderedMetric {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: { metricName: string; labels: Record<string, string | number>; value: number }[];
}

/** From a fast local hand-off (tens of µs) to a worker stalled for a second. */
export const HANDOFF_BUCKETS_MS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000];

/**
 * The primary's send-to-ack histogram, observed once per connection, so kept as bare
 * counts: prom-client's Histogram#observe (label hashing, object look-ups) cost about 2.5×
 * the instructions of the two clock reads around it. It renders through prom-client's
 * registry like any metric (the get() shape Registry#getMetricsAsString reads), in seconds.
 */
export class HandoffHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  /** Per bucket, not cumulative; the last one is +Inf. */
  private readonly counts: Float64Array;
  private sumMs = 0;

  constructor(readonly name: string, readonly help: string, private readonly boundsMs: readonly number[] = HANDOFF_BUCKETS_MS) {
    this.counts = new Float64Array(boundsMs.length + 1);
  }

  observeMs(ms: number): void {
    const bounds = this.boundsMs;
    let i = 0;
    while (i < bounds.length && ms > bounds[i]!) i++;
    this.counts[i]!++;
    this.sumMs += ms;
  }

  async get(): Promise<RenderedMetric> {
    const values: RenderedMetric['values'] = [];
    let cumulative = 0;
    for (let i = 0; i < this.counts.length; i++) {
      cumulative += this.counts[i]!;
      const le = i < this.boundsMs.length ? this.boundsMs[i]! / 1000 : '+Inf';
      values.push({ metricName: `${this.name}_bucket`, labels: { le }, value: cumulative });
    }
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.sumMs / 1000 });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: cumulative });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.counts.fill(0);
    this.sumMs = 0;
  }

  /** For Registry#registerMetric, whose type lists only prom-client's own classes. */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}
