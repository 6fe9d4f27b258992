import type { WorkerStatus } from './protocol.js';

export interface SlotSummary {
  /** Slots with an online worker taking their connections. */
  online: number;
  /** Every slot, whatever its state. */
  total: number;
}

/**
 * Counts slots, not worker rows: a draining worker beside its replacement, or a replacement
 * starting beside the current one, is the same slot. Every slot has a row that is not
 * draining; a slot with only draining rows was removed (`sticky scale`) and is not counted.
 */
export function summarizeSlots(workers: readonly WorkerStatus[]): SlotSummary {
  const slots = new Set<number>();
  const online = new Set<number>();
  for (const w of workers) {
    if (w.state !== 'draining') slots.add(w.slot);
    if (w.state === 'online') online.add(w.slot);
  }
  return { online: online.size, total: slots.size };
}
