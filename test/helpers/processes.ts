import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { waitUntil } from './wait-for.js';
import { parseStat } from '../../src/supervisor/proc-stats.js';

export interface Started {
  child: ChildProcess;
  pid: number;
  /** Every stdout line so far. */
  lines: string[];
  stderr: string[];
  /** Calls `listener` with each stdout line from now on. */
  onLine(listener: (line: string) => void): void;
  /** Resolves with the first stdout line matching `re`; rejects at once if the process exits first. */
  line(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process and everything it forked, by PID. */
  kill(): Promise<void>;
}

export interface NodeOptions {
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Options for node itself, before the script (e.g. --expose-gc). */
  nodeArgs?: string[];
  /** In a process group of its own (as a shell job), so the group can be signalled. */
  detached?: boolean;
  /** 'pipe' to write to the process (the routing fixtures take commands on stdin). */
  stdin?: 'ignore' | 'pipe';
}

const started = new Set<Started>();

/**
 * The one way the tests start a node process that keeps running: output collected line by
 * line, its children found through /proc and killed by PID (killAll after each file).
 */
export function startNode(script: string, args: string[] = [], options: NodeOptions = {}): Started {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    detached: options.detached,
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const lineListeners: ((line: string) => void)[] = [];
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const part of parts) {
      lines.push(part);
      for (const listener of lineListeners) listener(part);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const s: Started = {
    child,
    pid: child.pid!,
    lines,
    stderr,
    exited,
    onLine(listener) {
      lineListeners.push(listener);
    },
    async line(re, timeoutMs = 15_000) {
      // waitUntil: an exit fails at once instead of at the timeout.
      return waitUntil(() => {
        for (const l of lines) {
          const m = l.match(re);
          if (m) return m;
        }
        if (child.exitCode !== null) throw new Error(`process exited ${child.exitCode}: ${stderr.join('')}`);
        return null;
      }, timeoutMs, `a line matching ${re} (stderr: ${stderr.join('').slice(-500)})`);
    },
    async kill() {
      started.delete(s);
      const pids = [...descendants(s.pid), s.pid];
      for (const pid of pids) tryKill(pid, 'SIGKILL');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
  started.add(s);
  return s;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs node with `args` to its end and returns what it printed; kills it, and fails, after
 * `timeoutMs`. Resolves on 'close', not 'exit': a worker sharing the stderr pipe may still
 * be writing its last words.
 */
export function runNode(args: string[], options: Omit<NodeOptions, 'detached' | 'nodeArgs'> & { timeoutMs?: number } = {}): Promise<Finished> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      for (const pid of [...descendants(child.pid!), child.pid!]) tryKill(pid, 'SIGKILL');
      reject(new Error(`node ${args.join(' ').slice(0, 200)} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Kills every process a test file started and did not clean up. */
export async function killAll(): Promise<void> {
  await Promise.all([...started].map((s) => s.kill()));
}

export function tryKill(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).state !== 'Z';
  } catch {
    return false;
  }
}

/** PIDs of every live process whose parent chain leads to `pid`. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { ppid } = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // raced with an exit
    }
  }
  const out: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Number of open file descriptors of `pid`. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Inodes of the sockets `pid` holds open. */
export function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
      if (m) out.add(m[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  return out;
}

/** Inodes of listening TCP sockets (IPv4 and IPv6) on the machine. */
export function listeningInodes(): Set<string> {
  return new Set(listeningPorts().keys());
}

/** Listening TCP sockets (IPv4 and IPv6) on the machine: inode -> local port. */
export function listeningPorts(): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; st 0A is LISTEN.
      if (cols[3] === '0A') out.set(cols[9]!, parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return out;
}
