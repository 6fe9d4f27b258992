import { Socket } from 'node:net';
import type { Connection, NativeHandle } from '../ipc/handoff.js';
import { boundedRead, boundReads, type UserBufferHandle } from './bounded-read.js';
import { ByteAccumulator } from './byte-accumulator.js';
import { DeadlineSweep } from './deadline-sweep.js';
import { PeerShares } from './peer-shares.js';
import { HeadParser, headerBytes, headerKey } from '../routing/proxy-header.js';
import { parseProxyPreamble, type ProxySource } from '../routing/proxy-protocol.js';
import type { PrefixOptions } from '../routing/address.js';
import { addressKey } from '../routing/address.js';
import { noop } from '../util/noop.js';

export type RejectStatus = 400 | 408 | 431;

export type Decision =
  | { kind: 'more' }
  /** `key` null: route by the TCP peer. `skip`: leading bytes not to replay (a PROXY preamble). */
  | { kind: 'route'; key: string | null; remote?: ProxySource; skip?: number }
  | { kind: 'reject'; why: string; detail: string; status?: RejectStatus };

/** Reads one connection's leading bytes and says when the routing key is known. */
export interface PreambleDecoder {
  push(chunk: Buffer): Decision;
}

export interface HeaderDecoderOptions extends PrefixOptions {
  header: string;
  trustedHops: number;
  ignoreMissingHeader: boolean;
  maxHeaderBytes: number;
}

/** A factory of header decoders sharing what does not change between connections. */
export function headerDecoders(o: HeaderDecoderOptions): () => PreambleDecoder {
  const wanted = headerBytes(o.header);
  return () => headerDecoder(o, new HeadParser(wanted, o.maxHeaderBytes));
}

function headerDecoder(o: HeaderDecoderOptions, parser: HeadParser): PreambleDecoder {
  return {
    push(chunk) {
      const r = parser.push(chunk);
      if (r.state === 'more') return MORE;
      if (r.state === 'error') {
        return { kind: 'reject', why: r.status === 431 ? 'head-too-large' : 'not-http', detail: r.reason, status: r.status };
      }
      const key = headerKey(r.values, o);
      if (key !== null || o.ignoreMissingHeader) return { kind: 'route', key };
      const detail = r.values.length === 0
        ? `request has no ${o.header} header (set ignoreMissingHeader to route it by the peer address)`
        : `${o.header} header names no IP address: ${JSON.stringify(r.values.join(', ').slice(0, 100))}`;
      return { kind: 'reject', why: 'missing-header', detail, status: 400 };
    },
  };
}

export function proxyProtocolDecoder(prefix: PrefixOptions, maxBytes: number): PreambleDecoder {
  const read = new ByteAccumulator();
  return {
    push(chunk) {
      read.append(chunk);
      const r = parseProxyPreamble(read.bytes(), maxBytes);
      if (r.state === 'more') return MORE;
      if (r.state === 'error') return { kind: 'reject', why: 'bad-proxy-preamble', detail: r.reason };
      if (r.source === undefined) return { kind: 'route', key: null, skip: r.length };
      return { kind: 'route', key: addressKey(r.source.address, prefix), remote: r.source, skip: r.length };
    },
  };
}

const MORE: Decision = { kind: 'more' };

/** A decoder bug must cost one connection, never the primary (and every connection with it). */
function decode(decoder: PreambleDecoder, chunk: Buffer): Decision {
  try {
    return decoder.push(chunk);
  } catch (err) {
    return { kind: 'reject', why: 'decoder-error', detail: `could not read the preamble: ${String(err)}`, status: 400 };
  }
}

export interface PreambleReaderOptions {
  timeoutMs: number;
  /** Connections one peer address may have being read at once; past it new ones are rejected ('perPeer'). */
  maxPerPeer?: number;
  /** Answer rejected clients with an HTTP status line (header mode) or just close (PROXY mode). */
  answerHttp: boolean;
  decoder(): PreambleDecoder;
  /** The key is known: `data` is every byte read (less `skip`), to replay in the worker; `peer` the TCP peer if it was read. */
  onRoute(conn: Connection, data: Buffer, decision: Extract<Decision, { kind: 'route' }>, peer: string | undefined): void;
  onReject(conn: Connection, why: string, detail: string): void;
}

/**
 * An accepted TCP handle read without a Socket. `onread` is what Node's stream_base calls
 * with each read: an ArrayBuffer of exactly the bytes read, or undefined at end of stream or
 * on an error (Node 20-24 alike; a read of 0 bytes calls nothing).
 */
export interface ReadableHandle extends NativeHandle, UserBufferHandle {
  onread: (buffer: ArrayBuffer | undefined) => void;
  readStart(): number;
  readStop(): number;
}

/** Whether an accepted handle can be read without a Socket; if not, the caller builds one. */
export function isReadableHandle(handle: NativeHandle): handle is ReadableHandle {
  const h = handle as Partial<ReadableHandle>;
  return typeof h.readStart === 'function' && typeof h.readStop === 'function' && 'onread' in h;
}

const REASON: Record<RejectStatus, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};
/** How long a rejected client gets to read its answer before the primary closes anyway. */
const LINGER_MS = 1000;

/** One connection being read. */
class Reading {
  deadline = 0;
  readonly read = new ByteAccumulator();
  /** The Socket path's listeners, removed when reading stops; unset on the handle path. */
  unlisten: (() => void) | undefined;
  counted = false;
  constructor(readonly conn: Connection, readonly decoder: PreambleDecoder, public peer: string | undefined) {}
}

/**
 * Reads each accepted connection's leading bytes in the primary until the routing key is
 * known, then hands everything read to `onRoute`.
 *
 * `readHandle` takes the accepted handle itself, as ip mode does: its reads arrive in its
 * `onread`, and reading stops in the same call that completes the key, so no later read can
 * happen in the primary (bytes the same read brought past the head go to the worker too).
 * No Socket, no stream buffer, no per-connection timer: deadlines are swept by one timer.
 *
 * `read` is the path through a paused Socket, for a listening handle whose accepted handles
 * cannot be read that way. The server runs with highWaterMark 0 and read() is only called
 * while bytes are buffered, so the handle stops after every chunk and reads nothing the
 * decoder did not ask for: no byte can land in the primary's stream buffer after the
 * decision, where `worker.send(msg, socket)` would leave it behind.
 */
export class PreambleReaders {
  private readonly reading: DeadlineSweep<Reading>;
  private readonly shares: PeerShares | undefined;
  private readonly held = (): Reading[] => this.reading.values();

  constructor(private readonly options: PreambleReaderOptions) {
    this.shares = options.maxPerPeer === undefined ? undefined : new PeerShares(options.maxPerPeer);
    this.reading = new DeadlineSweep(options.timeoutMs, (r) => {
      this.shares?.release(r, this.held, this.reading.size);
      this.stopReading(r);
      this.reject(r.conn, 'timeout', `no routing key within ${options.timeoutMs} ms`, 408);
    });
  }

  get size(): number {
    return this.reading.size;
  }

  /** `peer`: the handle's peer address if the caller has read it already (else read when needed). */
  readHandle(handle: ReadableHandle, peer?: string): void {
    const r = new Reading(handle, this.options.decoder(), peer);
    if (!this.admit(r)) return;
    const bounded = boundReads(handle);
    handle.onread = (buffer) => {
      const chunk = bounded ? boundedRead() : buffer === undefined ? undefined : Buffer.from(buffer);
      if (chunk === null) return;
      if (chunk === undefined) {
        this.forget(r);
        return;
      }
      this.take(r, chunk);
    };
    if (handle.readStart() !== 0) {
      this.shares?.release(r, this.held, this.reading.size);
      handle.close();
      return;
    }
    this.reading.add(r);
  }

  read(socket: Socket): void {
    const r = new Reading(socket, this.options.decoder(), undefined);
    if (!this.admit(r)) return;
    const onGone = (): void => this.forget(r);
    const onReadable = (): void => {
      while (socket.readableLength > 0) {
        const chunk = socket.read() as Buffer | null;
        if (chunk === null) break;
        if (this.take(r, chunk)) return;
      }
      // Ask for exactly one more chunk; the handle stops again once it is buffered.
      socket.read(0);
    };
    r.unlisten = () => {
      socket.off('readable', onReadable);
      socket.off('end', onGone);
      socket.off('close', onGone);
    };
    socket.on('error', noop);
    socket.on('readable', onReadable);
    socket.on('end', onGone);
    socket.on('close', onGone);
    this.reading.add(r);
  }

  /** Slowloris from one address must not hold every place maxPending leaves: each peer gets a share. */
  private admit(r: Reading): boolean {
    const n = this.shares?.admit(r, this.held, this.reading.size);
    if (n === undefined) return true;
    this.options.onReject(r.conn, 'perPeer', `${r.peer} already has ${n} connections whose routing key is not read yet (its share of maxPending)`);
    release(r.conn);
    return false;
  }

  /** Closes every connection still being read (the balancer is stopping). */
  closeAll(): void {
    for (const r of this.reading.values()) this.forget(r);
    this.reading.clear();
  }

  /** Feeds one read to the decoder; true once it decided (reading has stopped then). */
  private take(r: Reading, chunk: Buffer): boolean {
    r.read.append(chunk);
    const d = decode(r.decoder, chunk);
    if (d.kind === 'more') return false;
    if (this.reading.delete(r)) this.shares?.release(r, this.held, this.reading.size);
    this.stopReading(r);
    if (d.kind === 'reject') {
      this.reject(r.conn, d.why, d.detail, d.status);
      return true;
    }
    if (r.conn instanceof Socket) {
      // read() hands over the whole buffer, but never leave a byte behind at hand-off.
      while (r.conn.readableLength > 0) r.read.append(r.conn.read() as Buffer);
    }
    let data = r.read.bytes();
    if (d.skip) data = data.subarray(d.skip);
    this.options.onRoute(r.conn, data, d, r.peer);
    return true;
  }

  /** The client went away (or the balancer stops) before its key was known. */
  private forget(r: Reading): void {
    if (this.reading.delete(r)) this.shares?.release(r, this.held, this.reading.size);
    this.stopReading(r);
    release(r.conn);
  }

  private stopReading(r: Reading): void {
    if (r.unlisten !== undefined) r.unlisten();
    else (r.conn as ReadableHandle).readStop();
  }

  private reject(conn: Connection, why: string, detail: string, status: RejectStatus | undefined): void {
    this.options.onReject(conn, why, detail);
    if (!this.options.answerHttp || status === undefined) {
      release(conn);
      return;
    }
    // Answering is rare (bad or slow clients): a Socket around a raw handle does the writing.
    // `onread` with a buffer of its own: a handle read into the shared buffer stays that way
    // (there is no undoing useUserBuffer), and a Socket reading it without one would fail.
    const socket = conn instanceof Socket ? conn
      : new Socket({ handle: conn, readable: true, writable: true, onread: { buffer: DRAIN, callback: drop } } as SocketOptions);
    if (socket.destroyed) return;
    // Read and drop what the client still sends: closing with unread bytes sends a reset,
    // which can reach the client before the answer does.
    socket.on('error', noop);
    socket.on('data', noop);
    socket.resume();
    socket.end(`HTTP/1.1 ${status} ${REASON[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once('close', () => clearTimeout(linger));
  }
}

/** What a rejected client still sends is read into this and dropped. */
const DRAIN = Buffer.allocUnsafeSlow(4096);
const drop = (): void => {};

/** `handle` is what net.Server itself passes for an accepted connection (not in the types). */
type SocketOptions = ConstructorParameters<typeof Socket>[0];

function release(conn: Connection): void {
  if (conn instanceof Socket) conn.destroy();
  else conn.close();
}
