import type { Server, Socket } from 'node:net';
import type { ConnMessage } from '../ipc/messages.js';

/** The original package's `sync` option: replay the read bytes only when `event` fires. */
export interface SyncOptions {
  event: string;
}

/**
 * Gives the server a handed-off socket, with the bytes the primary read put back in front
 * of the stream (a public-API unshift, byte-exact), optionally held until the sync event.
 */
export function replay(server: Server, socket: Socket, bytes: Buffer | undefined, sync?: SyncOptions): void {
  if (!sync || !bytes) {
    if (bytes) socket.unshift(bytes);
    server.emit('connection', socket);
    return;
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    socket.off(sync.event, release);
    server.off(sync.event, release);
    socket.unshift(bytes);
    socket.resume();
  };
  socket.once(sync.event, release);
  server.once(sync.event, release);
  socket.once('close', () => server.off(sync.event, release));
  server.emit('connection', socket);
  // Paused only now, after the server took the socket, and a tick later, after the resume
  // its 'data' listener scheduled: Node's HTTP server reads the handle directly and stops it
  // on the 'pause' event, which fires only if the socket was flowing. Paused earlier, bytes
  // arriving while we wait would reach the parser ahead of the ones held here.
  process.nextTick(() => {
    if (!released) socket.pause();
  });
}

/** The bytes the primary read before routing, as the hand-off message carries them. */
export function handedBytes(msg: ConnMessage): Buffer | undefined {
  if (msg.bytes !== undefined) return Buffer.from(msg.bytes, 'latin1');
  return msg.data === undefined ? undefined : Buffer.from(msg.data, 'base64');
}
