/**
 * The dashboard's state: the latest snapshot, derived rates, recent events, the selected slot and
 * the reload prompt. Every change arrives through a method; nothing here touches a terminal, a
 * socket or a clock (callers pass `nowMs`), so it is unit-tested directly.
 */
import type { LogRecord, ReloadProgress, ReloadResult, StatusSnapshot, SupervisorEvent, WorkerStatus } from '../control/protocol';
import { describeProgress, describeReloadResult } from '../text/reload.js';
import { printable } from './format';
import { RateTracker } from './rates';

export const MAX_EVENTS = 200;
/** App lines kept for the log pane (the primary keeps more: `sticky logs`). */
export const MAX_LOG_LINES = 500;

/** What the bottom pane shows: events, the selected slot's app lines, or every slot's (`l` cycles). */
export type BottomPane = 'events' | 'slot-logs' | 'all-logs';

export interface EventLine {
  time: number;
  level: SupervisorEvent['level'];
  kind: string;
  /** What the events pane shows: a supervisor event's message, or "kind: text" for this process's own notes. */
  text: string;
}

export type Prompt =
  | { kind: 'none' }
  | { kind: 'confirm-reload' }
  | { kind: 'reloading'; sinceMs: number; status: string }
  | { kind: 'notice'; level: EventLine['level']; text: string; atMs: number };

export type Link =
  | { kind: 'connected'; sinceMs: number }
  | { kind: 'disconnected'; sinceMs: number; reason: string };

/** One slot: its current worker, and the others beside it (old ones draining, a replacement starting). */
export interface SlotEntry {
  slot: number;
  worker: WorkerStatus;
  others: WorkerStatus[];
}

export class DashboardModel {
  snapshot: StatusSnapshot | undefined;
  /** When the snapshot arrived, on the caller's clock (for countdowns between snapshots). */
  receivedAtMs = 0;
  events: EventLine[] = [];
  selectedSlot: number | undefined;
  prompt: Prompt = { kind: 'none' };
  link: Link;
  pane: BottomPane = 'events';
  /** `?`: the key list over the bottom pane. */
  helpShown = false;
  /** The workers' recent lines, oldest first. */
  logLines: LogRecord[] = [];

  private readonly rates = new RateTracker();
  private readonly workerRates = new Map<number, number | undefined>();
  private totalRate: number | undefined;
  /** Keys of supervisor events already shown, with their times (snapshots repeat recent history). */
  private readonly seen = new Map<string, number>();

  constructor(readonly name: string, nowMs: number) {
    this.link = { kind: 'connected', sinceMs: nowMs };
  }

  applySnapshot(snapshot: StatusSnapshot, nowMs: number): void {
    if (this.snapshot && this.snapshot.pid !== snapshot.pid) this.addNote('info', 'supervisor', `new supervisor pid ${snapshot.pid}`, nowMs);
    this.snapshot = snapshot;
    this.receivedAtMs = nowMs;
    this.totalRate = this.rates.record(`primary:${snapshot.pid}`, snapshot.uptimeMs, snapshot.connections.total);
    const live = new Set([`primary:${snapshot.pid}`]);
    this.workerRates.clear();
    for (const worker of snapshot.workers) {
      const key = `worker:${worker.pid}`;
      live.add(key);
      this.workerRates.set(worker.pid, this.rates.record(key, worker.uptimeMs, worker.total));
    }
    this.rates.retain(live);
    for (const event of snapshot.events ?? []) this.addSupervisorEvent(event);
    const slots = this.slots().map((entry) => entry.slot);
    if (this.selectedSlot === undefined || !slots.includes(this.selectedSlot)) this.selectedSlot = slots[0];
  }

  /** A supervisor event, whether pushed as a "log" event or repeated in a snapshot's history. */
  addSupervisorEvent(event: SupervisorEvent): void {
    const key = `${event.time}|${event.kind}|${event.pid ?? ''}|${event.slot ?? ''}|${event.message}`;
    if (this.seen.has(key)) return;
    if (this.events.length >= MAX_EVENTS && event.time < this.events[0]!.time) return;
    this.seen.set(key, event.time);
    const where = event.slot !== undefined && !event.message.includes(`slot ${event.slot}`) ? `slot ${event.slot}: ` : '';
    this.insert({ time: event.time, level: event.level, kind: event.kind, text: where + printable(event.message) });
  }

  /** A line from this process itself: a reload outcome, a lost connection, captured console output. */
  addNote(level: EventLine['level'], kind: string, text: string, nowMs: number): void {
    this.insert({ time: nowMs, level, kind, text: `${kind}: ${printable(text)}` });
  }

  /**
   * A step of the reload this dashboard asked for: shown in the footer. The supervisor logs each
   * step as an event too, so only failures (with their reason) are added to the events pane here.
   */
  addReloadProgress(progress: ReloadProgress, nowMs: number): void {
    const text = describeProgress(progress);
    if (progress.phase === 'failed') this.addNote('error', 'reload', text, nowMs);
    if (this.prompt.kind === 'reloading') this.prompt = { ...this.prompt, status: text };
  }

  /** `r`: ask first; a reload already running is not asked for twice. */
  requestReload(): void {
    if (this.prompt.kind === 'reloading' || this.link.kind !== 'connected') return;
    this.prompt = { kind: 'confirm-reload' };
  }

  /** The answer to the confirmation; true when a reload should be sent now. */
  answerReload(yes: boolean, nowMs: number): boolean {
    if (this.prompt.kind !== 'confirm-reload') return false;
    if (!yes) {
      this.prompt = { kind: 'none' };
      return false;
    }
    this.prompt = { kind: 'reloading', sinceMs: nowMs, status: 'reload requested' };
    this.addNote('info', 'reload', 'requested from this dashboard', nowMs);
    return true;
  }

  reloadFinished(outcome: { error: { message: string } } | { result: ReloadResult | null }, nowMs: number): void {
    let text: string;
    if ('error' in outcome) {
      text = `failed: ${printable(outcome.error.message)}`;
    } else {
      const result = outcome.result;
      text = result ? `complete: ${describeReloadResult(result)}` : 'complete';
      for (const line of result?.restartNeeded ?? []) this.addNote('warn', 'reload', `not applied, needs a restart: ${line}`, nowMs);
    }
    const level = 'error' in outcome ? 'error' : 'info';
    this.addNote(level, 'reload', text, nowMs);
    this.prompt = { kind: 'notice', level, text: `reload ${text}`, atMs: nowMs };
  }

  dismissPrompt(): void {
    if (this.prompt.kind === 'confirm-reload' || this.prompt.kind === 'notice') this.prompt = { kind: 'none' };
  }

  connectionLost(reason: string, nowMs: number): void {
    if (this.link.kind === 'disconnected') return;
    this.link = { kind: 'disconnected', sinceMs: nowMs, reason: printable(reason) };
    this.addNote('warn', 'control', `connection lost: ${reason}`, nowMs);
    if (this.prompt.kind === 'confirm-reload') this.prompt = { kind: 'none' };
  }

  connectionRestored(nowMs: number): void {
    if (this.link.kind === 'connected') return;
    this.link = { kind: 'connected', sinceMs: nowMs };
    this.addNote('info', 'control', 'reconnected', nowMs);
  }

  /** A line a worker printed (pushed by the supervisor while this dashboard follows its logs). */
  addLogLine(record: LogRecord): void {
    if (record.kind !== 'app') return;
    this.logLines.push(record);
    if (this.logLines.length > MAX_LOG_LINES) this.logLines.splice(0, this.logLines.length - MAX_LOG_LINES);
  }

  /**
   * The recent lines sent on (re)connecting: they replace what is held, but for lines pushed
   * after them (which may have arrived first).
   */
  addLogBacklog(records: LogRecord[]): void {
    const apps = records.filter((r) => r.kind === 'app');
    const newest = apps.at(-1)?.time ?? -Infinity;
    this.logLines = [...apps, ...this.logLines.filter((r) => r.time > newest)].slice(-MAX_LOG_LINES);
  }

  /** `l`: events → the selected slot's lines → every slot's lines → events. */
  cyclePane(): void {
    this.pane = this.pane === 'events' ? 'slot-logs' : this.pane === 'slot-logs' ? 'all-logs' : 'events';
  }

  toggleHelp(): void {
    this.helpShown = !this.helpShown;
  }

  /** The lines the log pane shows, oldest first. */
  shownLogLines(): LogRecord[] {
    if (this.pane !== 'slot-logs') return this.logLines;
    return this.logLines.filter((r) => r.slot === this.selectedSlot);
  }

  /** Moves the selection `delta` slots up (negative) or down, stopping at the ends. */
  moveSelection(delta: number): void {
    const slots = this.slots().map((entry) => entry.slot);
    if (slots.length === 0) return;
    const at = this.selectedSlot === undefined ? -1 : slots.indexOf(this.selectedSlot);
    const next = at < 0 ? 0 : Math.min(slots.length - 1, Math.max(0, at + delta));
    this.selectedSlot = slots[next];
  }

  /**
   * Slots in order. A slot's current worker is its online one (the newest if a replacement is
   * already online beside the old), else any worker not draining; the rest are shown beside it.
   */
  slots(): SlotEntry[] {
    const bySlot = new Map<number, WorkerStatus[]>();
    for (const worker of this.snapshot?.workers ?? []) {
      const list = bySlot.get(worker.slot) ?? [];
      list.push(worker);
      bySlot.set(worker.slot, list);
    }
    return [...bySlot.keys()]
      .sort((a, b) => a - b)
      .map((slot) => {
        const workers = bySlot.get(slot)!;
        const newestFirst = [...workers].sort((a, b) => a.uptimeMs - b.uptimeMs);
        const current =
          newestFirst.find((w) => w.state === 'online') ?? newestFirst.find((w) => w.state !== 'draining') ?? newestFirst[0]!;
        return { slot, worker: current, others: workers.filter((w) => w !== current) };
      });
  }

  workerRate(pid: number): number | undefined {
    return this.workerRates.get(pid);
  }

  get connectionRate(): number | undefined {
    return this.totalRate;
  }

  private insert(line: EventLine): void {
    let at = this.events.length;
    while (at > 0 && this.events[at - 1]!.time > line.time) at -= 1;
    this.events.splice(at, 0, line);
    if (this.events.length > MAX_EVENTS) {
      this.events.splice(0, this.events.length - MAX_EVENTS);
      const oldest = this.events[0]!.time;
      for (const [key, time] of this.seen) if (time < oldest) this.seen.delete(key);
    }
  }
}
