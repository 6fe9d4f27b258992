import type { ControlClient } from '../control/client.js';
import type { StatusSnapshot } from '../control/protocol.js';
import { summarizeSlots } from '../control/slot-summary.js';
import { EXIT_NOT_ALL_ONLINE, INSTANCE_OPTIONS, INSTANCE_USAGE, parseCommandLine, type Command } from './command.js';
import { connectInstance } from './instance.js';
import { formatStatus } from './status-text.js';
import { streamUntilClosed } from './stream.js';

/**
 * Issue 5's live dashboard: a module exporting `runDashboard(client)` that owns the
 * terminal until the user quits and resolves to the exit code. Until src/dashboard/
 * exists, `sticky status` prints one snapshot as a table.
 */
const DASHBOARD_MODULE = '../dashboard/index.js';

interface DashboardModule {
  runDashboard(client: ControlClient): Promise<number>;
}

const OPTIONS = {
  ...INSTANCE_OPTIONS,
  json: { type: 'boolean' },
  watch: { type: 'boolean', short: 'w' },
} as const;

export const status: Command = {
  name: 'status',
  summary: 'show the workers of a running instance (--json: one snapshot)',
  usage: `sticky status [--json] [--watch] [--config FILE | --name NAME]

Shows the running instance's workers: a live dashboard in a terminal, else a table.
Exits 0 when every slot has an online worker, 3 when one has not (the snapshot is
still printed), 1 when nothing runs.
  --json              print one status snapshot as JSON
  -w, --watch         print a JSON snapshot per line, about once a second, until it stops
${INSTANCE_USAGE}`,

  async run(argv) {
    const flags = parseCommandLine('status', argv, OPTIONS);
    const client = await connectInstance(flags);
    try {
      if (flags.watch) return await streamStatus(client);
      if (flags.json) {
        const snapshot = await client.request<StatusSnapshot>('status');
        process.stdout.write(`${JSON.stringify(snapshot)}\n`);
        return statusExitCode(snapshot);
      }
      const dashboard = process.stdout.isTTY ? loadDashboard() : undefined;
      if (dashboard) return await dashboard.runDashboard(client);
      const snapshot = await client.request<StatusSnapshot>('status');
      process.stdout.write(formatStatus(snapshot));
      return statusExitCode(snapshot);
    } finally {
      await client.close();
    }
  },
};

/** 0 when every slot has an online worker, EXIT_NOT_ALL_ONLINE when one has not (scripts and health checks read it). */
export function statusExitCode(snapshot: StatusSnapshot): number {
  const { online, total } = summarizeSlots(snapshot.workers);
  return online === total ? 0 : EXIT_NOT_ALL_ONLINE;
}

/** JSON lines until the instance stops, the reader goes away (EPIPE) or Ctrl-C. */
function streamStatus(client: ControlClient): Promise<number> {
  const write = (snapshot: unknown) => process.stdout.write(`${JSON.stringify(snapshot)}\n`);
  return streamUntilClosed(client, async () => {
    client.onEvent((event) => {
      if (event.event === 'status') write(event.data);
    });
    write(await client.request('status'));
    await client.request('subscribe');
  });
}

function loadDashboard(): DashboardModule | undefined {
  try {
    return require(DASHBOARD_MODULE) as DashboardModule;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'MODULE_NOT_FOUND' && message.includes(DASHBOARD_MODULE)) return undefined;
    throw error;
  }
}
