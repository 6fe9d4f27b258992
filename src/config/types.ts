/**
 * `sticky.config.ts` — what users write (StickyConfig, every field optional but `script`)
 * and what the supervisor runs on (ResolvedConfig: defaults applied, paths absolute).
 */

export interface IpRouting {
  by: 'ip';
}

export interface HeaderRouting {
  by: 'header';
  /** Header carrying the client address; case-insensitive. Default `x-forwarded-for`. */
  header?: string;
  /** Which entry of an X-Forwarded-For list, counted from the right. Default 1. */
  trustedHops?: number;
  /** Route by the TCP peer when the header is missing (else 400 and close). Default false. */
  ignoreMissingHeader?: boolean;
  /** Close with 408 when the request head takes longer. Default 10 000. */
  headerTimeoutMs?: number;
  /** Close with 431 when the request head is larger. Default 16 384. */
  maxHeaderBytes?: number;
}

export interface ProxyProtocolRouting {
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
  /** Accepted connections not yet handed to a worker; beyond it new ones are closed. Default 10 000. */
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
  /**
   * `killTimeoutMs` (default 5000): how long a drained worker whose app listens for
   * 'shutdown', SIGINT or 'sticky:drain' may go on cleaning up after its connections are
   * done before it is killed (PM2's kill_timeout).
   */
  reload?: { readyTimeoutMs?: number; drainTimeoutMs?: number; killTimeoutMs?: number };
  restart?: { minUptimeMs?: number; maxBackoffMs?: number };
  /** Paths to watch (relative to the config file) and reload on change; false = off (default). */
  watch?: false | { paths: string[]; debounceMs?: number; ignored?: string[] };
  log?: { level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' };
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
  /** `seed` and `maxPending` get defaults; the prefixes stay off unless set. */
  routing: Required<Pick<CommonRouting, 'seed' | 'maxPending'>> & Pick<CommonRouting, 'ipv4Prefix' | 'ipv6Prefix'> & (
    | { by: 'ip' }
    | { by: 'header'; header: string; trustedHops: number; ignoreMissingHeader: boolean; headerTimeoutMs: number; maxHeaderBytes: number }
    | { by: 'proxy-protocol' }
  );
  broadcast: 'cluster' | false;
  env: Record<string, string>;
  execArgv: string[];
  args: string[];
  reload: { readyTimeoutMs: number; drainTimeoutMs: number; killTimeoutMs: number };
  restart: { minUptimeMs: number; maxBackoffMs: number };
  /** `paths` absolute; `ignored` holds the user's extra patterns only (the watcher adds its own). */
  watch: false | { paths: string[]; debounceMs: number; ignored: string[] };
  log: { level: NonNullable<NonNullable<StickyConfig['log']>['level']> };
}
