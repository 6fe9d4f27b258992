/** `sticky <command>`: dispatch, --help / --version, and errors turned into exit codes. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { closest } from '../config/suggest.js';
import { StickyConfigError, StickyError, StickyUsageError } from '../errors.js';
import type { Command } from './command.js';
import { stripControls } from '../text/control-chars.js';
import { init } from './init.js';
import { list } from './list.js';
import { logs } from './logs.js';
import { reload } from './reload.js';
import { scale } from './scale.js';
import { start } from './start.js';
import { status } from './status.js';
import { stop } from './stop.js';

/** 0 done; 1 it failed (nothing runs, a reload failed, start failed); 2 wrong config or command line; 3 (status) a slot is not online. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const COMMANDS: readonly Command[] = [start, reload, scale, stop, status, logs, list, init];

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `sticky: sticky-session supervisor for socket.io and any Node server, on every core

usage: sticky <command> [options]

${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

  sticky <command> --help   options of a command
  sticky --version          the version

Signals to a running primary: SIGHUP reloads, SIGTERM / SIGINT stop it gracefully.
`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined) {
      process.stderr.write(usage());
      return EXIT_USAGE;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      const command = rest[0] === undefined ? undefined : findCommand(rest[0]);
      process.stdout.write(command ? `${command.usage}\n` : usage());
      return EXIT_OK;
    }
    if (first === '--version' || first === '-v') {
      process.stdout.write(`${version()}\n`);
      return EXIT_OK;
    }
    const command = findCommand(first);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.usage}\n`);
      return EXIT_OK;
    }
    return await command.run(rest);
  } catch (error) {
    return report(error);
  }
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command) return command;
  const guess = closest(name, COMMANDS.map((candidate) => candidate.name));
  throw new StickyUsageError(`sticky: unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
}

function version(): string {
  const manifest = path.join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** Prints the error for a person (one line when that says it all) and picks the exit code. */
export function report(error: unknown): number {
  if (error instanceof StickyConfigError) {
    const count = error.problems.length;
    const heading = error.file ? `sticky: ${error.file}: ${count} problem${count === 1 ? '' : 's'}` : undefined;
    process.stderr.write(heading
      ? `${heading}\n${error.problems.map((problem) => `  ${problem}`).join('\n')}\n`
      : `${error.problems.map((problem) => `sticky: ${problem}`).join('\n')}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof StickyUsageError) {
    process.stderr.write(`${error.message}\nrun "sticky --help" for usage\n`);
    return EXIT_USAGE;
  }
  if (error instanceof StickyError) {
    // A supervisor's error (a reload's) can quote a worker's own error text.
    process.stderr.write(`sticky: ${stripControls(error.message, { keepNewlines: true })}\n`);
    return EXIT_FAILED;
  }
  process.stderr.write(`sticky: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  return EXIT_FAILED;
}
