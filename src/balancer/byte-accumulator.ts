/**
 * The bytes read from one connection so far, in one Buffer. The first read is kept as it
 * came (each read is its own exactly-sized allocation); later reads are copied into a buffer
 * that doubles as needed, so a client dripping one byte per read costs O(bytes) memory and
 * copying, not an object per read nor a concat per read. Never from Buffer's shared pool:
 * a small slice of it would keep a whole 8 KiB slab alive for as long as the connection waits.
 */
export class ByteAccumulator {
  private buffer: Buffer | undefined;
  private owned = false;
  length = 0;

  /** Takes `chunk`, which its owner must not change afterwards (a read's own allocation is never reused). */
  append(chunk: Buffer): void {
    if (this.buffer === undefined) {
      this.buffer = chunk;
      this.length = chunk.length;
      return;
    }
    const need = this.length + chunk.length;
    if (!this.owned || need > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(need, Math.min(2 * this.length, MAX_SPARE + this.length), 256));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
      this.owned = true;
    }
    chunk.copy(this.buffer, this.length);
    this.length = need;
  }

  /** Everything appended, as one Buffer (a view: valid until the next append). */
  bytes(): Buffer {
    if (this.buffer === undefined) return EMPTY;
    return this.length === this.buffer.length ? this.buffer : this.buffer.subarray(0, this.length);
  }
}

const EMPTY = Buffer.alloc(0);
/** Growth beyond what is needed stops doubling here: a large head grows by at most this. */
const MAX_SPARE = 16_384;
