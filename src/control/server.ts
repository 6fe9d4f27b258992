import { chmodSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { StickyAlreadyRunningError, StickyError, StickyProtocolError, StickySetupError } from '../errors.js';
import { readLines } from './line-splitter.js';
import { ensureControlDir } from './private-dir.js';
import {
  CONTROL_PROTOCOL_VERSION, type ControlError, type ControlEvent, type ControlMethod, type ControlReply,
  type ControlRequest, type LogRecord, type LogsParams, type LogsResult, type ReloadProgress, type StatusSnapshot,
  type SupervisorEvent,
} from './protocol.js';
import { listen } from '../util/listen.js';
import { noop } from '../util/noop.js';

/** What the supervisor answers; each method's result is the reply's `result`. */
export interface ControlHandlers {
  ping(): unknown;
  status(): Promise<StatusSnapshot>;
  reload(onProgress: (p: ReloadProgress) => void): Promise<unknown>;
  /** Resolves once every worker has exited; the reply goes out then. */
  stop(): Promise<unknown>;
  /** Changes the worker count; `params.workers` is checked by the supervisor. */
  scale(params: Record<string, unknown>): Promise<unknown>;
  /** An error of the listening control socket (accept failing with EMFILE); it keeps listening. */
  error?(err: Error): void;
  /** The most recent log records (`sticky logs`). */
  logs(params: LogsParams): LogsResult;
  /** Calls `listener` with each later log record until the returned function is called. */
  followLogs(listener: (record: LogRecord) => void): () => void;
}

const METHODS: readonly ControlMethod[] = ['status', 'subscribe', 'reload', 'stop', 'ping', 'scale', 'logs'];
/** Requests are a few dozen bytes; a line this long is not one. */
const MAX_REQUEST_LINE_BYTES = 64 * 1024;
/** A ping reply is a few dozen bytes; the probe reads no further than this. */
const MAX_PROBE_LINE_BYTES = 64 * 1024;
/** A subscriber this far behind is dropped rather than buffered without bound. */
const MAX_SUBSCRIBER_BACKLOG_BYTES = 4 * 1024 * 1024;
/**
 * A client that sends requests but does not read the replies: past this many reply bytes
 * waiting, or this many requests being answered, its requests are not read until it catches
 * up (the kernel then stops its writes). 600k unread pings took the primary from 54 to 250 MB.
 */
const MAX_REPLY_BACKLOG_BYTES = 1024 * 1024;
const MAX_REQUESTS_IN_FLIGHT = 32;
const STATUS_INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 2000;
const CLOSE_FLUSH_MS = 500;
/** How long close() lets requests in progress finish their reply. */
const IN_FLIGHT_CAP_MS = 5000;

/**
 * The supervisor's end of the control socket: newline-delimited JSON (protocol.ts) on a
 * Unix socket that only its owner can reach (0600 in a 0700 folder).
 */
export class ControlServer {
  private readonly connections = new Set<Socket>();
  private readonly subscribers = new Set<Socket>();
  /** `logs --follow` connections and how each stops following. */
  private readonly followers = new Map<Socket, () => void>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightBy = new Map<Socket, number>();
  private statusTimer: NodeJS.Timeout | undefined;

  private constructor(readonly path: string, private readonly server: Server, private readonly handlers: ControlHandlers) {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (err) => handlers.error?.(err));
  }

  /**
   * Listens on `path`. Refuses when another process answers there (same name already
   * running); a socket file nobody answers on (its primary was killed) is replaced.
   */
  static async open(name: string, path: string, handlers: ControlHandlers, configFile?: string): Promise<ControlServer> {
    ensureControlDir(dirname(path));
    const server = createServer();
    for (let attempt = 0; ; attempt++) {
      const probe = await probeControlSocket(path);
      if (probe.state === 'running') {
        throw new StickyAlreadyRunningError(name, probe.pid, path, { running: probe.configFile, ours: configFile });
      }
      if (probe.state === 'stale') unlinkQuietly(path);
      try {
        await listen(server, { path });
        break;
      } catch (err) {
        // Another start won the race for the path between our probe and listen: probe again.
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 2) continue;
        throw new StickySetupError(`cannot listen on control socket ${path}: ${(err as Error).message}`, { cause: err });
      }
    }
    // The folder is 0700 already; this makes the socket itself owner-only too.
    chmodSync(path, 0o600);
    return new ControlServer(path, server, handlers);
  }

  /** Sends a supervisor event to every subscriber. */
  publishLog(event: SupervisorEvent): void {
    for (const socket of this.subscribers) this.write(socket, { v: CONTROL_PROTOCOL_VERSION, event: 'log', data: event });
  }

  /**
   * Stops listening, removes the socket file, lets requests being answered (a `stop`
   * waiting for its workers) reply, then ends every connection.
   */
  async close(): Promise<void> {
    clearInterval(this.statusTimer);
    this.subscribers.clear();
    for (const stop of this.followers.values()) stop();
    this.followers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    unlinkQuietly(this.path);
    const cap = new Promise<void>((resolve) => setTimeout(resolve, IN_FLIGHT_CAP_MS).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), cap]);
    await Promise.all([...this.connections].map((socket) => endGracefully(socket)));
    await closed;
  }

  private accept(socket: Socket): void {
    this.connections.add(socket);
    socket.on('error', noop);
    socket.on('close', () => {
      this.connections.delete(socket);
      this.inFlightBy.delete(socket);
      this.unsubscribe(socket);
      this.followers.get(socket)?.();
      this.followers.delete(socket);
    });
    socket.on('drain', () => this.flow(socket));
    readLines(socket, MAX_REQUEST_LINE_BYTES, (line) => this.track(socket, this.handle(socket, line)), () => {
      this.reply(socket, 0, new StickyProtocolError(`request line longer than ${MAX_REQUEST_LINE_BYTES} bytes`));
      socket.end();
    });
  }

  private track(socket: Socket, p: Promise<void>): void {
    this.inFlight.add(p);
    this.inFlightBy.set(socket, (this.inFlightBy.get(socket) ?? 0) + 1);
    this.flow(socket);
    void p.finally(() => {
      this.inFlight.delete(p);
      const n = this.inFlightBy.get(socket);
      if (n !== undefined) this.inFlightBy.set(socket, n - 1);
      this.flow(socket);
    });
  }

  /** Reads a client's requests only while it keeps up with their replies. */
  private flow(socket: Socket): void {
    if (socket.destroyed) return;
    const behind = socket.writableLength > MAX_REPLY_BACKLOG_BYTES || (this.inFlightBy.get(socket) ?? 0) > MAX_REQUESTS_IN_FLIGHT;
    if (behind) socket.pause();
    else if (socket.isPaused()) socket.resume();
  }

  private async handle(socket: Socket, line: string): Promise<void> {
    let request: ControlRequest;
    try {
      request = parseRequest(line);
    } catch (err) {
      this.reply(socket, idOf(line), err);
      return;
    }
    const { id } = request;
    try {
      switch (request.method) {
        case 'ping':
          return this.reply(socket, id, undefined, this.handlers.ping());
        case 'status':
          return this.reply(socket, id, undefined, await this.handlers.status());
        case 'subscribe':
          this.reply(socket, id, undefined, null);
          return this.subscribe(socket);
        case 'reload': {
          const onProgress = (data: ReloadProgress): void => this.write(socket, { v: CONTROL_PROTOCOL_VERSION, event: 'reload', id, data });
          return this.reply(socket, id, undefined, await this.handlers.reload(onProgress));
        }
        case 'stop':
          return this.reply(socket, id, undefined, await this.handlers.stop());
        case 'scale':
          return this.reply(socket, id, undefined, await this.handlers.scale(request.params ?? {}));
        case 'logs':
          return this.logs(socket, id, parseLogsParams(request.params));
      }
    } catch (err) {
      this.reply(socket, id, err);
    }
  }

  private logs(socket: Socket, id: number, params: LogsParams): void {
    // The snapshot and the subscription in one turn of the event loop: no line falls between.
    this.reply(socket, id, undefined, this.handlers.logs(params));
    if (!params.follow || this.followers.has(socket) || socket.destroyed) return;
    this.followers.set(socket, this.handlers.followLogs((data) => this.write(socket, { v: CONTROL_PROTOCOL_VERSION, event: 'line', data })));
  }

  private subscribe(socket: Socket): void {
    this.subscribers.add(socket);
    void this.pushStatus([socket]);
    this.statusTimer ??= setInterval(() => void this.pushStatus([...this.subscribers]), STATUS_INTERVAL_MS);
    this.statusTimer.unref();
  }

  private unsubscribe(socket: Socket): void {
    this.subscribers.delete(socket);
    if (this.subscribers.size === 0 && this.statusTimer) {
      clearInterval(this.statusTimer);
      this.statusTimer = undefined;
    }
  }

  private async pushStatus(to: Socket[]): Promise<void> {
    if (to.length === 0) return;
    const data = await this.handlers.status();
    for (const socket of to) {
      if (this.subscribers.has(socket)) this.write(socket, { v: CONTROL_PROTOCOL_VERSION, event: 'status', data });
    }
  }

  private reply(socket: Socket, id: number, err: unknown, result?: unknown): void {
    const msg: ControlReply = err === undefined
      ? { v: CONTROL_PROTOCOL_VERSION, id, ok: true, result: result ?? null }
      : { v: CONTROL_PROTOCOL_VERSION, id, ok: false, error: toControlError(err) };
    this.write(socket, msg);
  }

  private write(socket: Socket, msg: ControlReply | ControlEvent): void {
    if (socket.destroyed || !socket.writable) return;
    if ((this.subscribers.has(socket) || this.followers.has(socket)) && socket.writableLength > MAX_SUBSCRIBER_BACKLOG_BYTES) {
      socket.destroy();
      return;
    }
    socket.write(`${JSON.stringify(msg)}\n`);
    if (socket.writableLength > MAX_REPLY_BACKLOG_BYTES) this.flow(socket);
  }
}

export function parseRequest(line: string): ControlRequest {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch (err) {
    throw new StickyProtocolError(`request is not JSON: ${(err as Error).message}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new StickyProtocolError('request is not a JSON object');
  const { v, id, method } = msg as Record<string, unknown>;
  if (v !== CONTROL_PROTOCOL_VERSION) {
    throw new StickyProtocolError(`protocol version ${JSON.stringify(v)} is not supported; this supervisor speaks version ${CONTROL_PROTOCOL_VERSION}`);
  }
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new StickyProtocolError(`id: ${JSON.stringify(id)} is not an integer`);
  if (!METHODS.includes(method as ControlMethod)) {
    throw new StickyProtocolError(`method: ${JSON.stringify(method)} is not one of ${METHODS.join(', ')}`);
  }
  return msg as ControlRequest;
}

function parseLogsParams(params: Record<string, unknown> | undefined): LogsParams {
  const { lines, follow } = params ?? {};
  if (lines !== undefined && (typeof lines !== 'number' || !Number.isSafeInteger(lines) || lines < 0)) {
    throw new StickyProtocolError(`logs: lines: ${JSON.stringify(lines)} is not a whole number of 0 or more`);
  }
  if (follow !== undefined && typeof follow !== 'boolean') throw new StickyProtocolError(`logs: follow: ${JSON.stringify(follow)} is not true or false`);
  return { lines, follow };
}

/** The id of a request we could not accept, so its error still reaches the caller's promise. */
function idOf(line: string): number {
  try {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    return typeof id === 'number' && Number.isSafeInteger(id) ? id : 0;
  } catch {
    return 0;
  }
}

function toControlError(err: unknown): ControlError {
  if (err instanceof StickyError) return { code: err.code, message: err.message };
  return { code: 'STICKY_INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export type ProbeResult =
  | { state: 'absent' }
  | { state: 'stale' }
  | { state: 'running'; pid: number | undefined; configFile?: string };

/** Who holds `path`: nobody (no file), a dead primary (file, nobody answers), or a live one. */
export function probeControlSocket(path: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const done = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    // Something accepted the connection but does not answer (a stopped process): not ours to take.
    const timer = setTimeout(() => done({ state: 'running', pid: undefined }), timeoutMs);
    socket.on('connect', () => socket.write(`${JSON.stringify({ v: CONTROL_PROTOCOL_VERSION, id: 1, method: 'ping' })}\n`));
    readLines(socket, MAX_PROBE_LINE_BYTES, (line) => {
      let result: { pid?: unknown; configFile?: unknown } | undefined;
      try {
        result = (JSON.parse(line) as { result?: typeof result }).result;
      } catch {
        result = undefined;
      }
      const pid = typeof result?.pid === 'number' ? result.pid : undefined;
      const configFile = typeof result?.configFile === 'string' ? result.configFile : undefined;
      done({ state: 'running', pid, ...(configFile === undefined ? {} : { configFile }) });
    }, () => done({ state: 'running', pid: undefined }));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (err.code === 'ENOENT') resolve({ state: 'absent' });
      else if (err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') resolve({ state: 'stale' });
      else reject(new StickySetupError(`cannot check control socket ${path}: ${err.message}`, { cause: err }));
    });
  });
}

function endGracefully(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => socket.destroy(), CLOSE_FLUSH_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
