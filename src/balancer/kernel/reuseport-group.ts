/**
 * One listening socket per slot on one address and port (SO_REUSEPORT), joined in slot
 * order, with the steering program attached: the kernel queues each connection on its
 * slot's socket. The primary holds every socket for the group's life (closing one would
 * let the kernel move the last socket into its index and reset its queued connections).
 */
import { getSystemErrorMap, getSystemErrorName } from 'node:util';
import { BPF, type Insn } from './cbpf.js';
import { LINUX, kernelFault, type SocketCalls } from './socket-calls.js';
import { SOCKADDR_MAX, decodeSockaddr, encodeSockaddr, type Endpoint } from './sockaddr.js';
import { steeringProgram, type SteerOptions } from './steer-program.js';
import { openTcpHandle, type TcpHandle } from './tcp-handle.js';

export interface GroupOptions extends SteerOptions {
  /** An IP literal; '::' is dual-stack unless ipv6Only. */
  host: string;
  port: number;
  ipv6Only?: boolean;
  /** listen(2)'s backlog, as net.Server's default. */
  backlog?: number;
}

const DEFAULT_BACKLOG = 511;

/** An errno failure shaped like Node's own (`code`, `errno`, `syscall`, `address`, `port`). */
export class SocketCallError extends Error {
  readonly code: string;
  readonly errno: number;

  constructor(readonly syscall: string, errno: number, readonly address: string, readonly port: number) {
    const code = errno > 0 ? getSystemErrorName(-errno) : `E${errno}`;
    const text = getSystemErrorMap().get(-errno)?.[1] ?? 'unknown error';
    super(`${syscall} ${code}: ${text} ${address}:${port}`);
    this.code = code;
    this.errno = -errno;
  }
}

/**
 * Checks that nothing listens on host:port, by binding it without SO_REUSEPORT: a listener
 * of the same user with SO_REUSEPORT would otherwise let our group join its own silently.
 * Returns the endpoint, with the port the kernel chose when `port` is 0. Throws the error
 * net.Server#listen would have (EADDRINUSE, EACCES, EADDRNOTAVAIL).
 */
export function claimPort(calls: SocketCalls, host: string, port: number, ipv6Only = false): Endpoint {
  const sockaddr = sockaddrOf(host, port);
  const fd = openSocket(calls, sockaddr, host, port, ipv6Only, false);
  try {
    if (calls.bind(fd, sockaddr) < 0) throw new SocketCallError('listen', calls.errno(), host, port);
    return localEndpoint(calls, fd, host, port);
  } finally {
    calls.close(fd);
  }
}

export class ReuseportGroup {
  private closed = false;

  private constructor(
    private readonly calls: SocketCalls,
    private readonly handles: TcpHandle[],
    readonly address: Endpoint,
    readonly programLength: number,
  ) {}

  /** Opens the group on a port claimPort found free (or on which it chose). */
  static open(calls: SocketCalls, options: GroupOptions): ReuseportGroup {
    const { host } = options;
    let port = options.port;
    let sockaddr = sockaddrOf(host, port);
    let program = steeringProgram(options);
    if (kernelFault() === 'bad-program') program = withoutAddressLoads(program);
    const fds: number[] = [];
    const handles: TcpHandle[] = [];
    try {
      for (let slot = 0; slot < options.slots; slot++) {
        const fd = openSocket(calls, sockaddr, host, port, options.ipv6Only ?? false, true);
        fds.push(fd);
        if (calls.bind(fd, sockaddr) < 0) throw new SocketCallError('bind', calls.errno(), host, port);
        // The kernel numbers sockets in the order they join the group, at listen().
        if (calls.listen(fd, options.backlog ?? DEFAULT_BACKLOG) < 0) throw new SocketCallError('listen', calls.errno(), host, port);
        if (slot > 0) continue;
        if (calls.attachReuseportCbpf(fd, program) < 0) {
          throw new SocketCallError('setsockopt(SO_ATTACH_REUSEPORT_CBPF)', calls.errno(), host, port);
        }
        // Port 0: the others join the port the kernel gave the first (claimPort is the safer way).
        port = localEndpoint(calls, fd, host, port).port;
        sockaddr = sockaddrOf(host, port);
      }
      for (const fd of fds) {
        const handle = openTcpHandle(fd);
        if (typeof handle === 'number') throw new SocketCallError('uv_tcp_open', -handle, host, port);
        handles.push(handle);
      }
      return new ReuseportGroup(calls, handles, localEndpoint(calls, fds[0]!, host, port), program.length);
    } catch (err) {
      for (const h of handles) h.close();
      for (const fd of fds.slice(handles.length)) calls.close(fd);
      throw err;
    }
  }

  get size(): number {
    return this.handles.length;
  }

  /** The primary's copy of a slot's socket: send it to the slot's worker; never listen on it here. */
  handle(slot: number): TcpHandle {
    this.assertOpen();
    return this.handles[slot]!;
  }

  /**
   * A close-on-exec duplicate of a slot's socket (a plain dup would leak into the next fork),
   * for the primary to accept from while the slot has no worker: net.Server#listen({ fd }).
   * Closing that server closes only the duplicate; the socket stays in the group.
   */
  duplicate(slot: number): number {
    this.assertOpen();
    const fd = this.calls.dupCloexec(this.handles[slot]!.fd);
    if (fd < 0) throw new SocketCallError('fcntl(F_DUPFD_CLOEXEC)', this.calls.errno(), this.address.address, this.address.port);
    return fd;
  }

  /** Closes the primary's copies: the sockets go once the workers' copies are closed too. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.handles) h.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the reuseport group is closed');
  }
}

function localEndpoint(calls: SocketCalls, fd: number, host: string, port: number): Endpoint {
  const bound = Buffer.alloc(SOCKADDR_MAX);
  if (calls.getsockname(fd, bound) < 0) throw new SocketCallError('getsockname', calls.errno(), host, port);
  return decodeSockaddr(bound);
}

function sockaddrOf(host: string, port: number): Buffer {
  const sockaddr = encodeSockaddr(host, port);
  if (!sockaddr) throw new TypeError(`kernel accept binds an IP literal without a zone, not "${host}"`);
  return sockaddr;
}

function openSocket(calls: SocketCalls, sockaddr: Buffer, host: string, port: number, ipv6Only: boolean, reusePort: boolean): number {
  const v6 = sockaddr.length > 16;
  const fd = calls.socket(v6 ? LINUX.AF_INET6 : LINUX.AF_INET, LINUX.SOCK_STREAM | LINUX.SOCK_CLOEXEC, 0);
  if (fd < 0) throw new SocketCallError('socket', calls.errno(), host, port);
  // As libuv does for every listener: SO_REUSEADDR (TIME_WAIT leftovers do not block the
  // port) and an explicit IPV6_V6ONLY, so '::' is dual-stack whatever the sysctl says.
  const options: Array<[number, number, number]> = [[LINUX.SOL_SOCKET, LINUX.SO_REUSEADDR, 1]];
  if (reusePort) options.push([LINUX.SOL_SOCKET, LINUX.SO_REUSEPORT, 1]);
  if (v6) options.push([LINUX.IPPROTO_IPV6, LINUX.IPV6_V6ONLY, ipv6Only ? 1 : 0]);
  for (const [level, name, value] of options) {
    if (calls.setsockoptInt(fd, level, name, value) < 0) {
      const errno = calls.errno();
      calls.close(fd);
      throw new SocketCallError('setsockopt', errno, host, port);
    }
  }
  return fd;
}

/** The failure the start-up self-test exists for: every address load fails, so every connection goes to slot 0. */
function withoutAddressLoads(program: Insn[]): Insn[] {
  return program.map((i) => ((i.code & 0x07) === BPF.LD && (i.code & 0xe0) === BPF.ABS ? { ...i, k: 0 } : i));
}
