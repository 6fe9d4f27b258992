/**
 * The environment the primary gives each worker: with the messages in messages.ts, the whole
 * contract between the two sides. Every reader and writer of these names imports them here.
 */

/** Header-mode routing (JSON of the resolved `routing`), for the worker's misrouting check. */
export const ROUTING_ENV = 'STICKY_ROUTING';
/** Absolute path of the user's script, for the supervisor's worker entry. */
export const SCRIPT_ENV = 'STICKY_SCRIPT';
/** The supervisor instance (config `name`), for the app's own logs. */
export const NAME_ENV = 'STICKY_NAME';
/** The worker's fixed slot, 0 to workers-1: the same across restarts and reloads. */
export const SLOT_ENV = 'STICKY_WORKER_SLOT';
/**
 * The address the primary listens on, given to workers after it listens (the real port when
 * the config said 0): what a server adopted from an app's own listen() reports as address().
 */
export const PUBLIC_HOST_ENV = 'STICKY_HOST';
export const PUBLIC_PORT_ENV = 'STICKY_PORT';
/** The slot again under PM2's name, so apps written for PM2 (`NODE_APP_INSTANCE === '0'`) work. */
export const APP_INSTANCE_ENV = 'NODE_APP_INSTANCE';
/** The cluster worker's id, set in the worker: what the original package's README printed. */
export const WORKER_ID_ENV = 'NODE_WORKER_ID';

/** A folder only the primary's user can enter, where a worker's fatal-error report goes (src/ipc/fatal-report.ts). */
export const FATAL_REPORT_ENV = 'STICKY_FATAL_REPORT_DIR';

/** The variables that say which slot a worker serves. */
export function slotEnv(slot: number): Record<string, string> {
  return { [SLOT_ENV]: String(slot), [APP_INSTANCE_ENV]: String(slot) };
}
