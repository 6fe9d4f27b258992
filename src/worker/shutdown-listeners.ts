import type { Server } from 'node:net';

/**
 * How a worker's app hears that it is being retired, and whether it listens at all. Ctrl-C
 * in a terminal and a hang-up reach the whole process group, workers too; the primary
 * decides what they mean (a drain of every worker, or a reload). So a worker holds them back
 * from the app: its SIGINT listeners (PM2's shutdown convention) run when the primary
 * drains this worker, not when the signal arrives.
 */
const HELD = new Set<string | symbol>(['SIGINT', 'SIGHUP']);
let delivering = false;

// Loaded before the app's code: the 'message' listeners there are now are Node's own (a
// cluster worker forwards process messages to its Worker object), not the app's.
const nodeMessageListeners = new Set(process.listeners('message'));

/**
 * Call before any SIGINT or SIGHUP listener exists: Node binds process.emit into a
 * signal's handler when the first listener for it is added, so patching later would miss
 * signals. Listening here also keeps the signals from ending the process by default.
 */
export function holdInterruptSignals(): void {
  const emit = process.emit;
  process.emit = function heldEmit(this: NodeJS.Process, event: string | symbol, ...args: unknown[]) {
    if (HELD.has(event) && !delivering) return false;
    return (emit as (event: string | symbol, ...args: unknown[]) => boolean).call(this, event, ...args);
  } as typeof process.emit;
  for (const signal of HELD) process.on(signal as NodeJS.Signals, ignore);
}

/** Whether the app listens for any of the ways it is told to shut down ('shutdown', SIGINT, 'sticky:drain'). */
export function appListensForShutdown(server: Server): boolean {
  return process.listeners('message').some((l) => !nodeMessageListeners.has(l))
    || process.listeners('SIGINT').some((l) => l !== ignore)
    || server.listenerCount('sticky:drain') > 0;
}

/** Runs the app's SIGINT listeners, as a SIGINT from PM2 would. */
export function deliverInterrupt(): void {
  delivering = true;
  try {
    process.emit('SIGINT', 'SIGINT');
  } finally {
    delivering = false;
  }
}

function ignore(): void {}
