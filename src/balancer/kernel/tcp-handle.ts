/**
 * Node's own TCP handle (tcp_wrap, what net.Server wraps) around a descriptor we made.
 * The primary must hold each slot's listening socket without accepting from it, and send
 * it to a worker: net.Server.listen({ fd }) would start accepting, a raw handle does not.
 */

export interface TcpHandle {
  /** Called per accepted connection once listen() ran; `client` is the accepted handle. */
  onconnection: ((err: number, client: unknown) => void) | null;
  open(fd: number): number;
  listen(backlog: number): number;
  getsockname(out: { address?: string; family?: string; port?: number }): number;
  close(cb?: () => void): void;
  readonly fd: number;
}

interface TcpWrap {
  TCP: new (type: number) => TcpHandle;
  constants: { SERVER: number; SOCKET: number };
}

let tcpWrap: TcpWrap | undefined;

/** Takes ownership of `fd`: closing the handle closes it. Returns the uv error code on failure. */
export function openTcpHandle(fd: number): TcpHandle | number {
  return open(fd, 'SERVER');
}

/**
 * A connected socket's handle, as the primary's accept would have made it (what the
 * Dispatcher hands off): for connections taken from a slot's queue with accept4 directly.
 */
export function openTcpConnection(fd: number): TcpHandle | number {
  return open(fd, 'SOCKET');
}

function open(fd: number, type: 'SERVER' | 'SOCKET'): TcpHandle | number {
  // tcp_wrap is on process.binding's allow-list (Node 20 to 24) without a runtime warning.
  tcpWrap ??= (process as unknown as { binding(name: string): TcpWrap }).binding('tcp_wrap');
  const handle = new tcpWrap.TCP(tcpWrap.constants[type]);
  const err = handle.open(fd);
  if (err !== 0) {
    handle.close();
    return err;
  }
  return handle;
}
