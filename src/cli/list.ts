import { listInstances } from '../control/instances.js';
import type { StatusSnapshot } from '../control/protocol.js';
import { summarizeSlots } from '../control/slot-summary.js';
import { formatTable } from '../text/table.js';
import { parseCommandLine, type Command } from './command.js';

const OPTIONS = {
  json: { type: 'boolean' },
} as const;

/** One instance in `sticky list --json`. */
export interface ListedInstance {
  name: string;
  pid: number;
  host: string;
  port: number;
  workers: { online: number; total: number };
  configFile: string | null;
  uptimeMs: number;
}

export const list: Command = {
  name: 'list',
  summary: 'list every running instance of this user (like pm2 ls)',
  usage: `sticky list [--json]

Every running instance of this user: name, primary pid, port, workers online/total and
the config file it runs from. Exits 0, also when none runs.
  --json              print a JSON array instead of a table`,

  async run(argv) {
    const flags = parseCommandLine('list', argv, OPTIONS);
    const { running, unreachable } = await listInstances();
    const rows = running.map(toListed).sort((a, b) => a.name.localeCompare(b.name));
    for (const { socketPath, reason } of unreachable) process.stderr.write(`sticky: skipped ${socketPath}: ${reason}\n`);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(rows)}\n`);
    } else if (rows.length === 0) {
      process.stdout.write('no sticky instance is running\n');
    } else {
      process.stdout.write(`${formatList(rows)}\n`);
    }
    return 0;
  },
};

export function toListed(status: StatusSnapshot): ListedInstance {
  return {
    name: status.name,
    pid: status.pid,
    host: status.host,
    port: status.port,
    workers: summarizeSlots(status.workers),
    configFile: status.configFile ?? null,
    uptimeMs: status.uptimeMs,
  };
}

export function formatList(rows: readonly ListedInstance[]): string {
  return formatTable([
    ['NAME', 'PID', 'PORT', 'WORKERS', 'CONFIG'],
    ...rows.map((row) => [row.name, String(row.pid), String(row.port), `${row.workers.online}/${row.workers.total}`, row.configFile ?? '-']),
  ], new Set([1, 2, 3]));
}
