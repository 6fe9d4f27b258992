/**
 * The one render loop: data and keys go into the model, rendering comes out throttled (at most one
 * frame per MIN_FRAME_INTERVAL_MS however fast snapshots, events or keys arrive), plus a slow tick so
 * countdowns and the "disconnected" age move between snapshots.
 */
import type blessed from 'blessed';
import type { ControlEvent, LogRecord, ReloadProgress, ReloadResult, StatusSnapshot, SupervisorEvent } from '../control/protocol';
import { ASCII_GLYPHS, UNICODE_GLYPHS, type Glyphs } from './format';
import { DashboardLayout } from './layout';
import { DashboardModel, type EventLine } from './model';
import { buildView } from './view';

export const MIN_FRAME_INTERVAL_MS = 100;
export const TICK_MS = 1_000;

export interface LoopActions {
  /** Sends a reload; resolves when the supervisor reports it complete. */
  reload(onProgress: (progress: ReloadProgress) => void): Promise<ReloadResult | null>;
  /** The user asked to leave (q, Ctrl-C). */
  quit(): void;
}

export class RenderLoop {
  readonly model: DashboardModel;
  readonly layout: DashboardLayout;
  private readonly glyphs: Glyphs;
  private frameTimer: NodeJS.Timeout | undefined;
  private readonly tickTimer: NodeJS.Timeout;
  private lastFrameAtMs = -Infinity;
  private stopped = false;
  /** Frames drawn so far (tests wait on it). */
  frames = 0;

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    name: string,
    private readonly actions: LoopActions,
    private readonly clock: () => number = Date.now,
  ) {
    this.model = new DashboardModel(name, clock());
    this.layout = new DashboardLayout(screen);
    const tput = (screen.program as unknown as { tput: unknown }).tput as { unicode?: boolean; numbers?: { U8?: number } };
    this.glyphs = tput.unicode || tput.numbers?.U8 === 1 ? UNICODE_GLYPHS : ASCII_GLYPHS;
    this.bindKeys();
    screen.on('resize', () => this.invalidate());
    this.tickTimer = setInterval(() => this.invalidate(), TICK_MS);
    this.tickTimer.unref();
  }

  snapshot(snapshot: StatusSnapshot): void {
    this.model.applySnapshot(snapshot, this.clock());
    this.invalidate();
  }

  /** An event pushed on the control socket outside any request of ours. */
  event(event: ControlEvent): void {
    if (event.event === 'status') this.model.applySnapshot(event.data as StatusSnapshot, this.clock());
    else if (event.event === 'log') this.model.addSupervisorEvent(event.data as SupervisorEvent);
    else if (event.event === 'line') this.model.addLogLine(event.data as LogRecord);
    else this.model.addReloadProgress(event.data as ReloadProgress, this.clock());
    this.invalidate();
  }

  /** The recent app lines asked for on (re)connecting. */
  logBacklog(records: LogRecord[]): void {
    this.model.addLogBacklog(records);
    this.invalidate();
  }

  note(level: EventLine['level'], kind: string, text: string): void {
    this.model.addNote(level, kind, text, this.clock());
    this.invalidate();
  }

  connectionLost(reason: string): void {
    this.model.connectionLost(reason, this.clock());
    this.invalidate();
  }

  connectionRestored(): void {
    this.model.connectionRestored(this.clock());
    this.invalidate();
  }

  /** Asks for a frame; frames closer together than MIN_FRAME_INTERVAL_MS are merged into one. */
  invalidate(): void {
    if (this.stopped || this.frameTimer) return;
    const waitMs = Math.max(0, this.lastFrameAtMs + MIN_FRAME_INTERVAL_MS - this.clock());
    this.frameTimer = setTimeout(() => {
      this.frameTimer = undefined;
      this.draw();
    }, waitMs);
  }

  draw(): void {
    if (this.stopped) return;
    this.lastFrameAtMs = this.clock();
    const view = buildView(this.model, {
      width: Number(this.screen.width),
      height: Number(this.screen.height),
      nowMs: this.lastFrameAtMs,
      glyphs: this.glyphs,
    });
    this.layout.apply(view);
    this.screen.render();
    this.frames += 1;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.frameTimer);
    clearInterval(this.tickTimer);
  }

  private bindKeys(): void {
    const on = (keys: string[], handler: () => void) =>
      this.screen.key(keys, () => {
        handler();
        this.invalidate();
      });
    on(['q', 'C-c'], () => this.actions.quit());
    on(['r'], () => this.model.requestReload());
    on(['y'], () => {
      if (this.model.answerReload(true, this.clock())) this.startReload();
    });
    on(['n', 'escape'], () => {
      this.model.answerReload(false, this.clock());
      this.model.dismissPrompt();
    });
    on(['up', 'k'], () => this.model.moveSelection(-1));
    on(['down', 'j'], () => this.model.moveSelection(1));
    on(['l'], () => this.model.cyclePane());
    on(['?'], () => this.model.toggleHelp());
  }

  private startReload(): void {
    const progress = (step: ReloadProgress) => {
      this.model.addReloadProgress(step, this.clock());
      this.invalidate();
    };
    this.actions.reload(progress).then(
      (result) => this.model.reloadFinished({ result }, this.clock()),
      (error: Error) => this.model.reloadFinished({ error }, this.clock()),
    ).finally(() => this.invalidate());
  }
}
