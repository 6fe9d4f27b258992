import type { SupervisorEvent } from '../control/protocol.js';
import type { Logger } from '../log/logger.js';
import { stripControls } from '../text/control-chars.js';

const RECENT_EVENTS = 50;

/**
 * What happened to the supervisor (workers online, crashes, reloads): logged through pino,
 * kept for the status snapshot, and pushed to control-socket subscribers.
 */
export class EventLog {
  private readonly recentEvents: SupervisorEvent[] = [];
  private readonly listeners = new Set<(e: SupervisorEvent) => void>();

  constructor(private readonly logger: Logger) {}

  record(level: SupervisorEvent['level'], kind: string, text: string, fields: { slot?: number; pid?: number; stack?: string } = {}): void {
    // Messages carry what apps and clients chose (a worker's error text): it reaches terminals.
    const message = stripControls(text);
    const { stack: rawStack, ...where } = fields;
    const stack = rawStack === undefined ? undefined : stripControls(rawStack, { keepNewlines: true });
    const event: SupervisorEvent = { time: Date.now(), level, kind, message, ...where };
    // `workerPid`: pino's own `pid` field is the primary's.
    this.logger[level]({ kind, slot: where.slot, workerPid: where.pid, stack }, message);
    this.recentEvents.push(event);
    if (this.recentEvents.length > RECENT_EVENTS) this.recentEvents.shift();
    for (const listener of this.listeners) listener(event);
  }

  recent(): SupervisorEvent[] {
    return [...this.recentEvents];
  }

  subscribe(listener: (e: SupervisorEvent) => void): void {
    this.listeners.add(listener);
  }
}
