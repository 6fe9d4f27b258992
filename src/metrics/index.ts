import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import type { PrimaryServer } from '../primary/primary-server.js';
import type { StatusSnapshot } from '../control/protocol.js';
import type { EventLog } from '../supervisor/event-log.js';
import { registerSeries, type ScrapeView } from './series.js';
import { listenMetrics, metricsServer } from './server.js';
import { SlotHistory } from './slot-history.js';

/** What the exporter reads: the supervisor's pieces, never its internals. */
export interface MetricsSource {
  /** Reads the primary synchronously, when called; only figures from /proc are awaited. */
  status(): Promise<StatusSnapshot>;
  readonly balancer: PrimaryServer;
  readonly events: EventLog;
}

export interface MetricsAddress {
  host: string;
  port: number;
}

/**
 * Prometheus text at http://host:port/metrics, in the primary only. Each scrape takes one
 * status snapshot and renders every series from it; the only per-connection work is the
 * hand-off histogram's observe.
 */
export class MetricsExporter {
  private constructor(
    private readonly server: Server,
    readonly address: MetricsAddress,
    private readonly detach: () => void,
  ) {}

  /** Must be opened before the pool forks, so every exited worker's connections are counted. */
  static async open(config: MetricsAddress, source: MetricsSource, onError: (err: Error) => void): Promise<MetricsExporter> {
    const registry = new Registry();
    const history = new SlotHistory(source.balancer.pool);
    source.events.subscribe(history.onEvent);
    let view: ScrapeView | undefined;
    const handoff = registerSeries(registry, () => view!);
    const dispatcher = source.balancer.dispatcher;
    const scrape = async (): Promise<{ contentType: string; body: string }> => {
      // status() reads the primary when called (only /proc is awaited): what is read here in
      // the same tick is of the same instant, so sums match it. Every collect() runs
      // synchronously inside registry.metrics(), so a concurrent scrape replacing `view`
      // cannot mix into this one.
      const snapshot = source.status();
      const rest = {
        retiredConnections: [...history.retiredConnections],
        rejectedByReason: new Map(dispatcher.rejectedByReason),
        reloads: { ...history.reloads },
        pending: source.balancer.pendingCount,
      };
      view = { status: await snapshot, ...rest };
      return { contentType: registry.contentType, body: await registry.metrics() };
    };
    const server = metricsServer(scrape, onError);
    const bound = await listenMetrics(server, config.host, config.port, onError);
    dispatcher.onHandoff = (ms) => handoff.observeMs(ms);
    return new MetricsExporter(server, { host: config.host, port: bound.port }, () => {
      dispatcher.onHandoff = undefined;
      registry.clear();
    });
  }

  close(): Promise<void> {
    this.detach();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
