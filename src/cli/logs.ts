import type { ControlClient } from '../control/client.js';
import { DEFAULT_LOG_LINES, type LogRecord, type LogsResult } from '../control/protocol.js';
import { StickyUsageError } from '../errors.js';
import { formatLogRecord } from '../log/app-record.js';
import { INSTANCE_OPTIONS, INSTANCE_USAGE, parseCommandLine, type Command } from './command.js';
import { connectInstance } from './instance.js';
import { streamUntilClosed } from './stream.js';

const OPTIONS = {
  ...INSTANCE_OPTIONS,
  lines: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  json: { type: 'boolean' },
} as const;

export const logs: Command = {
  name: 'logs',
  summary: 'show recent app output and supervisor events (--follow: keep streaming)',
  usage: `sticky logs [--lines N] [--follow] [--json] [--config FILE | --name NAME]

The last lines the workers printed and the supervisor's events, oldest first, each with its
time, slot and pid (the primary keeps the last 1000). Exit 1 when nothing runs.
  --lines N           how many (default ${DEFAULT_LOG_LINES})
  -f, --follow        then print each new line as it comes, until Ctrl-C or the instance stops
  --json              one JSON record per line
${INSTANCE_USAGE}`,

  async run(argv) {
    const flags = parseCommandLine('logs', argv, OPTIONS);
    const lines = flags.lines === undefined ? DEFAULT_LOG_LINES : parseLines(flags.lines);
    const client = await connectInstance(flags);
    const print = (record: LogRecord): boolean => process.stdout.write(flags.json
      ? `${JSON.stringify(record)}\n`
      : formatLogRecord(record, process.stdout.isTTY === true));
    try {
      if (!flags.follow) {
        for (const record of (await client.request<LogsResult>('logs', { params: { lines } })).records) print(record);
        return 0;
      }
      return await follow(client, lines, print);
    } finally {
      await client.close();
    }
  },
};

function parseLines(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new StickyUsageError(`sticky logs: --lines: "${value}" is not a whole number of 0 or more`);
  return n;
}

/** The last `lines`, then every new one until the instance stops, the reader goes away (EPIPE) or Ctrl-C. */
function follow(client: ControlClient, lines: number, print: (record: LogRecord) => unknown): Promise<number> {
  // Lines pushed in the same read as the reply would otherwise print before the reply's.
  let early: LogRecord[] | undefined = [];
  return streamUntilClosed(client, async () => {
    client.onEvent((event) => {
      if (event.event !== 'line') return;
      if (early) early.push(event.data as LogRecord);
      else print(event.data as LogRecord);
    });
    const { records } = await client.request<LogsResult>('logs', { params: { lines, follow: true } });
    for (const record of [...records, ...early!]) print(record);
    early = undefined;
  });
}
