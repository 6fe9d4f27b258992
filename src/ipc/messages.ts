/**
 * Primary <-> worker messages of the balancer. The `cmd` starts with NODE_ so Node's
 * child_process delivers them on `internalMessage`, never on the `message` event that
 * apps listen to (the same channel Node's own cluster uses for NODE_CLUSTER).
 */
export const STICKY_CMD = 'NODE_STICKY';

/** primary -> worker: a connection handle follows this message. */
export interface ConnMessage {
  cmd: typeof STICKY_CMD;
  t: 'conn';
  /** Hand-off id, echoed in the worker's ack. */
  id: number;
  /**
   * Bytes the primary had to read before routing, latin1: one char per byte, byte-exact
   * through JSON and the advanced serialization alike. Cheaper than base64 for the primary
   * to encode on HTTP heads (callgrind: ~25% fewer instructions on a 16 KiB head, 13% on a 100-byte one) and ~25%
   * fewer bytes on the channel; random binary costs more, but what the primary reads is a
   * request head or a PROXY preamble plus what arrived with it.
   */
  bytes?: string;
  /** The same bytes, base64: what primaries before `bytes` sent (a worker may outlive its primary's version in a reload). */
  data?: string;
  /** PROXY protocol source, reported by the worker's socket as its remote end. */
  remote?: { address: string; port: number; family: string };
  /** Routing key of the connection, for the worker's misrouting check. */
  key?: string;
  /**
   * Deadline (epoch ms, one clock on one host): a worker that reads this message later has
   * lost the connection to the key's next slot, so it closes its copy unread and refuses it.
   */
  by?: number;
}

/**
 * worker -> primary: connection `id` taken (ok) or refused; the primary releases or re-routes
 * it. Flat on purpose: one is parsed per connection, and V8 parses flat JSON objects on a
 * fast path (arrays in it cost the primary ~2x the parse instructions, counted by callgrind).
 */
export interface AckMessage {
  cmd: typeof STICKY_CMD;
  t: 'ack';
  id: number;
  ok: boolean;
}

/** worker -> primary: the app's server is registered; connections may come. */
export interface ReadyMessage {
  cmd: typeof STICKY_CMD;
  t: 'ready';
}

/** worker -> primary: the app closed its server (or is draining); send nothing new. */
export interface ClosingMessage {
  cmd: typeof STICKY_CMD;
  t: 'closing';
}

/**
 * worker -> primary: a draining worker's connections are done and its app is cleaning up
 * (it listens for 'shutdown', SIGINT or 'sticky:drain'); it is killed if still running
 * reload.killTimeoutMs later.
 */
export interface DrainedMessage {
  cmd: typeof STICKY_CMD;
  t: 'drained';
}

/** worker -> primary: connection counters, sent at most once per interval and only when changed. */
export interface StatsMessage {
  cmd: typeof STICKY_CMD;
  t: 'stats';
  active: number;
  total: number;
  misrouted: number;
}

/** primary -> worker: stop taking connections and drain. */
export interface DrainMessage {
  cmd: typeof STICKY_CMD;
  t: 'drain';
  timeoutMs: number;
}

/**
 * primary -> worker (kernel accept): the slot's listening socket follows; accept from it.
 * The primary keeps its own copy, so the worker closing its copy leaves the socket in place.
 */
export interface ListenMessage {
  cmd: typeof STICKY_CMD;
  t: 'listen';
}

/** worker -> primary: the worker is about to die of this error (the app failed to load or crashed). */
export interface WorkerErrorMessage {
  cmd: typeof STICKY_CMD;
  t: 'error';
  message: string;
  stack?: string;
}

/** primary -> worker: a heartbeat; the worker's event loop answers with a PongMessage. */
export interface PingMessage {
  cmd: typeof STICKY_CMD;
  t: 'ping';
}

/** worker -> primary: the answer to a ping (its event loop turns). */
export interface PongMessage {
  cmd: typeof STICKY_CMD;
  t: 'pong';
}

export type WorkerToPrimary = AckMessage | ReadyMessage | ClosingMessage | DrainedMessage | StatsMessage | WorkerErrorMessage | PongMessage;
export type PrimaryToWorker = ConnMessage | DrainMessage | ListenMessage | PingMessage;

export function isSticky(msg: unknown): msg is { cmd: typeof STICKY_CMD; t: string } {
  return typeof msg === 'object' && msg !== null && (msg as { cmd?: unknown }).cmd === STICKY_CMD;
}
