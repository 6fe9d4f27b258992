/**
 * `sticky status` without --json: connect to the instance's control socket, subscribe, and show the
 * live dashboard until the user quits. A lost socket is retried once a second (a restarted supervisor
 * comes back on screen); nothing is polled by spawning processes.
 */
import { ControlClient } from '../control/client';
import { controlSocketPath } from '../control/paths';
import { StickyRemoteError } from '../errors';
import type { ControlEvent, LogRecord, LogsResult, ReloadProgress, ReloadResult, StatusSnapshot } from '../control/protocol';
import { RenderLoop } from './render-loop';
import { openTerminal } from './terminal';

export const RECONNECT_INTERVAL_MS = 1_000;
/** App lines asked for on connecting, before the pushed ones. */
const LOG_PANE_BACKLOG = 200;

export interface DashboardOptions {
  /** The instance's control socket (controlSocketPath(name)). */
  socketPath: string;
  /** The instance's name, shown until the first snapshot arrives. */
  name: string;
  /** Terminal streams; default the process's own. */
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /** Called once the dashboard is drawing (tests drive it through this). */
  onReady?: (loop: RenderLoop) => void;
  /** A connection already open to the instance, used first (reconnects go to `socketPath`). */
  client?: ControlClient;
}

/**
 * Runs the dashboard; resolves with the exit code (0 after q, 1 when no instance answers).
 * Takes the instance's socket and name, or a client already connected to it (then the socket is
 * the one its name gives).
 */
export async function runDashboard(target: DashboardOptions | ControlClient): Promise<number> {
  const options: DashboardOptions =
    target instanceof ControlClient ? { name: target.name, socketPath: controlSocketPath(target.name), client: target } : target;
  let given = options.client;
  const output = options.output ?? process.stdout;
  if (!output.isTTY) {
    process.stderr.write('sticky status: the dashboard needs a terminal; use `sticky status --json`\n');
    return 1;
  }

  let loop: RenderLoop | undefined;
  let link: ControlClient | undefined;
  let quitting = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const early: ControlEvent[] = [];

  const onEvent = (event: ControlEvent) => (loop ? loop.event(event) : early.push(event));
  const watchClose = (client: ControlClient) =>
    client.closed
      // A closed client rejects every request with the reason it closed.
      .then(() => client.request('ping').then(() => 'closed', (error: Error) => error.message))
      .then((reason) => {
        if (link === client) link = undefined;
        if (quitting || !loop) return;
        loop.connectionLost(reason);
        scheduleReconnect();
      });
  const subscribe = async (): Promise<{ link: ControlClient; snapshot: StatusSnapshot; backlog: LogRecord[] }> => {
    const client = given ?? (await ControlClient.connect(options.name, options.socketPath));
    given = undefined;
    client.onEvent(onEvent);
    try {
      const snapshot = await client.request<StatusSnapshot>('status');
      await client.request('subscribe');
      // The log pane's lines: the recent ones, then each new one as a "line" event.
      // A supervisor from before `sticky logs` refuses the method: its dashboard has no log lines.
      const { records } = await client.request<LogsResult>('logs', { params: { lines: LOG_PANE_BACKLOG, follow: true } })
        .catch((error: unknown) => {
          if (error instanceof StickyRemoteError) return { records: [] };
          throw error;
        });
      void watchClose(client);
      return { link: client, snapshot, backlog: records };
    } catch (error) {
      void client.close();
      throw error;
    }
  };
  const scheduleReconnect = () => {
    reconnectTimer = setTimeout(() => {
      subscribe().then(
        (result) => {
          if (quitting) return void result.link.close();
          link = result.link;
          loop?.connectionRestored();
          loop?.snapshot(result.snapshot);
          loop?.logBacklog(result.backlog);
        },
        () => {
          if (!quitting) scheduleReconnect();
        },
      );
    }, RECONNECT_INTERVAL_MS);
  };

  let first: StatusSnapshot;
  let backlog: LogRecord[];
  try {
    ({ link, snapshot: first, backlog } = await subscribe());
  } catch (error) {
    process.stderr.write(`sticky status: ${(error as Error).message}\n`);
    return 1;
  }

  let quit!: () => void;
  const done = new Promise<void>((resolve) => (quit = resolve));
  const terminal = openTerminal({
    input: options.input,
    output,
    onStray: (text) => loop?.note('warn', 'console', text.trimEnd()),
  });
  const actions = {
    quit,
    async reload(onProgress: (progress: ReloadProgress) => void): Promise<ReloadResult | null> {
      const client = link;
      if (!client) throw new Error('not connected to the supervisor');
      const onEvent = (event: ControlEvent) => onProgress(event.data as ReloadProgress);
      const result = await client.request<ReloadResult | null>('reload', { timeoutMs: 0, onEvent });
      // The last pushed status may predate the old workers' exit: show the outcome on fresh rows.
      await client.request<StatusSnapshot>('status').then((snapshot) => loop?.snapshot(snapshot), () => undefined);
      return result;
    },
  };
  try {
    loop = new RenderLoop(terminal.screen, options.name, actions);
    loop.snapshot(first);
    loop.logBacklog(backlog);
    for (const event of early.splice(0)) loop.event(event);
    loop.draw();
    options.onReady?.(loop);
    await done;
  } finally {
    quitting = true;
    clearTimeout(reconnectTimer);
    loop?.stop();
    void link?.close();
    terminal.close();
  }
  return 0;
}

export type { RenderLoop } from './render-loop';
