import type { Socket } from 'node:net';

/**
 * The accepted TCP handle itself (what net.Server wraps in a Socket). In ip mode the primary
 * reads nothing, so it routes and sends this directly, as Node's round-robin cluster does:
 * no stream is built per connection in the primary.
 */
export interface NativeHandle {
  close(cb?: () => void): void;
  getpeername(out: { address?: string; port?: number; family?: string }): number;
}

/** What the primary hands off with a ConnMessage: a paused Socket (modes that read bytes) or the raw handle. */
export type Connection = Socket | NativeHandle;
