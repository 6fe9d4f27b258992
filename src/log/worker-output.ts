import type { Readable } from 'node:stream';
import type { SlotWorker } from '../cluster/slot-worker.js';
import type { LogRecord } from '../control/protocol.js';
import { AppLineSplitter } from './app-lines.js';
import { appRecord } from './app-record.js';

/**
 * Reads a worker's piped stdout and stderr (it was forked with `silent: true`) line by line
 * and hands each line on as a record attributed to its slot and pid. The pipes are always
 * read, never paused: a worker must not block on its own console.log because the primary's
 * stdout is slow (LogOutput drops instead).
 */
export function captureWorkerOutput(w: SlotWorker, onRecord: (record: LogRecord) => void): void {
  const { stdout, stderr } = w.worker.process;
  // The pid is read once: after the exit the process object may no longer have it.
  const pid = w.pid;
  read(stdout, 'stdout');
  read(stderr, 'stderr');

  function read(stream: Readable | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    const splitter = new AppLineSplitter((line) => onRecord(appRecord(w.slot, pid, name, line)));
    stream.on('data', (chunk: Buffer) => splitter.push(chunk));
    stream.on('end', () => splitter.end());
    stream.on('error', () => splitter.end());
  }
}
