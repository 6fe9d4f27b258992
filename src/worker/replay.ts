import type { Server, Socket } from 'node:net';

/** The original package's `sync` option: replay the read bytes only when `event` fires. */
export interface SyncOptions {
  event: string;
}

/**
 * Gives the server a handed-off socket, with the bytes the primary read put back in front
 * of the stream (a public-API unshift, byte-exact), optionally held until the sync event.
 */
export function replay(server: Server, socket: Socket, data: string | undefined, sync?: SyncOptions): void {
  const bytes = data === undefined ? undefined : Buffer.from(data, 'base64');
  if (!sync || !bytes) {
    if (bytes) socket.unshift(bytes);
    server.emit('connection', socket);
    return;
  }
  // Hold the stream until the app says so, on this socket or on the server.
  socket.pause();
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
  socket.once('close', () => {
    server.off(sync.event, release);
  });
  server.emit('connection', socket);
}
