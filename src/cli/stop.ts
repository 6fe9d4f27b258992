import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StatusSnapshot } from '../control/protocol.js';
import { StickyControlError } from '../errors.js';
import { parseStat } from '../supervisor/proc-stats.js';
import { INSTANCE_OPTIONS, INSTANCE_USAGE, parseCommandLine, type Command } from './command.js';
import { connectInstance } from './instance.js';

const EXIT_POLL_MS = 50;

export const stop: Command = {
  name: 'stop',
  summary: 'stop a running instance gracefully, draining every worker',
  usage: `sticky stop [--config FILE | --name NAME]

Drains every worker (like SIGTERM to the primary) and returns once the primary has exited.
${INSTANCE_USAGE}`,

  async run(argv) {
    const flags = parseCommandLine('stop', argv, INSTANCE_OPTIONS);
    const client = await connectInstance(flags);
    let pid: number;
    try {
      ({ pid } = await client.request<StatusSnapshot>('status'));
      process.stdout.write(`stopping "${client.name}" (pid ${pid}), draining its workers\n`);
      // The supervisor may answer, or just exit: the connection closing is the answer too.
      await client.request('stop', { timeoutMs: 0 }).catch((error: unknown) => {
        if (!(error instanceof StickyControlError)) throw error;
      });
      await client.closed;
    } finally {
      await client.close();
    }
    while (isRunning(pid)) await sleep(EXIT_POLL_MS);
    process.stdout.write(`stopped "${client.name}"\n`);
    return 0;
  },
};

/** Signal 0 probes the pid; a zombie (exited, not yet reaped by its parent) counts as gone. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).state !== 'Z';
  } catch {
    return true;
  }
}
