import cluster from 'node:cluster';
import type { Server } from 'node:net';
import type * as PrimarySide from './primary/primary-server.js';
import type * as WorkerSide from './worker/adopt.js';
import { checkListenWorkers, parseLegacyArgs, resolveServer, type LegacyOptions, type ServerOrFactory } from './legacy/options.js';
import type { Supervisor } from './supervisor/index.js';
import * as configDefine from './config/define.js';
import type * as configTypes from './config/types.js';

// Each role loads only its own side: the worker side pulls in node:tls, ~9 MiB of RSS the
// primary has no use for.
const primarySide = (): typeof PrimarySide => require('./primary/primary-server.js') as typeof PrimarySide;
const workerSide = (): typeof WorkerSide => require('./worker/adopt.js') as typeof WorkerSide;

if (cluster.isWorker) workerSide().setWorkerEnv();

/**
 * The original API. In the primary returns the balancer (a net.Server: call listen() on
 * it); in a worker returns the app's server, whose listen() only calls the callback.
 *
 *   sticky(server) | sticky(factory) | sticky(num, x) | sticky(options, x)
 */
function sticky(serverOrFactory: ServerOrFactory): Server;
function sticky(num: number, serverOrFactory: ServerOrFactory): Server;
function sticky(options: LegacyOptions, serverOrFactory: ServerOrFactory): Server;
function sticky(first: unknown, second?: unknown): Server {
  const parsed = parseLegacyArgs(first, second);
  if (cluster.isPrimary) {
    const primary = new (primarySide().PrimaryServer)({ workers: parsed.num, routing: parsed.routing });
    primary.pool.start();
    return primary;
  }
  return workerSide().adoptServer(resolveServer(parsed.serverOrFactory), { sync: parsed.sync });
}

namespace sticky {
  /** Options of sticky-session 1.x's listen(). */
  export interface ListenOptions {
    workers?: number;
    env?: Record<string, string | number | boolean | undefined>;
  }

  /**
   * sticky-session 1.x's API: in the primary forks the workers, listens on `port` and
   * returns false (cluster.workers is filled when it returns); in a worker adopts `server`
   * and returns true.
   */
  export function listen(server: Server, port: number, options: ListenOptions = {}): boolean {
    if (cluster.isPrimary) {
      const workers = checkListenWorkers(options.workers);
      const primary = new (primarySide().PrimaryServer)({ workers, env: options.env });
      primary.pool.start();
      primary.once('listening', () => server.emit('listening'));
      primary.listen(port);
      return false;
    }
    workerSide().adoptServer(server);
    return true;
  }

  export type Options = LegacyOptions;

  /**
   * Runs the supervisor (what `sticky start` does); see supervisor/index.ts. Takes what a
   * user writes in sticky.config.ts (validated, defaults applied, relative paths against the
   * current folder) or an already resolved config. Loaded on first use, so workers that
   * require this package never load the supervisor's modules.
   */
  export async function start(config: StickyConfig | ResolvedConfig, reloadConfig?: () => Promise<ResolvedConfig>): Promise<Supervisor> {
    const resolved = 'configFile' in config ? config : (await import('./config/resolve.js')).resolveConfig(config);
    return (await import('./supervisor/index.js')).start(resolved, reloadConfig);
  }

  /** Types and completes `sticky.config.ts`: `export default defineConfig({ script: './server.js' })`. */
  export import defineConfig = configDefine.defineConfig;
  export type StickyConfig = configTypes.StickyConfig;
  export type ResolvedConfig = configTypes.ResolvedConfig;
  export type RoutingConfig = configTypes.RoutingConfig;
}

export = sticky;
