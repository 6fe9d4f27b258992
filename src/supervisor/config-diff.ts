import { isDeepStrictEqual } from 'node:util';
import type { ResolvedConfig } from '../config/types.js';

/** What a running supervisor cannot change: the ports it holds, how it routes, its slots, its name. */
export const RESTART_ONLY_KEYS = ['name', 'host', 'port', 'routing', 'workers', 'broadcast', 'metrics'] as const;

/** One line per restart-only key whose value differs, e.g. `port: 3000 -> 3001`. */
export function restartOnlyChanges(running: ResolvedConfig, next: ResolvedConfig): string[] {
  const out: string[] = [];
  for (const key of RESTART_ONLY_KEYS) {
    if (isDeepStrictEqual(running[key], next[key])) continue;
    const change = `${key}: ${JSON.stringify(running[key])} -> ${JSON.stringify(next[key])}`;
    // A number of workers can change live; "auto" is resolved to a number before this.
    out.push(key === 'workers'
      ? `${change} is not applied by a reload; sticky scale ${next.workers} changes it live`
      : `${change} needs a restart (sticky stop, then sticky start); not applied`);
  }
  return out;
}

/** `next` with the restart-only keys kept as they run now. */
export function reloadableConfig(running: ResolvedConfig, next: ResolvedConfig): ResolvedConfig {
  const out = { ...next };
  for (const key of RESTART_ONLY_KEYS) (out as Record<string, unknown>)[key] = running[key];
  return out;
}
