import cluster from 'node:cluster';
import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { BroadcastRelay } from '../broadcast/relay.js';
import type { SlotWorker } from '../cluster/slot-worker.js';
import type { Slot, WorkerPool, WorkerRole } from '../cluster/worker-pool.js';
import { MAX_WORKERS } from '../config/schema.js';
import type { ResolvedConfig } from '../config/types.js';
import { controlSocketPath } from '../control/paths.js';
import {
  CONTROL_PROTOCOL_VERSION, DEFAULT_LOG_LINES, type PingResult, type ReloadProgress, type ReloadResult, type ScaleResult, type StatusSnapshot, type StopResult,
} from '../control/protocol.js';
import { LogRing } from '../log/log-ring.js';
import { LogOutput } from '../log/output.js';
import { captureWorkerOutput } from '../log/worker-output.js';
import { ControlServer } from '../control/server.js';
import { StickyConfigError, StickyError, StickyReloadError, StickyScaleError, StickySetupError } from '../errors.js';
import { createLogger, type Logger } from '../log/logger.js';
import { FATAL_REPORT_ENV, NAME_ENV, PUBLIC_HOST_ENV, PUBLIC_PORT_ENV, SCRIPT_ENV } from '../ipc/env.js';
import { takeFatalReport } from '../ipc/fatal-report.js';
import { PrimaryServer } from '../primary/primary-server.js';
import type { MetricsExporter } from '../metrics/index.js';
import { FileWatcher } from '../watch/watcher.js';
import { reloadableConfig, restartOnlyChanges } from './config-diff.js';
import { EventLog } from './event-log.js';
import { MemoryWatch } from './memory-watch.js';
import { ProcSampler } from './proc-stats.js';
import { rollingReload } from './reload.js';
import { ReloadQueue } from './reload-queue.js';
import { awaitFirstStart } from './first-start.js';
import { describeExit, workerRows } from './status.js';
import { formatBytes } from '../text/units.js';
import { listen } from '../util/listen.js';
import { noop } from '../util/noop.js';
import { realFile } from '../util/real-file.js';

/** The compiled worker entry (dist/worker/entry.js) that loads the user's script. */
const WORKER_ENTRY = resolve(__dirname, '../worker/entry.js');
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** How often dropped log records are counted into one warning. */
const DROPPED_REPORT_MS = 1000;

export type { ReloadResult };

/**
 * The primary process of `sticky start`: the balancer and its worker slots, the control
 * socket, file watching, signals, rolling reloads. Made by start().
 */
export class Supervisor {
  readonly pid = process.pid;
  readonly startedAt = Date.now();
  readonly logger: Logger;
  readonly events: EventLog;
  /** Recent app lines and events, for `sticky logs` and the dashboard's log pane. */
  readonly logs = new LogRing();
  private readonly output: LogOutput;
  private readonly droppedTimer: NodeJS.Timeout;
  private readonly flushOutput = (): void => this.output.flushSync();
  readonly balancer: PrimaryServer;
  readonly pool: WorkerPool;
  readonly socketPath: string;
  /** Resolves once the supervisor has stopped: every worker exited, control socket removed. */
  readonly closed: Promise<void>;
  private config: ResolvedConfig;
  private control: ControlServer | undefined;
  private controlOpening: Promise<ControlServer> | undefined;
  private watcher: FileWatcher | undefined;
  private metrics: MetricsExporter | undefined;
  private readonly sampler = new ProcSampler();
  private readonly reloads = new ReloadQueue((trigger, progress) => this.exclusive(() => this.runReload(trigger, progress)));
  /** Reloads, scaling and memory restarts change slots: one at a time, in the order asked. */
  private lane: Promise<unknown> = Promise.resolve();
  private memoryWatch: MemoryWatch | undefined;
  private stopping: Promise<void> | undefined;
  private readonly drained: Promise<void>;
  private markDrained!: () => void;
  private markClosed!: () => void;
  private readonly signalHandlers = new Map<NodeJS.Signals, () => void>();
  /** Some worker came online at the first start (open() succeeded). */
  private started = false;
  /** Where workers write Node's fatal-error report (see src/ipc/fatal-report.ts); 0700. */
  private fatalReportDir: string | undefined;

  constructor(config: ResolvedConfig, private readonly reloadConfig?: () => Promise<ResolvedConfig>) {
    if (cluster.isWorker) throw new StickySetupError('start() runs the supervisor in the primary process, not in a worker');
    if (!existsSync(config.script)) throw new StickyConfigError([`script: "${config.script}" does not exist`]);
    this.config = config;
    this.socketPath = controlSocketPath(config.name);
    this.output = new LogOutput({
      name: config.name,
      pretty: process.stdout.isTTY === true,
      file: config.log.file === undefined ? undefined : { path: config.log.file, maxSizeBytes: config.log.maxSize, keep: config.log.keep },
      onFileError: (err) => this.events.record('error', 'log-file-error', `log.file ${config.log.file}: ${err.message}`),
    });
    process.on('exit', this.flushOutput);
    this.logger = createLogger({ name: config.name, level: config.log.level, destination: this.output });
    this.events = new EventLog(this.logger);
    this.events.subscribe((e) => this.logs.push({ time: e.time, level: e.level, kind: e.kind, slot: e.slot, pid: e.pid, msg: e.message }));
    this.droppedTimer = setInterval(() => {
      const dropped = this.output.takeDropped();
      if (dropped > 0) this.events.record('warn', 'log-dropped', `${dropped} log records dropped: stdout was not read fast enough`);
    }, DROPPED_REPORT_MS);
    this.droppedTimer.unref();
    this.balancer = new PrimaryServer({
      workers: config.workers,
      routing: config.routing,
      restart: { ...config.restart },
      drainTimeoutMs: config.reload.drainTimeoutMs,
      handoffTimeoutMs: config.health.handoffTimeoutMs,
      health: { heartbeatMs: config.health.heartbeatMs, timeoutMs: config.health.timeoutMs },
      onWorkerWarning: (w, message) => this.events.record('warn', 'worker-message', message, { slot: w.slot, pid: w.pid }),
      // Rate-limited by the balancer; as events they also reach `sticky status`.
      logger: { warn: (fields, msg) => this.events.record('warn', 'connection-rejected', `${msg} ${JSON.stringify(fields)}`) },
    });
    this.balancer.on('accept', (accept: string, reason: string, fellBack: boolean) => {
      this.events.record(fellBack ? 'warn' : 'info', 'accept', `accepting in the ${accept === 'kernel' ? 'kernel (each worker from its slot socket)' : 'primary'}: ${reason}`);
    });
    // Before the first fork: the relay switches the cluster channel's serialization.
    this.pool = this.balancer.pool;
    if (config.broadcast === 'cluster') new BroadcastRelay(this.pool);
    this.drained = new Promise((resolve) => (this.markDrained = resolve));
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    this.watchPool();
  }

  get name(): string {
    return this.config.name;
  }

  /** The port it listens on (the real one when the config said 0). */
  get port(): number {
    return (this.balancer.address() as AddressInfo | null)?.port ?? this.config.port;
  }

  /** Takes the control socket, listens, forks every slot and waits for each first worker's outcome. */
  async open(): Promise<void> {
    // First: a SIGTERM while the control socket is taken or the first workers boot must stop
    // cleanly (exit 0, socket removed), not get Node's default (exit 143, stale socket).
    this.installSignals();
    this.controlOpening = ControlServer.open(this.config.name, this.socketPath, {
      ping: (): PingResult => ({ pid: this.pid, name: this.config.name, protocol: CONTROL_PROTOCOL_VERSION, ...this.configFileField() }),
      status: () => this.status(),
      logs: (params) => ({ records: this.logs.last(params.lines ?? DEFAULT_LOG_LINES) }),
      followLogs: (listener) => this.logs.subscribe(listener),
      reload: (onProgress) => this.reload('control', onProgress),
      scale: (params) => this.scale(params.workers),
      error: (err) => this.events.record('error', 'control-error', `control socket: ${err.message}; still listening`),
      stop: async (): Promise<StopResult> => {
        this.stopAndExit();
        await this.drained;
        return { stopped: true };
      },
    }, this.configFileField().configFile);
    try {
      this.control = await this.controlOpening;
    } catch (err) {
      this.removeSignals();
      throw err;
    }
    this.events.subscribe((e) => this.control?.publishLog(e));
    try {
      if (this.stopping) return;
      this.fatalReportDir = mkdtempSync(join(tmpdir(), 'sticky-fatal-'));
      const { port, host } = this.config;
      await listen(this.balancer, { port, host }).catch((err: Error) => {
        throw new StickySetupError(`cannot listen on ${host}:${port}: ${err.message}`, { cause: err });
      });
      // After listen: workers learn the address (the real port when the config said 0).
      this.applyWorkerSettings(this.config);
      this.events.record('info', 'listening', `listening on ${this.config.host}:${this.port} (routing by ${this.config.routing.by}), control socket ${this.socketPath}`);
      this.warnIfEveryPeerTrusted();
      await this.openMetrics();
      if (this.stopping) return;
      this.pool.start(this.config.reload.readyTimeoutMs);
      // A stop while the first workers boot ends the wait: its outcome no longer matters then.
      const firstStart = awaitFirstStart(this.pool, this.config.reload.readyTimeoutMs);
      firstStart.catch(noop);
      await Promise.race([firstStart, this.drained]);
      if (this.stopping) return;
      this.started = true;
      // From now on, no worker online means a front balancer should try another host.
      this.balancer.dispatcher.closeWhenNoWorker = true;
      await this.startWatcher();
      this.startMemoryWatch();
      const online = this.pool.slots.filter((s) => s.current?.state === 'online').length;
      this.events.record(online === this.pool.slots.length ? 'info' : 'warn', 'ready', `${online} of ${this.pool.slots.length} workers online`);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Header and PROXY modes believe what any peer says about its client unless told whom to trust. */
  private warnIfEveryPeerTrusted(): void {
    const routing = this.config.routing;
    if (routing.by === 'ip' || routing.trustedProxies !== undefined) return;
    const what = routing.by === 'header'
      ? `its worker with its ${routing.header} header`
      : 'its worker and the remoteAddress the app sees with its PROXY preamble';
    this.events.record('warn', 'trust', `routing.trustedProxies is not set: any peer that reaches port ${this.port} chooses ${what}; `
      + 'list the proxies in front (addresses or CIDRs) in routing.trustedProxies');
  }

  /**
   * One instant's state: everything is read synchronously, when called (the rows, their
   * counters, the events, the totals), and only the workers' /proc figures are awaited. A
   * snapshot read after that await showed a worker-closed-early event beside rows from before
   * it, and connections.total beside per-slot totals from before a stats message. A caller may
   * read more of the primary in the same tick (the metrics exporter does) and have it agree.
   */
  status(): Promise<StatusSnapshot> {
    const workers = workerRows(this.pool, this.sampler);
    let active = 0;
    let total = this.pool.retiredConnections;
    for (const w of this.pool.workers()) {
      active += w.active;
      total += w.total;
    }
    const snapshot: StatusSnapshot = {
      name: this.config.name,
      pid: this.pid,
      uptimeMs: Date.now() - this.startedAt,
      host: this.config.host,
      port: this.port,
      routing: this.config.routing.by,
      ...(this.config.routing.by === 'ip' && this.balancer.accept ? { accept: this.balancer.accept } : {}),
      connections: { active, total, rejected: this.balancer.rejected, misrouted: this.balancer.misrouted },
      workers: [],
      ...this.configFileField(),
      metrics: this.metrics?.address ?? null,
      events: this.events.recent(),
    };
    return workers.then((rows) => {
      snapshot.workers = rows;
      return snapshot;
    });
  }

  /** The config file as the CLI resolves it (symlinks followed), to tell two projects of one name apart. */
  private configFileField(): { configFile?: string } {
    const file = this.config.configFile;
    return file === undefined ? {} : { configFile: realFile(file) };
  }

  /**
   * Rolling reload (see rollingReload), after re-reading the config when start() was given
   * a loader. Asked while one runs, it runs once more after it (see ReloadQueue).
   */
  reload(trigger = 'api', onProgress?: (p: ReloadProgress) => void): Promise<ReloadResult> {
    if (this.stopping) return Promise.reject(new StickyReloadError('cannot reload: the supervisor is stopping'));
    return this.reloads.request(trigger, onProgress);
  }

  /**
   * Changes the worker count live (`sticky scale`): growing forks the new slots and resolves
   * once their workers are online (about 1/n of the clients move to them); shrinking drains
   * the last slots' workers (their clients go to their next slot) and resolves once they
   * have exited. If an added worker does not come online, the added slots are removed again
   * and it rejects with that worker's error. Under kernel accept the socket group and its
   * steering program follow the count (see KernelRouter.resize).
   */
  scale(workers: unknown): Promise<ScaleResult> {
    if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
      return Promise.reject(new StickyScaleError(`workers: ${JSON.stringify(workers)} is not an integer from 1 to ${MAX_WORKERS}`));
    }
    if (this.stopping) return Promise.reject(new StickyScaleError('cannot scale: the supervisor is stopping'));
    return this.exclusive(() => this.runScale(workers));
  }

  /** Drains every worker, stops listening and removes the control socket. Does not exit the process. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lane.then(task, task);
    this.lane = run.catch(noop);
    return run;
  }

  private async runScale(to: number): Promise<ScaleResult> {
    if (this.stopping) throw new StickyScaleError('cannot scale: the supervisor is stopping');
    const started = Date.now();
    const from = this.pool.slots.length;
    if (to === from) return { from, to, added: [], removed: [], durationMs: 0 };
    this.events.record('info', 'scale', `scaling from ${from} to ${to} workers`);
    let result: ScaleResult;
    if (to > from) {
      let added: SlotWorker[];
      try {
        added = this.pool.grow(to);
      } catch (err) {
        // Kernel accept could not grow its socket group; nothing was changed.
        const why = `cannot scale to ${to} workers under kernel accept: ${(err as Error).message}`;
        this.events.record('error', 'scale-failed', `${why}; still ${from} workers`);
        throw new StickyScaleError(why);
      }
      const online = await Promise.all(added.map((w) => this.pool.whenSettled(w)));
      const failed = added.filter((_, i) => !online[i]);
      if (failed.length > 0) {
        const why = failed.map((w) => describeExit(w)).join('\n');
        await this.pool.shrink(from);
        this.events.record('error', 'scale-failed', `scaling to ${to} failed, back to ${from} workers: ${why}`);
        throw new StickyScaleError(`scaling to ${to} workers failed; back to ${from}:\n${why}`);
      }
      result = { from, to, added: added.map((w) => ({ slot: w.slot, pid: w.pid })), removed: [], durationMs: 0 };
    } else {
      const leaving = this.pool.slots.slice(to).flatMap((slot) => [slot.current, slot.incoming].filter((w): w is SlotWorker => w !== undefined));
      await this.pool.shrink(to);
      result = { from, to, added: [], removed: leaving.map((w) => ({ slot: w.slot, pid: w.pid })), durationMs: 0 };
    }
    this.config = { ...this.config, workers: to };
    result.durationMs = Date.now() - started;
    this.events.record('info', 'scale-done', `scaled from ${from} to ${to} workers in ${result.durationMs} ms`);
    return result;
  }

  /** Samples RSS when restart.maxMemory is set; a worker over it is replaced (see MemoryWatch). */
  private startMemoryWatch(): void {
    this.memoryWatch?.stop();
    this.memoryWatch = undefined;
    const limit = this.config.restart.maxMemory;
    if (limit === undefined) return;
    this.memoryWatch = new MemoryWatch(this.pool, limit, (slot, w, rssBytes) => {
      this.events.record('warn', 'memory-restart',
        `worker ${w.pid} (slot ${slot.index}) uses ${formatBytes(rssBytes)}, over restart.maxMemory ${formatBytes(limit)}: replacing it (its connections drain)`,
        { slot: slot.index, pid: w.pid });
      return this.exclusive(() => this.replaceSlot(slot, w));
    });
  }

  /** A rolling reload of one slot: a new worker, then `old` drains; nothing if `old` is no longer its worker. */
  private async replaceSlot(slot: Slot, old: SlotWorker): Promise<void> {
    if (this.stopping || slot.current !== old || slot.incoming || !this.pool.slots.includes(slot)) return;
    const fresh = this.pool.forkIncoming(slot);
    if (!(await this.pool.whenSettled(fresh))) {
      this.events.record('error', 'memory-restart-failed', `slot ${slot.index}: its replacement failed, worker ${old.pid} keeps serving: ${describeExit(fresh, false)}`, { slot: slot.index, pid: fresh.pid });
      return;
    }
    // A stop or a shrink may have taken the slot meanwhile (TS narrowed `incoming` before the await).
    if (this.stopping || (slot as Slot).incoming !== fresh) return;
    this.events.record('info', 'reload-step', `slot ${slot.index}: worker ${fresh.pid} online, draining ${old.pid}`, { slot: slot.index, pid: fresh.pid });
    // Not awaited: the next slot's turn need not wait for this drain.
    void this.pool.promote(slot);
  }

  private async runReload(trigger: string, progress: (p: ReloadProgress) => void): Promise<ReloadResult> {
    const started = Date.now();
    if (this.stopping) throw new StickyReloadError('cannot reload: the supervisor is stopping');
    this.events.record('info', 'reload', `reload (${trigger}): replacing ${this.pool.slots.length} workers one slot at a time`);
    try {
      let restartNeeded: string[] = [];
      if (this.reloadConfig) {
        const loaded = await this.loadConfig();
        restartNeeded = restartOnlyChanges(this.config, loaded);
        for (const line of restartNeeded) this.events.record('warn', 'restart-needed', line);
        await this.applyConfig(reloadableConfig(this.config, loaded));
      }
      const replaced = await rollingReload(this.pool, (p) => {
        if (p.phase === 'online') {
          this.events.record('info', 'reload-step', `slot ${p.slot}: worker ${p.newPid} online${p.oldPid ? `, draining ${p.oldPid}` : ''}`, { slot: p.slot, pid: p.newPid });
        }
        progress(p);
      });
      const durationMs = Date.now() - started;
      this.events.record('info', 'reload-done', `reload (${trigger}) done in ${durationMs} ms: ${replaced.length} workers replaced`);
      return { replaced, restartNeeded, durationMs };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.events.record('error', 'reload-failed', `reload (${trigger}) failed: ${message}`);
      throw err;
    }
  }

  private async loadConfig(): Promise<ResolvedConfig> {
    try {
      return await this.reloadConfig!();
    } catch (err) {
      if (err instanceof StickyError) throw err;
      throw new StickyReloadError(`cannot read the config: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private async applyConfig(next: ResolvedConfig): Promise<void> {
    const watchChanged = !isDeepStrictEqual(this.config.watch, next.watch);
    this.config = next;
    this.applyWorkerSettings(next);
    this.logger.level = next.log.level;
    if (next.restart.maxMemory !== this.memoryWatch?.limitBytes && this.started) this.startMemoryWatch();
    if (watchChanged) {
      await this.watcher?.close();
      this.watcher = undefined;
      await this.startWatcher();
    }
  }

  /** What the next forks get: the entry, argv, cwd, env (with the script path and the public address). */
  private applyWorkerSettings(c: ResolvedConfig): void {
    // silent: the workers' stdout and stderr are pipes the primary reads (captureWorkerOutput).
    cluster.setupPrimary({ exec: WORKER_ENTRY, args: c.args, execArgv: c.execArgv, cwd: c.cwd, silent: true });
    const address = this.balancer.address() as AddressInfo | null;
    this.pool.update({
      env: {
        ...c.env,
        [SCRIPT_ENV]: c.script,
        [NAME_ENV]: c.name,
        [FATAL_REPORT_ENV]: this.fatalReportDir,
        [PUBLIC_HOST_ENV]: address?.address,
        [PUBLIC_PORT_ENV]: address?.port,
      },
      restart: { ...c.restart },
      drainTimeoutMs: c.reload.drainTimeoutMs,
      readyTimeoutMs: c.reload.readyTimeoutMs,
      killTimeoutMs: c.reload.killTimeoutMs,
      health: { heartbeatMs: c.health.heartbeatMs, timeoutMs: c.health.timeoutMs },
    });
    this.balancer.dispatcher.handoffTimeoutMs = c.health.handoffTimeoutMs;
  }

  /** Before the first fork (the exporter counts every exited worker); prom-client loads only here. */
  private async openMetrics(): Promise<void> {
    const config = this.config.metrics;
    if (!config) return;
    const { MetricsExporter } = await import('../metrics/index.js');
    this.metrics = await MetricsExporter.open(config, this, (err) => this.events.record('warn', 'metrics-error', `metrics: ${err.message}`));
    const { host, port } = this.metrics.address;
    this.events.record('info', 'metrics', `metrics at http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`);
  }

  private async startWatcher(): Promise<void> {
    const watch = this.config.watch;
    if (!watch) return;
    const base = this.config.configFile ? dirname(this.config.configFile) : this.config.cwd;
    const paths = watch.paths.map((p) => resolve(base, p));
    this.watcher = new FileWatcher({ paths, debounceMs: watch.debounceMs, ignored: watch.ignored }, (files) => {
      const shown = files.slice(0, 3).map((f) => relative(base, f)).join(', ');
      this.events.record('info', 'watch', `${files.length} file(s) changed (${shown}${files.length > 3 ? ', …' : ''})`);
      // A failed reload is logged by runReload; the old workers keep serving.
      this.reload('watch').catch(noop);
    }, (err) => this.events.record('warn', 'watch-error', `file watcher: ${err.message}`));
    await this.watcher.start();
  }

  private watchPool(): void {
    // First: every other exit listener (a reload's, the log's) then sees why it died.
    this.pool.on('exit', (w) => {
      if (w.exitCode !== 0 && this.fatalReportDir) w.fatal = takeFatalReport(this.fatalReportDir, w.pid);
    });
    this.pool.on('fork', (w) => captureWorkerOutput(w, (record) => {
      this.logs.push(record);
      this.output.writeApp(record);
    }));
    this.pool.on('online', (w) => {
      this.events.record('info', 'worker-online', `worker ${w.pid} online in slot ${w.slot} after ${w.uptimeMs} ms`, { slot: w.slot, pid: w.pid });
    });
    this.pool.on('workerError', (w) => {
      this.events.record('error', 'worker-error', `worker ${w.pid} (slot ${w.slot}): ${w.lastError!.message}`, { slot: w.slot, pid: w.pid, stack: w.lastError!.stack });
    });
    this.pool.on('unresponsive', (w) => {
      this.events.record('error', 'worker-unresponsive', `worker ${w.pid} (slot ${w.slot}) ${w.lastError!.message}; its clients go to the other slots until it is replaced`, { slot: w.slot, pid: w.pid });
    });
    this.pool.on('exit', (w, { role, restartInMs }) => this.onWorkerExit(w, role, restartInMs));
    this.pool.on('closed', (w, { restartInMs }) => {
      const where = { slot: w.slot, pid: w.pid };
      if (restartInMs === 0) {
        this.events.record('info', 'worker-closed', `worker ${w.pid} (slot ${w.slot}) closed its server; a new worker takes the slot`, where);
        return;
      }
      const errored = this.pool.slots[w.slot]!.errored ? ': errored' : '';
      this.events.record('warn', 'worker-closed-early', `worker ${w.pid} (slot ${w.slot}) closed its server within restart.minUptimeMs${errored}; `
        + `replacing it in ${restartInMs} ms`, where);
    });
  }

  private onWorkerExit(w: SlotWorker, role: WorkerRole, restartInMs: number | null): void {
    const where = { slot: w.slot, pid: w.pid };
    if (role === 'draining') {
      if (w.exitSignal === 'SIGKILL' && w.lastError) {
        this.events.record('warn', 'worker-exit', `worker ${w.pid} (slot ${w.slot}) ${w.lastError.message}`, where);
      } else {
        this.events.record('info', 'worker-exit', `worker ${w.pid} (slot ${w.slot}) exited after draining`, where);
      }
      return;
    }
    const what = describeExit(w, false);
    if (restartInMs === null) {
      this.events.record('warn', 'worker-exit', what, where);
    } else if (this.pool.slots[w.slot]!.errored) {
      this.events.record('error', 'worker-errored', `${what}; slot ${w.slot} keeps dying within restart.minUptimeMs: errored, retrying in ${restartInMs} ms (${this.fallback(w.slot)})`, where);
    } else {
      this.events.record('warn', 'worker-crash', `${what}; restarting in ${restartInMs} ms (${this.fallback(w.slot)})`, where);
    }
  }

  /** Where a down slot's clients go meanwhile, as things stand. */
  private fallback(slot: number): string {
    const online = this.pool.slots.filter((s) => s.index !== slot && s.current?.state === 'online').length;
    if (online > 0) return `its clients are served by the ${online === 1 ? 'other online slot' : `${online} other online slots`}`;
    if (!this.started) return 'no worker is online yet: new connections wait for one';
    return 'no worker is online: new connections are closed at once until one is';
  }

  private async shutdown(): Promise<void> {
    this.events.record('info', 'stopping', 'stopping: draining every worker');
    this.memoryWatch?.stop();
    await this.watcher?.close();
    this.watcher = undefined;
    await new Promise<void>((resolve) => this.balancer.close(() => resolve()));
    await this.metrics?.close();
    this.markDrained();
    this.events.record('info', 'stopped', 'every worker has exited');
    if (this.fatalReportDir) rmSync(this.fatalReportDir, { recursive: true, force: true });
    // A stop that came while the control socket was being taken waits for it, then removes it.
    const control = this.control ?? await this.controlOpening?.catch(() => undefined);
    await control?.close();
    this.removeSignals();
    clearInterval(this.droppedTimer);
    this.output.flushSync();
    process.off('exit', this.flushOutput);
    this.markClosed();
  }

  /** A stop asked from outside (signal, `sticky stop`): the process ends with it. */
  private stopAndExit(): void {
    this.stop().then(() => process.exit(0), (err: unknown) => {
      this.logger.fatal({ err }, 'stop failed');
      process.exit(1);
    });
  }

  private installSignals(): void {
    for (const signal of STOP_SIGNALS) {
      this.onSignal(signal, () => {
        if (!this.stopping) return this.stopAndExit();
        // Asked twice: the user does not want to wait for the drain.
        this.events.record('error', 'force-stop', `${signal} during the drain: killing every worker now`);
        for (const w of this.pool.workers()) w.worker.process.kill('SIGKILL');
        try {
          unlinkSync(this.socketPath);
        } catch {
          // already gone
        }
        process.exit(1);
      });
    }
    this.onSignal('SIGHUP', () => {
      this.reload('SIGHUP').catch(noop);
    });
  }

  private onSignal(signal: NodeJS.Signals, handler: () => void): void {
    this.signalHandlers.set(signal, handler);
    process.on(signal, handler);
  }

  private removeSignals(): void {
    for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
    this.signalHandlers.clear();
  }
}
