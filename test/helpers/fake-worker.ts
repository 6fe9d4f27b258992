import { EventEmitter } from 'node:events';
import type { WorkerEnv } from '../../src/cluster/worker-pool.js';
import { STICKY_CMD, type WorkerToPrimary } from '../../src/ipc/messages.js';

type FakeProcess = EventEmitter & { pid: number; kill(signal?: string): boolean; send(msg: unknown): boolean };
type Said = WorkerToPrimary extends infer M ? M extends unknown ? Omit<M, 'cmd'> : never : never;

/** What WorkerPool uses of a cluster Worker, driven by the test instead of a process. */
export class FakeWorker extends EventEmitter {
  private static nextPid = 1000;
  /** Messages the primary sent to this worker. */
  readonly received: unknown[] = [];
  readonly process: FakeProcess;
  private dead = false;

  constructor(readonly env: WorkerEnv) {
    super();
    const proc = new EventEmitter() as FakeProcess;
    proc.pid = FakeWorker.nextPid++;
    // A signal ends a process a little later, never inside kill().
    proc.kill = (signal = 'SIGTERM') => {
      queueMicrotask(() => this.exit(null, signal));
      return true;
    };
    proc.send = (msg) => {
      this.received.push(msg);
      return true;
    };
    this.process = proc;
  }

  isDead(): boolean {
    return this.dead;
  }

  isConnected(): boolean {
    return !this.dead;
  }

  say(msg: Said): void {
    this.process.emit('internalMessage', { cmd: STICKY_CMD, ...msg });
  }

  exit(code: number | null, signal: string | null = null): void {
    if (this.dead) return;
    this.dead = true;
    this.emit('disconnect');
    this.emit('exit', code, signal);
  }
}

