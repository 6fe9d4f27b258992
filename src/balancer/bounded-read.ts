/**
 * Reads of an accepted handle bounded to READ_CAP bytes. Node reads a stream into a fresh
 * 64 KiB allocation (cut to size after), so a request with a body had up to 64 KiB read in
 * the primary and sent on to the worker inside the hand-off message: the 64 KiB-body
 * benchmark cost the primary ~4x round-robin's CPU. With a user buffer (what net.Socket's
 * `onread: { buffer }` option uses) libuv reads at most its size, so what lies past the head
 * stays in the kernel for the worker to read. One buffer serves every connection: a read is
 * copied out in the same onread call, before any other read can happen.
 *
 * With a user buffer, onread gets no ArrayBuffer: the byte count (or UV_EOF / an error, below
 * zero) is in stream_wrap's streamBaseState, which only process.binding reaches (the same on
 * Node 20, 22 and 24; a DEP0111 warning only under --pending-deprecation). Where it is not
 * there, reads stay unbounded.
 */
export const READ_CAP = 4096;

interface ReadState {
  state: Int32Array;
  index: number;
}

export interface UserBufferHandle {
  useUserBuffer?(buffer: Uint8Array): void;
}

const readState = findReadState();
const shared = Buffer.allocUnsafeSlow(READ_CAP);

function findReadState(): ReadState | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): unknown }).binding('stream_wrap') as {
      streamBaseState?: unknown; kReadBytesOrError?: unknown;
    };
    const { streamBaseState: state, kReadBytesOrError: index } = binding;
    if (!(state instanceof Int32Array) || typeof index !== 'number') return undefined;
    return { state, index };
  } catch {
    return undefined;
  }
}

/** Makes `handle` read into the shared buffer; false where that cannot be done (reads unbounded). */
export function boundReads(handle: UserBufferHandle): boolean {
  if (readState === undefined || typeof handle.useUserBuffer !== 'function') return false;
  handle.useUserBuffer(shared);
  return true;
}

/**
 * What a bounded handle's onread call brought: a copy of the bytes read (its own allocation,
 * not the shared buffer nor Buffer's pool), null for a read of nothing, undefined at the end
 * of the stream or on an error.
 */
export function boundedRead(): Buffer | null | undefined {
  const n = readState!.state[readState!.index]!;
  if (n < 0) return undefined;
  if (n === 0) return null;
  const chunk = Buffer.allocUnsafeSlow(n);
  shared.copy(chunk, 0, 0, n);
  return chunk;
}
