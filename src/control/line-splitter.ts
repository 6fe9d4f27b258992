import type { Socket } from 'node:net';

/**
 * Cuts a byte stream into newline-terminated lines (the control socket's newline-delimited
 * JSON), with a limit on a line's length in bytes. Blank lines are skipped.
 *
 * Not split2 or node:readline: split2 joins the whole pending text with each chunk and splits
 * it again, and readline has no length limit and also ends lines at a lone `\r`. Only the new
 * chunk is searched for the newline and the pieces are joined once it arrives, so a long
 * line costs linear time (rescanning the buffer cost seconds for an 8 MiB line).
 */
export class LineSplitter {
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  private overflowed = false;

  constructor(
    readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    /** Called once, when a line grows over the limit; everything after it is dropped. */
    private readonly onTooLong: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    let newline: number;
    while (!this.overflowed && (newline = chunk.indexOf(0x0a, start)) !== -1) {
      if (this.pieceBytes + newline - start > this.maxLineBytes) return this.overflow();
      const line = this.pieces.length === 0
        ? chunk.toString('utf8', start, newline)
        : Buffer.concat([...this.pieces, chunk.subarray(start, newline)]).toString('utf8');
      this.pieces = [];
      this.pieceBytes = 0;
      start = newline + 1;
      if (line.trim() !== '') this.onLine(line);
    }
    if (this.overflowed || start === chunk.length) return;
    this.pieces.push(chunk.subarray(start));
    this.pieceBytes += chunk.length - start;
    if (this.pieceBytes > this.maxLineBytes) this.overflow();
  }

  private overflow(): void {
    this.overflowed = true;
    this.pieces = [];
    this.pieceBytes = 0;
    this.onTooLong();
  }
}

/** Feeds `socket`'s data through a LineSplitter; lines stop once the socket is destroyed. */
export function readLines(socket: Socket, maxLineBytes: number, onLine: (line: string) => void, onTooLong: () => void): void {
  const splitter = new LineSplitter(maxLineBytes, (line) => {
    if (!socket.destroyed) onLine(line);
  }, onTooLong);
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));
}
