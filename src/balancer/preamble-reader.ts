import type { Socket } from 'node:net';
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
  let chunks: Buffer[] = [];
  let length = 0;
  return {
    push(chunk) {
      chunks.push(chunk);
      length += chunk.length;
      if (chunks.length > 1) chunks = [Buffer.concat(chunks, length)];
      const r = parseProxyPreamble(chunks[0]!, maxBytes);
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
  /** The key is known: `data` is every byte read (less `skip`), to replay in the worker. */
  onRoute(socket: Socket, data: Buffer, decision: Extract<Decision, { kind: 'route' }>): void;
  onReject(socket: Socket, why: string, detail: string): void;
}

const REASON: Record<RejectStatus, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};
/** How long a rejected client gets to read its answer before the primary closes anyway. */
const LINGER_MS = 1000;

/**
 * Reads each paused connection's leading bytes in the primary until the routing key is
 * known, then hands everything read to `onRoute`. The server runs with highWaterMark 0 and
 * read() is only called while bytes are buffered, so the handle stops after every chunk and
 * reads nothing the decoder did not ask for: no byte can land in the primary's stream buffer
 * after the decision, where `worker.send(msg, socket)` would leave it behind.
 */
export class PreambleReaders {
  private readonly reading = new Map<Socket, () => void>();
  private readonly byPeer = new Map<string, number>();

  constructor(private readonly options: PreambleReaderOptions) {}

  get size(): number {
    return this.reading.size;
  }

  read(socket: Socket): void {
    const peer = socket.remoteAddress ?? '';
    if (!this.admit(socket, peer)) return;
    const decoder = this.options.decoder();
    const chunks: Buffer[] = [];
    const stop = (): void => {
      if (!this.reading.has(socket)) return;
      this.release(peer);
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onGone);
      socket.off('close', onGone);
      this.reading.delete(socket);
    };
    const onGone = (): void => {
      stop();
      socket.destroy();
    };
    const onReadable = (): void => {
      while (socket.readableLength > 0) {
        const chunk = socket.read() as Buffer | null;
        if (chunk === null) break;
        chunks.push(chunk);
        const d = decode(decoder, chunk);
        if (d.kind === 'more') continue;
        stop();
        if (d.kind === 'reject') {
          this.reject(socket, d.why, d.detail, d.status);
          return;
        }
        // read() hands over the whole buffer, but never leave a byte behind at hand-off.
        while (socket.readableLength > 0) chunks.push(socket.read() as Buffer);
        let data = chunks.length === 1 ? chunk : Buffer.concat(chunks);
        if (d.skip) data = data.subarray(d.skip);
        this.options.onRoute(socket, data, d);
        return;
      }
      // Ask for exactly one more chunk; the handle stops again once it is buffered.
      socket.read(0);
    };
    const timer = setTimeout(() => {
      stop();
      this.reject(socket, 'timeout', `no routing key within ${this.options.timeoutMs} ms`, 408);
    }, this.options.timeoutMs);
    socket.on('error', noop);
    socket.on('readable', onReadable);
    socket.on('end', onGone);
    socket.on('close', onGone);
    this.reading.set(socket, onGone);
  }

  /** Slowloris from one address must not hold every place maxPending leaves: each peer gets a share. */
  private admit(socket: Socket, peer: string): boolean {
    const max = this.options.maxPerPeer;
    if (max === undefined) return true;
    const n = this.byPeer.get(peer) ?? 0;
    if (n >= max) {
      this.options.onReject(socket, 'perPeer', `${peer} already has ${n} connections whose routing key is not read yet (its share of maxPending)`);
      socket.destroy();
      return false;
    }
    this.byPeer.set(peer, n + 1);
    return true;
  }

  private release(peer: string): void {
    if (this.options.maxPerPeer === undefined) return;
    const n = this.byPeer.get(peer)!;
    if (n <= 1) this.byPeer.delete(peer);
    else this.byPeer.set(peer, n - 1);
  }

  /** Closes every connection still being read (the balancer is stopping). */
  closeAll(): void {
    for (const gone of [...this.reading.values()]) gone();
  }

  private reject(socket: Socket, why: string, detail: string, status: RejectStatus | undefined): void {
    this.options.onReject(socket, why, detail);
    if (!this.options.answerHttp || status === undefined || socket.destroyed) {
      socket.destroy();
      return;
    }
    // Read and drop what the client still sends: closing with unread bytes sends a reset,
    // which can reach the client before the answer does.
    socket.on('data', noop);
    socket.resume();
    socket.end(`HTTP/1.1 ${status} ${REASON[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once('close', () => clearTimeout(linger));
  }
}
