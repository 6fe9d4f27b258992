import { pino } from 'pino';
import type { LogRecord } from '../control/protocol.js';
import { appRecordJson, formatLogRecord } from './app-record.js';
import { formatPretty } from './pretty.js';

/** What stdout may hold unwritten before records are dropped (and counted) rather than queued. */
export const MAX_STDOUT_BACKLOG_BYTES = 4 * 1024 * 1024;

export interface LogFileOptions {
  /** Absolute; rolled files are `<name>.<n>.<ext>` beside it. */
  path: string;
  maxSizeBytes: number;
  /** Files kept, the one being written included. */
  keep: number;
}

export interface LogOutputOptions {
  /** The instance's name: the `name` field of app records. */
  name: string;
  /** Readable lines for a terminal instead of NDJSON. */
  pretty: boolean;
  file?: LogFileOptions;
  /** The file transport failed (cannot open, cannot rotate). */
  onFileError?: (err: Error) => void;
}

interface Sink {
  write(data: string): unknown;
}

/**
 * Where every log record of the primary goes: the supervisor's pino records (this is their
 * pino destination) and the workers' lines. stdout gets NDJSON, or readable lines on a
 * terminal; log.file gets the NDJSON too, through pino-roll in a worker thread.
 *
 * Nothing here blocks the primary's event loop on a slow reader: stdout is written
 * asynchronously and, once MAX_STDOUT_BACKLOG_BYTES wait, further records are dropped and
 * counted (`takeDropped`) so the supervisor can say so.
 */
export class LogOutput {
  private dropped = 0;
  private readonly stdout: Sink & { flushSync?(): void };
  private readonly file: Sink | undefined;
  private readonly color: boolean;

  constructor(private readonly options: LogOutputOptions, out: NodeJS.WriteStream = process.stdout) {
    this.color = out.isTTY === true;
    if (options.pretty) {
      this.stdout = {
        write: (data: string) => {
          if (out.writableLength > MAX_STDOUT_BACKLOG_BYTES) this.dropped++;
          else out.write(data);
        },
      };
    } else {
      const boom = pino.destination({ dest: 1, sync: false, maxLength: MAX_STDOUT_BACKLOG_BYTES });
      boom.on('drop', () => this.dropped++);
      this.stdout = boom;
    }
    if (options.file) {
      const { path, maxSizeBytes, keep } = options.file;
      const transport = pino.transport({
        target: require.resolve('pino-roll'),
        options: {
          file: path,
          size: `${maxSizeBytes}b`,
          mkdir: true,
          // Every numbered file of this name, those of earlier runs too.
          ...(keep > 1 ? { limit: { count: keep - 1, removeOtherLogFiles: true } } : {}),
        },
      });
      transport.on('error', (err: Error) => options.onFileError?.(err));
      this.file = transport;
    }
  }

  /** pino's destination interface: one JSON record per call. */
  write(line: string): void {
    if (this.options.pretty) {
      let record: Record<string, unknown> | undefined;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        record = undefined;
      }
      this.stdout.write(record ? formatPretty(record, this.color) : line);
    } else {
      this.stdout.write(line);
    }
    this.file?.write(line);
  }

  /** A worker's line. */
  writeApp(record: LogRecord): void {
    const json = appRecordJson(record, this.options.name);
    this.stdout.write(this.options.pretty ? formatLogRecord(record, this.color) : json);
    this.file?.write(json);
  }

  /** Records dropped since the last call. */
  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }

  /** Writes out what stdout still holds (at exit; the file transport flushes itself). */
  flushSync(): void {
    try {
      this.stdout.flushSync?.();
    } catch {
      // stdout is gone (the reader exited): nothing to save.
    }
  }
}
