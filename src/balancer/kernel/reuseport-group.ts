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
import { openTcpConnection, openTcpHandle, type TcpHandle } from './tcp-handle.js';

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
  /** Slots the attached program steers to: the first `steered` sockets; the rest are leaving. */
  private steeredSlots: number;

  private constructor(
    private readonly calls: SocketCalls,
    private readonly handles: TcpHandle[],
    private readonly options: GroupOptions,
    readonly address: Endpoint,
    public programLength: number,
  ) {
    this.steeredSlots = handles.length;
  }

  /** Opens the group on a port claimPort found free (or on which it chose). */
  static open(calls: SocketCalls, options: GroupOptions): ReuseportGroup {
    const { host } = options;
    const program = programFor(options, options.slots);
    const handles: TcpHandle[] = [];
    try {
      // Port 0: the others join the port the kernel gave the first (claimPort is the safer way).
      handles.push(openMember(calls, options, options.port));
      const first = handles[0]!.fd;
      if (calls.attachReuseportCbpf(first, program) < 0) {
        throw new SocketCallError('setsockopt(SO_ATTACH_REUSEPORT_CBPF)', calls.errno(), host, options.port);
      }
      const address = localEndpoint(calls, first, host, options.port);
      const joined = { ...options, port: address.port };
      for (let slot = 1; slot < options.slots; slot++) handles.push(openMember(calls, joined, address.port));
      return new ReuseportGroup(calls, handles, joined, address, program.length);
    } catch (err) {
      for (const h of handles) h.close();
      throw err;
    }
  }

  /** Sockets in the group, steered or leaving. */
  get size(): number {
    return this.handles.length;
  }

  /** How many slots the attached program steers to (the first ones). */
  get steered(): number {
    return this.steeredSlots;
  }

  /**
   * Steers over `slots` sockets from now on (`sticky scale`). Growing appends sockets (the
   * kernel numbers a socket by when it joined, so each new one takes the next index; sockets
   * still leaving the group are taken back first), then swaps the program: the old one never
   * returns a new index, so nothing reaches a new socket before the swap. Shrinking only swaps
   * the program: the sockets past `slots` stay, their queues still served, until
   * removeLast(). One setsockopt replaces the group's program for every socket at once.
   * Throws having changed nothing.
   */
  resize(slots: number): void {
    this.assertOpen();
    const program = programFor(this.options, slots);
    const from = this.handles.length;
    try {
      for (let slot = from; slot < slots; slot++) this.handles.push(openMember(this.calls, this.options, this.address.port));
      if (this.calls.attachReuseportCbpf(this.handles[0]!.fd, program) < 0) {
        throw new SocketCallError('setsockopt(SO_ATTACH_REUSEPORT_CBPF)', this.calls.errno(), this.address.address, this.address.port);
      }
    } catch (err) {
      // The newest sockets are the group's last: closing them moves no other socket.
      for (const h of this.handles.splice(from).reverse()) h.close();
      throw err;
    }
    this.steeredSlots = slots;
    this.programLength = program.length;
  }

  /**
   * Takes the last socket out of the group; only one the program no longer steers to. Its
   * queued connections are accepted here and returned (handles, as the primary's accept
   * makes them) for the caller to route; then shutdown(SHUT_RD) unhashes it at once, whoever else still holds a
   * copy (a worker that has not closed its own yet), so the next socket a grow opens takes
   * this index. Only the last: the kernel fills a hole with its last socket.
   */
  removeLast(): TcpHandle[] {
    this.assertOpen();
    const slot = this.handles.length - 1;
    if (slot < this.steeredSlots) throw new Error(`slot ${slot}'s socket is still steered to; resize the group first`);
    const handle = this.handles[slot]!;
    const queued: TcpHandle[] = [];
    for (;;) {
      const fd = this.calls.acceptCloexec(handle.fd);
      if (fd < 0) break;
      const connection = openTcpConnection(fd);
      if (typeof connection === 'number') this.calls.close(fd);
      else queued.push(connection);
    }
    this.calls.shutdown(handle.fd, LINUX.SHUT_RD);
    this.handles.pop();
    handle.close();
    return queued;
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

/** The steering program for `slots`, or, with the self-test's fault set, one that sends everything to slot 0. */
function programFor(options: SteerOptions, slots: number): Insn[] {
  const program = steeringProgram({ ...options, slots });
  return kernelFault() === 'bad-program' ? withoutAddressLoads(program) : program;
}

/**
 * One socket bound to the group's port and listening: it joins the group (at the next
 * index) at listen(). Returned as a handle that owns the descriptor.
 */
function openMember(calls: SocketCalls, options: GroupOptions, port: number): TcpHandle {
  const { host } = options;
  const sockaddr = sockaddrOf(host, port);
  const fd = openSocket(calls, sockaddr, host, port, options.ipv6Only ?? false, true);
  try {
    if (calls.bind(fd, sockaddr) < 0) throw new SocketCallError('bind', calls.errno(), host, port);
    if (calls.listen(fd, options.backlog ?? DEFAULT_BACKLOG) < 0) throw new SocketCallError('listen', calls.errno(), host, port);
  } catch (err) {
    calls.close(fd);
    throw err;
  }
  const handle = openTcpHandle(fd);
  if (typeof handle === 'number') {
    // Listening: closing it unhashes it, and it is the group's last (every caller appends).
    calls.close(fd);
    throw new SocketCallError('uv_tcp_open', -handle, host, port);
  }
  return handle;
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
