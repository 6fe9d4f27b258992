/**
 * Cuts a worker's stdout or stderr into lines fit for one log record each. Unlike the
 * control socket's LineSplitter, nothing is dropped: a line over the limit is cut into
 * pieces, a last line without a newline comes out at end(), and bytes that are not text
 * (invalid UTF-8, terminal escapes, control characters) cannot break the framing of the
 * NDJSON or the terminal they end up in.
 */
export const MAX_APP_LINE_BYTES = 16 * 1024;

export class AppLineSplitter {
  private pending: Buffer | undefined;

  constructor(private readonly onLine: (line: string) => void, private readonly maxLineBytes = MAX_APP_LINE_BYTES) {}

  push(chunk: Buffer): void {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let start = 0;
    for (;;) {
      const newline = data.indexOf(0x0a, start);
      if (newline === -1) break;
      this.emitLong(data.subarray(start, newline));
      start = newline + 1;
    }
    data = data.subarray(start);
    while (data.length > this.maxLineBytes) {
      const cut = utf8Boundary(data, this.maxLineBytes);
      this.emit(data.subarray(0, cut));
      data = data.subarray(cut);
    }
    // A copy: the chunk's buffer may be pooled and reused by the stream.
    if (data.length > 0) this.pending = Buffer.from(data);
  }

  /** The stream ended: its last line, even without a newline. */
  end(): void {
    if (this.pending) this.emit(this.pending);
    this.pending = undefined;
  }

  private emitLong(line: Buffer): void {
    while (line.length > this.maxLineBytes) {
      const cut = utf8Boundary(line, this.maxLineBytes);
      this.emit(line.subarray(0, cut));
      line = line.subarray(cut);
    }
    this.emit(line);
  }

  private emit(bytes: Buffer): void {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    this.onLine(cleanLine(bytes.toString('utf8', 0, end)));
  }
}

/** Where to cut `bytes` at most `max` bytes in without splitting a UTF-8 sequence. */
function utf8Boundary(bytes: Buffer, max: number): number {
  let cut = max;
  // Back over continuation bytes (10xxxxxx), at most the 3 a sequence can have.
  while (cut > max - 3 && cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return cut > 0 ? cut : max;
}

const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/**
 * Colours and cursor moves are removed (they mean nothing in a log file); any other control
 * character is shown as \xNN. Invalid UTF-8 has already become U+FFFD in the decoding.
 */
export function cleanLine(line: string): string {
  return line.replace(ANSI_ESCAPE, '').replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
