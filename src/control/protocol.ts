/**
 * The control socket's wire protocol: newline-delimited JSON over a Unix domain socket.
 * Every request carries the protocol version and an id; every reply echoes the id.
 * Errors travel as { code, message } (codes are StickyError codes, STICKY_*).
 *
 *   -> {"v":1,"id":1,"method":"status"}
 *   <- {"v":1,"id":1,"ok":true,"result":{...StatusSnapshot}}
 *   -> {"v":1,"id":2,"method":"subscribe"}        status pushed about once a second
 *   <- {"v":1,"id":2,"ok":true,"result":null}
 *   <- {"v":1,"event":"status","data":{...StatusSnapshot}}
 *   <- {"v":1,"event":"log","data":{...SupervisorEvent}}   reloads, crashes, warnings
 *   -> {"v":1,"id":4,"method":"logs","params":{"lines":50,"follow":true}}
 *   <- {"v":1,"id":4,"ok":true,"result":{"records":[...LogRecord]}}
 *   <- {"v":1,"event":"line","data":{...LogRecord}}        with follow: every later line
 *   -> {"v":1,"id":3,"method":"reload"}           progress arrives as "reload" events
 *   <- {"v":1,"event":"reload","id":3,"data":{...ReloadProgress}}
 *   <- {"v":1,"id":3,"ok":false,"error":{"code":"STICKY_RELOAD","message":"..."}}
 *   -> {"v":1,"id":4,"method":"scale","params":{"workers":4}}
 *   <- {"v":1,"id":4,"ok":true,"result":{...ScaleResult}}
 */
export const CONTROL_PROTOCOL_VERSION = 1;

export type ControlMethod = 'status' | 'subscribe' | 'reload' | 'stop' | 'ping' | 'scale' | 'logs';

export interface ControlRequest {
  v: number;
  id: number;
  method: ControlMethod;
  params?: Record<string, unknown>;
}

export interface ControlError {
  code: string;
  message: string;
}

export type ControlReply =
  | { v: number; id: number; ok: true; result: unknown }
  | { v: number; id: number; ok: false; error: ControlError };

export interface ControlEvent {
  v: number;
  event: 'status' | 'log' | 'reload' | 'line';
  /** The request this event belongs to (reload progress), if any. */
  id?: number;
  data: unknown;
}

/** `sticky status --json` and the "status" event: the schema of DESIGN.md (extra fields allowed). */
export interface StatusSnapshot {
  name: string;
  pid: number;
  uptimeMs: number;
  host: string;
  port: number;
  routing: 'ip' | 'header' | 'proxy-protocol';
  /** ip mode: who accepts connections, the kernel (steered to each worker) or the primary. */
  accept?: 'kernel' | 'primary';
  connections: { active: number; total: number; rejected: number; misrouted: number };
  workers: WorkerStatus[];
  /** Extra: the config file it runs from (absent when started from code without one). */
  configFile?: string;
  /** Where Prometheus scrapes (`metrics` in the config), the real port when it said 0; null when off (extra field). */
  metrics?: { host: string; port: number } | null;
  /** Recent supervisor events, newest last (extra field). */
  events?: SupervisorEvent[];
}

export interface WorkerStatus {
  slot: number;
  pid: number;
  state: 'starting' | 'online' | 'draining' | 'stopped' | 'errored' | 'unresponsive';
  active: number;
  total: number;
  restarts: number;
  uptimeMs: number;
  rssBytes: number;
  cpuPercent: number;
  /** Extra: for a draining worker, ms until its remaining connections are destroyed. */
  drainDeadlineMs?: number;
}

export interface SupervisorEvent {
  time: number;
  level: 'info' | 'warn' | 'error';
  kind: string;
  message: string;
  slot?: number;
  pid?: number;
}

export interface ReloadProgress {
  slot: number;
  phase: 'forking' | 'online' | 'draining' | 'drained' | 'failed';
  oldPid?: number;
  newPid?: number;
  message?: string;
}

/** `ping` result. */
export interface PingResult {
  pid: number;
  name: string;
  protocol: number;
  /** The config file it runs from, so a start or stop from another file with the same name can tell. */
  configFile?: string;
}

/**
 * `reload` result, once every new worker is online and every old one has exited. A failed
 * reload is an error reply instead: STICKY_RELOAD (a new worker failed: the message has its
 * stack or exit code, and which slots were left as they were) or the config loader's code
 * (STICKY_CONFIG: the config file is wrong).
 */
export interface ReloadResult {
  replaced: { slot: number; oldPid: number | undefined; newPid: number }[];
  /** Config changes not applied because they need a restart (port, routing, ...), one line each. */
  restartNeeded: string[];
  durationMs: number;
}

/** `stop` result: sent once every worker has exited; then the socket closes and the primary exits 0. */
export interface StopResult {
  stopped: true;
}

/**
 * `scale` result, once every added worker is online and every removed slot's worker has
 * exited. A failed scale (an added worker did not come online) is a STICKY_SCALE error
 * reply, and the slot count is back where it was.
 */
export interface ScaleResult {
  from: number;
  to: number;
  /** Workers of the added slots, online. */
  added: { slot: number; pid: number }[];
  /** Workers of the removed slots, drained and exited. */
  removed: { slot: number; pid: number }[];
  durationMs: number;
}

/**
 * One line of `sticky logs`: a line a worker printed (`kind: 'app'`) or a supervisor event
 * (its kind: worker-online, reload, ...).
 */
export interface LogRecord {
  time: number;
  level: 'info' | 'warn' | 'error';
  kind: string;
  slot?: number;
  pid?: number;
  /** App lines: which stream of the worker printed it. */
  stream?: 'stdout' | 'stderr';
  msg: string;
  /** An app line that was a JSON object (a pino record, say), as that object. */
  json?: Record<string, unknown>;
}

export const DEFAULT_LOG_LINES = 50;

/** `logs` params: `lines` most recent records (default 50); `follow` streams "line" events after them. */
export interface LogsParams {
  lines?: number;
  follow?: boolean;
}

/** `logs` result, oldest first. */
export interface LogsResult {
  records: LogRecord[];
}
