/**
 * `sticky.config.ts` — what users write (StickyConfig, every field optional but `script`)
 * and what the supervisor runs on (ResolvedConfig: defaults applied, paths absolute).
 */

export interface IpRouting {
  by: 'ip';
  /**
   * 'kernel': one SO_REUSEPORT socket per slot, steered by a BPF program; 'primary': the
   * primary accepts and hands over; 'auto' (default): kernel where it starts and passes a self-test.
   */
  accept?: 'auto' | 'kernel' | 'primary';
}

/** Peers whose header or PROXY preamble is believed (addresses or CIDRs); unset: every peer. */
interface TrustedProxies {
  trustedProxies?: string[];
}

export interface HeaderRouting extends TrustedProxies {
  by: 'header';
  /** Header carrying the client address; case-insensitive. Default `x-forwarded-for`. */
  header?: string;
  /** Which entry of an X-Forwarded-For list, counted from the right (1-64). Default 1. */
  trustedHops?: number;
  /** Route by the TCP peer when the header is missing (else 400 and close). Default false. */
  ignoreMissingHeader?: boolean;
  /** Close with 408 when the request head takes longer (at most an hour). Default 10 000. */
  headerTimeoutMs?: number;
  /** Close with 431 when the request head is larger (1 KiB to 1 MiB). Default 16 384. */
  maxHeaderBytes?: number;
}

export interface ProxyProtocolRouting extends TrustedProxies {
  by: 'proxy-protocol';
}

/** Options every routing mode takes. */
export interface CommonRouting {
  /** Hash seed: change it to reshuffle which worker a client lands on. Default 0. */
  seed?: number;
  /** Group IPv4 clients by this many leading bits (1-32). */
  ipv4Prefix?: number;
  /** Group IPv6 clients by this many leading bits (1-128). */
  ipv6Prefix?: number;
  /** Accepted connections not yet handed to a worker (at most 1 000 000); beyond it new ones are closed. Default 10 000. */
  maxPending?: number;
}

export type RoutingConfig = (IpRouting | HeaderRouting | ProxyProtocolRouting) & CommonRouting;

export interface StickyConfig {
  /** Names the control socket, logs and dashboard. Default: the config folder's name. */
  name?: string;
  /** Worker entry: its default export returns a server (or a promise of one), or it calls sticky() itself. */
  script: string;
  /** Working directory of the workers; relative to the config file. */
  cwd?: string;
  /** 0 = any free port (reported in status and logs). Default 3000. */
  port?: number;
  /** Default '0.0.0.0'. */
  host?: string;
  /** A number, or 'auto' = os.availableParallelism(). Default 'auto'. */
  workers?: number | 'auto';
  routing?: RoutingConfig;
  /** 'cluster': the primary relays @socket.io/cluster-adapter traffic between workers. */
  broadcast?: 'cluster' | false;
  env?: Record<string, string>;
  execArgv?: string[];
  args?: string[];
  /** Every *Ms value: an integer of at most 2^31-1 (Node's timer limit). */
  reload?: {
    /** A worker not listening by then has failed. Default 10 000. */
    readyTimeoutMs?: number;
    /** How long old workers keep their connections in a reload or stop. Default 30 000. */
    drainTimeoutMs?: number;
    /** An app cleaning up after 'shutdown' or SIGINT is killed after this. Default 5 000. */
    killTimeoutMs?: number;
  };
  restart?: {
    /** A worker that dies sooner counts as a crash loop and waits before restarting. Default 1 000. */
    minUptimeMs?: number;
    /** Longest wait between restarts of a crashing worker. Default 15 000. */
    maxBackoffMs?: number;
    /** Replace a worker above this RSS: bytes, or '512M' (K, M, G). Default: off. */
    maxMemory?: number | string;
  };
  health?: {
    /** How often each worker reports its event loop alive. Default 1 000. */
    heartbeatMs?: number;
    /** Without a heartbeat this long a worker is unresponsive and replaced; above heartbeatMs. Default 10 000. */
    timeoutMs?: number;
    /** A hand-off not acknowledged in this time goes to the next slot. Default 2 000. */
    handoffTimeoutMs?: number;
  };
  /** Paths to watch (relative to the config file) and reload on change; false = off (default). */
  watch?: false | { paths: string[]; debounceMs?: number; ignored?: string[] };
  log?: {
    level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
    /** Also write the log records (app output included) to this file, relative to the config file. */
    file?: string;
    /** Size at which log.file rolls over to a new numbered file: bytes or "10M" (K, M, G). Default "10M". */
    maxSize?: number | string;
    /** Log files kept, the one being written included; older ones are deleted. Default 5. */
    keep?: number;
  };
  /** Prometheus text at http://host:port/metrics; false (default) = off. Host default '127.0.0.1'. */
  metrics?: false | { port: number; host?: string };
}

export interface ResolvedConfig {
  name: string;
  /** Absolute path of the config file it came from, if any. */
  configFile: string | undefined;
  script: string;
  cwd: string;
  port: number;
  host: string;
  workers: number;
  routing: ResolvedRouting;
  broadcast: 'cluster' | false;
  env: Record<string, string>;
  execArgv: string[];
  args: string[];
  reload: { readyTimeoutMs: number; drainTimeoutMs: number; killTimeoutMs: number };
  /** `maxMemory` in bytes; undefined = off. */
  restart: { minUptimeMs: number; maxBackoffMs: number; maxMemory: number | undefined };
  health: { heartbeatMs: number; timeoutMs: number; handoffTimeoutMs: number };
  /** `paths` absolute; `ignored` holds the user's extra patterns only (the watcher adds its own). */
  watch: false | { paths: string[]; debounceMs: number; ignored: string[] };
  /** `file` absolute; undefined = no file. `maxSize` in bytes. */
  log: { level: NonNullable<NonNullable<StickyConfig['log']>['level']>; file: string | undefined; maxSize: number; keep: number };
  metrics: false | { port: number; host: string };
}

/** `seed` and `maxPending` get defaults; the prefixes stay off unless set, as does `trustedProxies`. */
export type ResolvedRouting = Required<Pick<CommonRouting, 'seed' | 'maxPending'>> & Pick<CommonRouting, 'ipv4Prefix' | 'ipv6Prefix'> & (
  | { by: 'ip'; accept: NonNullable<IpRouting['accept']> }
  | {
    by: 'header'; header: string; trustedHops: number; ignoreMissingHeader: boolean; headerTimeoutMs: number; maxHeaderBytes: number;
    trustedProxies?: string[];
  }
  | { by: 'proxy-protocol'; trustedProxies?: string[] }
);
