import { pino, type DestinationStream, type Logger } from 'pino';
import type { ResolvedConfig } from '../config/types.js';
import { prettyDestination } from './pretty.js';

export type { Logger };
export type LogLevel = ResolvedConfig['log']['level'];

export interface LoggerOptions {
  name: string;
  level: LogLevel;
  /** Readable lines instead of JSON; default: when stdout is a terminal. */
  pretty?: boolean;
  /** Where the records go instead of stdout (the supervisor's LogOutput). */
  destination?: DestinationStream;
}

/**
 * The supervisor's logger: pino JSON lines on stdout (what systemd, containers and log
 * shippers want), readable lines when a person is watching a terminal. Writes are
 * synchronous so the last lines before an exit are not lost.
 */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  const destination = options.destination ?? (pretty ? prettyDestination(process.stdout) : pino.destination({ dest: 1, sync: true }));
  return pino({ name: options.name, level: options.level, base: { pid: process.pid } }, destination);
}
