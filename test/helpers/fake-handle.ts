import type { NativeHandle } from '../../src/ipc/handoff.js';

/** A connection handle for Dispatcher tests: counts its closes, has no peer. */
export class FakeHandle implements NativeHandle {
  closed = 0;
  close(): void {
    this.closed++;
  }
  getpeername(): number {
    return 0;
  }
}
