/**
 * The libc calls kernel accept needs and Node does not expose (setsockopt with
 * SO_REUSEPORT and SO_ATTACH_REUSEPORT_CBPF), through koffi, an optional dependency.
 *
 * Why koffi and not an N-API addon: koffi ships its binaries inside its npm packages (one
 * optional package per platform), so installing needs no compiler and no download; an addon
 * would need node-gyp (a compiler and Node's headers) on every user's machine unless we
 * published prebuilds for each platform and Node ABI. Both fail the same way where they
 * cannot load, so the caller falls back to primary accept: on another OS, another CPU, with
 * `npm ci --omit=optional`, or when the binary does not load.
 */
import { endianness } from 'node:os';
import type { Insn } from './cbpf.js';

/** Linux constants (asm-generic; the same on the CPUs listed in SUPPORTED_ARCHES). */
export const LINUX = {
  AF_INET: 2, AF_INET6: 10, SOCK_STREAM: 1, SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1, SO_REUSEADDR: 2, SO_REUSEPORT: 15, SO_ATTACH_REUSEPORT_CBPF: 51,
  IPPROTO_IPV6: 41, IPV6_V6ONLY: 26, F_DUPFD_CLOEXEC: 1030, SHUT_RD: 0, EAGAIN: 11,
} as const;

/** Byte order of sa_family and int option values (ports and addresses are big-endian). */
export const HOST_LE = endianness() === 'LE';

/** CPUs whose socket option numbers are asm-generic's (mips, sparc and parisc differ). */
const SUPPORTED_ARCHES = new Set(['x64', 'arm64', 'arm', 'ia32', 'riscv64', 'loong64', 'ppc64', 's390x']);

/** Set to make kernel accept unavailable or broken on purpose, to test the fallback. */
export const KERNEL_FAULT_ENV = 'STICKY_KERNEL_FAULT';
export type KernelFault = 'no-ffi' | 'bad-program';

export function kernelFault(env: NodeJS.ProcessEnv = process.env): KernelFault | undefined {
  const v = env[KERNEL_FAULT_ENV];
  return v === 'no-ffi' || v === 'bad-program' ? v : undefined;
}

/** Each returns what libc returns (-1 on failure, then errno() says why). */
export interface SocketCalls {
  socket(domain: number, type: number, protocol: number): number;
  setsockoptInt(fd: number, level: number, name: number, value: number): number;
  attachReuseportCbpf(fd: number, program: Insn[]): number;
  bind(fd: number, sockaddr: Buffer): number;
  listen(fd: number, backlog: number): number;
  /** Fills `sockaddr` with the bound address. */
  getsockname(fd: number, sockaddr: Buffer): number;
  dupCloexec(fd: number): number;
  /** accept4(fd, NULL, NULL, SOCK_CLOEXEC): a queued connection's descriptor, or -1 (EAGAIN: none queued). */
  acceptCloexec(fd: number): number;
  shutdown(fd: number, how: number): number;
  close(fd: number): number;
  errno(): number;
}

export type SocketCallsResult = { ok: true; calls: SocketCalls } | { ok: false; reason: string };

/** What this module uses of koffi (typed here: the package may be absent at build time of a user). */
interface Koffi {
  load(path: string | null): { func(signature: string): (...args: unknown[]) => number };
  struct(name: string, fields: Record<string, string>): unknown;
  sizeof(type: unknown): number;
  errno(): number;
}

type Loader = (id: string) => unknown;

/**
 * Loads the calls, or says why kernel accept is unavailable here. `load` is the seam tests
 * use to make koffi missing or broken without uninstalling it.
 */
export function loadSocketCalls(load: Loader = require, env: NodeJS.ProcessEnv = process.env): SocketCallsResult {
  if (process.platform !== 'linux') return { ok: false, reason: `kernel accept needs Linux (this is ${process.platform})` };
  if (!SUPPORTED_ARCHES.has(process.arch)) return { ok: false, reason: `kernel accept is not built for ${process.arch} CPUs` };
  if (kernelFault(env) === 'no-ffi') return { ok: false, reason: `koffi disabled by ${KERNEL_FAULT_ENV}=no-ffi` };
  let koffi: Koffi;
  try {
    koffi = load('koffi') as Koffi;
  } catch (err) {
    return { ok: false, reason: `the optional dependency koffi did not load (${firstLine(err)})` };
  }
  try {
    let calls = bound.get(koffi);
    if (!calls) bound.set(koffi, calls = bindCalls(koffi));
    return { ok: true, calls };
  } catch (err) {
    return { ok: false, reason: `koffi could not bind libc's socket calls (${firstLine(err)})` };
  }
}

/** Bound once per koffi: it refuses a second struct type of the same name. */
const bound = new WeakMap<Koffi, SocketCalls>();

function bindCalls(koffi: Koffi): SocketCalls {
  const libc = koffi.load(null);
  const socket = libc.func('int socket(int domain, int type, int protocol)');
  const setsockopt = libc.func('int setsockopt(int fd, int level, int name, void *value, uint32_t len)');
  koffi.struct('sticky_sock_filter', { code: 'uint16', jt: 'uint8', jf: 'uint8', k: 'uint32' });
  const fprog = koffi.struct('sticky_sock_fprog', { len: 'uint16', filter: 'sticky_sock_filter *' });
  const fprogSize = koffi.sizeof(fprog);
  const attach = libc.func('int setsockopt(int fd, int level, int name, const sticky_sock_fprog *prog, uint32_t len)');
  const bind = libc.func('int bind(int fd, void *addr, uint32_t len)');
  const listen = libc.func('int listen(int fd, int backlog)');
  const getsockname = libc.func('int getsockname(int fd, void *addr, void *len)');
  const fcntl = libc.func('int fcntl(int fd, int cmd, ...)');
  const accept4 = libc.func('int accept4(int fd, void *addr, void *len, int flags)');
  const shutdown = libc.func('int shutdown(int fd, int how)');
  const close = libc.func('int close(int fd)');
  return {
    socket: (domain, type, protocol) => socket(domain, type, protocol),
    setsockoptInt(fd, level, name, value) {
      const v = Buffer.alloc(4);
      if (HOST_LE) v.writeInt32LE(value);
      else v.writeInt32BE(value);
      return setsockopt(fd, level, name, v, 4);
    },
    attachReuseportCbpf: (fd, program) =>
      attach(fd, LINUX.SOL_SOCKET, LINUX.SO_ATTACH_REUSEPORT_CBPF, { len: program.length, filter: program }, fprogSize),
    bind: (fd, sockaddr) => bind(fd, sockaddr, sockaddr.length),
    listen: (fd, backlog) => listen(fd, backlog),
    getsockname(fd, sockaddr) {
      const len = Buffer.alloc(4);
      if (HOST_LE) len.writeUInt32LE(sockaddr.length);
      else len.writeUInt32BE(sockaddr.length);
      return getsockname(fd, sockaddr, len);
    },
    dupCloexec: (fd) => fcntl(fd, LINUX.F_DUPFD_CLOEXEC, 'int', 0),
    acceptCloexec: (fd) => accept4(fd, null, null, LINUX.SOCK_CLOEXEC),
    shutdown: (fd, how) => shutdown(fd, how),
    close: (fd) => close(fd),
    errno: () => koffi.errno(),
  };
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0]!;
}
