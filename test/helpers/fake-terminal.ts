import { PassThrough, Writable } from 'node:stream';

/**
 * A terminal for blessed without a pty: keys are written to `input`, everything blessed draws
 * collects in `written`. Size changes emit 'resize' as a tty does.
 */
export class FakeTerminal {
  readonly input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  readonly output: Writable & { columns: number; rows: number; isTTY: boolean };
  written = '';

  constructor(columns = 80, rows = 24) {
    const sink = new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.written += chunk.toString();
        done();
      },
    });
    this.output = Object.assign(sink, { columns, rows, isTTY: true });
  }

  press(keys: string): void {
    this.input.write(keys);
  }

  resize(columns: number, rows: number): void {
    this.output.columns = columns;
    this.output.rows = rows;
    this.output.emit('resize');
  }
}

export const KEY_UP = '\x1b[A';
export const KEY_DOWN = '\x1b[B';
export const CTRL_C = '\x03';
