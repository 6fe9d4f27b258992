import type { ResolvedConfig } from '../config/types.js';
import { Supervisor } from './supervisor.js';

export { Supervisor, type ReloadResult } from './supervisor.js';
export type { ReplacedWorker } from './reload.js';

/**
 * Runs the supervisor in this (primary) process, as `sticky start` does: takes the
 * control socket (refusing when an instance of the same name answers there), listens,
 * forks `config.workers` workers running `config.script`, and resolves once each has come
 * online or failed its first start. SIGHUP, file changes and `sticky reload` reload
 * (re-reading the config through `reloadConfig` when given); SIGTERM, SIGINT and
 * `sticky stop` drain every worker and end the process with exit code 0.
 */
export async function start(config: ResolvedConfig, reloadConfig?: () => Promise<ResolvedConfig>): Promise<Supervisor> {
  const supervisor = new Supervisor(config, reloadConfig);
  await supervisor.open();
  return supervisor;
}
