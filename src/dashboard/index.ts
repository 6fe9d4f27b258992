/**
 * `sticky status` without --json: connect to the instance's control socket, subscribe, and show the
 * live dashboard until the user quits. A lost socket is retried once a second (a restarted supervisor
 * comes back on screen); nothing is polled by spawning processes.
 */
import type { ControlEvent, ReloadProgress, StatusSnapshot } from '../control/protocol';
import { ControlLink } from './control-link';
import { RenderLoop } from './render-loop';
import { openTerminal } from './terminal';

export const RECONNECT_INTERVAL_MS = 1_000;

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
}

/** Runs the dashboard; resolves with the exit code (0 after q, 1 when no instance answers). */
export async function runDashboard(options: DashboardOptions): Promise<number> {
  const output = options.output ?? process.stdout;
  if (!output.isTTY) {
    process.stderr.write('sticky status: the dashboard needs a terminal; use `sticky status --json`\n');
    return 1;
  }

  let loop: RenderLoop | undefined;
  let link: ControlLink | undefined;
  let quitting = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const early: ControlEvent[] = [];

  const onEvent = (event: ControlEvent) => (loop ? loop.event(event) : early.push(event));
  const onClose = (error: Error) => {
    link = undefined;
    if (quitting || !loop) return;
    loop.connectionLost(error.message);
    scheduleReconnect();
  };
  const subscribe = async (): Promise<{ link: ControlLink; snapshot: StatusSnapshot }> => {
    const connected = await ControlLink.connect(options.socketPath, onEvent, onClose);
    try {
      const snapshot = (await connected.request('status')) as StatusSnapshot;
      await connected.request('subscribe');
      return { link: connected, snapshot };
    } catch (error) {
      connected.close();
      throw error;
    }
  };
  const scheduleReconnect = () => {
    reconnectTimer = setTimeout(() => {
      subscribe().then(
        (result) => {
          if (quitting) return result.link.close();
          link = result.link;
          loop?.connectionRestored();
          loop?.snapshot(result.snapshot);
        },
        () => {
          if (!quitting) scheduleReconnect();
        },
      );
    }, RECONNECT_INTERVAL_MS);
  };

  let first: StatusSnapshot;
  try {
    ({ link, snapshot: first } = await subscribe());
  } catch (error) {
    process.stderr.write(`sticky status: no instance "${options.name}" is running (${(error as Error).message})\n`);
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
    reload(onProgress: (progress: ReloadProgress) => void): Promise<void> {
      if (!link) return Promise.reject(new Error('not connected to the supervisor'));
      return link.request('reload', (event) => onProgress(event.data as ReloadProgress)).then(() => undefined);
    },
  };
  try {
    loop = new RenderLoop(terminal.screen, options.name, actions);
    loop.snapshot(first);
    for (const event of early.splice(0)) loop.event(event);
    loop.draw();
    options.onReady?.(loop);
    await done;
  } finally {
    quitting = true;
    clearTimeout(reconnectTimer);
    loop?.stop();
    link?.close();
    terminal.close();
  }
  return 0;
}

export type { RenderLoop } from './render-loop';
