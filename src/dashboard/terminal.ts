/**
 * Owning the terminal: a blessed screen on its own view of the output stream, and a guard that
 * reroutes every other write to stdout and stderr (console.*, process warnings) while the screen is
 * up, because a single stray line corrupts a blessed screen. Captured text goes to `onStray` and is
 * written out for real once the terminal is restored.
 */
import blessed from 'blessed';
import { EventEmitter } from 'node:events';

type WriteFn = typeof process.stdout.write;
const MAX_REPLAYED_CHUNKS = 100;

/**
 * What blessed writes to: the target stream's original `write`, unaffected by the guard. Writes are
 * passed straight through (no buffering of its own), so the restore sequences blessed writes on
 * destroy reach the terminal even when the process exits right after.
 */
class ScreenOutput extends EventEmitter {
  readonly writable = true;
  private readonly onResize = () => this.emit('resize');

  constructor(private readonly target: NodeJS.WriteStream, private readonly rawWrite: WriteFn) {
    super();
    target.on('resize', this.onResize);
  }

  get columns(): number {
    return this.target.columns;
  }

  get rows(): number {
    return this.target.rows;
  }

  get isTTY(): boolean {
    return this.target.isTTY === true;
  }

  get bytesWritten(): number {
    return (this.target as unknown as { bytesWritten?: number }).bytesWritten ?? 0;
  }

  write(data: string | Uint8Array): boolean {
    return this.rawWrite.call(this.target, data);
  }

  detach(): void {
    this.target.off('resize', this.onResize);
  }
}

export interface TerminalOptions {
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /** Text some code tried to print while the screen was up. */
  onStray?: (text: string) => void;
}

export interface Terminal {
  screen: blessed.Widgets.Screen;
  /** Leaves the alternate screen, restores the cursor and tty mode, then replays stray output. */
  close(): void;
}

export function openTerminal(options: TerminalOptions = {}): Terminal {
  const input = options.input ?? process.stdin;
  const target = options.output ?? process.stdout;
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  const guarded = streams.indexOf(target as (typeof streams)[number]);
  const output = new ScreenOutput(target, guarded >= 0 ? originals[guarded]! : target.write);
  const stray: Array<{ stream: number; chunk: string }> = [];

  streams.forEach((stream, index) => {
    stream.write = function guardedWrite(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      stray.push({ stream: index, chunk: text });
      if (stray.length > MAX_REPLAYED_CHUNKS) stray.shift();
      options.onStray?.(text);
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    } as WriteFn;
  });

  const screen = blessed.screen({
    input: input as never,
    output: output as never,
    smartCSR: true,
    autoPadding: true,
    warnings: false,
  });

  // On a UTF-8 terminal draw line and block characters as themselves: blessed would otherwise switch
  // to the VT100 alternate character set for some of them, which copies and captures show as letters.
  const tput = (screen.program as unknown as { tput: { unicode?: boolean; brokenACS?: boolean } }).tput;
  if (tput.unicode) tput.brokenACS = true;

  let closed = false;
  const restore = () => {
    if (closed) return;
    closed = true;
    streams.forEach((stream, index) => {
      stream.write = originals[index]!;
    });
    output.detach();
    for (const { stream, chunk } of stray) streams[stream]!.write(chunk);
  };
  // blessed destroys the screen itself on an uncaught exception or a fatal signal.
  screen.on('destroy', restore);

  return {
    screen,
    close() {
      if (!closed) screen.destroy();
      restore();
    },
  };
}
