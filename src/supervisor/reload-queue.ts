import type { ReloadProgress, ReloadResult } from '../control/protocol.js';

export type ReloadRunner = (trigger: string, progress: (p: ReloadProgress) => void) => Promise<ReloadResult>;

interface ReloadRun {
  promise: Promise<ReloadResult>;
  listeners: Set<(p: ReloadProgress) => void>;
}

/**
 * Coalesces reload requests. Asked while a reload runs, it runs once more after it, and
 * every request made meanwhile shares that run: the newest code is what ends up running,
 * and a burst of saves costs two reloads, not one per save. A failed run does not stop the
 * one queued behind it.
 */
export class ReloadQueue {
  private current: ReloadRun | undefined;
  private next: ReloadRun | undefined;

  constructor(private readonly runner: ReloadRunner) {}

  request(trigger: string, onProgress?: (p: ReloadProgress) => void): Promise<ReloadResult> {
    let run: ReloadRun;
    if (!this.current) run = this.current = this.start(trigger, Promise.resolve());
    else run = this.next ??= this.start(trigger, this.current.promise.catch(() => undefined));
    if (onProgress) run.listeners.add(onProgress);
    return run.promise;
  }

  private start(trigger: string, after: Promise<unknown>): ReloadRun {
    const run: ReloadRun = { listeners: new Set(), promise: Promise.resolve() as unknown as Promise<ReloadResult> };
    run.promise = after.then(async () => {
      if (this.next === run) {
        this.next = undefined;
        this.current = run;
      }
      try {
        return await this.runner(trigger, (p) => {
          for (const listener of run.listeners) listener(p);
        });
      } finally {
        if (this.current === run) this.current = undefined;
      }
    });
    return run;
  }
}
