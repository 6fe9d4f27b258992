import { parseArgs } from 'node:util';
import { closest } from '../config/suggest.js';
import { StickyUsageError } from '../errors.js';

/** `sticky status`: it runs, but a slot has no online worker. */
export const EXIT_NOT_ALL_ONLINE = 3;

/** One `sticky <name>` subcommand: resolves to the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Flags that pick the instance, shared by reload, stop and status. */
export const INSTANCE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  name: { type: 'string', short: 'n' },
} as const;

export const INSTANCE_USAGE = `  -c, --config FILE   the instance of this config file (default: the config found from here)
  -n, --name NAME     the instance called NAME`;

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
}

/** What parseArgs returns for `T`: each flag absent, or a string / true. */
export type Flags<T extends Record<string, OptionSpec>> = {
  [K in keyof T]?: T[K]['type'] extends 'string' ? string : boolean;
};

/** node:util parseArgs, strict and without positionals, its errors turned into one-line usage errors. */
export function parseCommandLine<T extends Record<string, OptionSpec>>(command: string, argv: string[], options: T): Flags<T> {
  return parseWithPositionals(command, argv, options, false).flags;
}

/** parseCommandLine for a command that takes arguments too (`sticky scale N`). */
export function parseWithPositionals<T extends Record<string, OptionSpec>>(
  command: string, argv: string[], options: T, allowPositionals = true,
): { flags: Flags<T>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals });
    return { flags: values as Flags<T>, positionals };
  } catch (error) {
    throw new StickyUsageError(`sticky ${command}: ${describeParseError(error as Error & { code?: string }, Object.keys(options))}`);
  }
}

function describeParseError(error: Error & { code?: string }, known: string[]): string {
  const unknown = /^Unknown option '(.+?)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const guess = closest(unknown.replace(/^-+/, ''), known);
    return `unknown option ${unknown}${guess ? ` (did you mean --${guess}?)` : ''}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return error.message.split('.')[0] ?? error.message;
  return error.message;
}
