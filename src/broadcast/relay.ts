import cluster from 'node:cluster';
import type { SlotWorker } from '../cluster/slot-worker.js';
import type { WorkerPool } from '../cluster/worker-pool.js';
import { noop } from '../util/noop.js';

/** `source` of every @socket.io/cluster-adapter message (its MESSAGE_SOURCE). */
export const ADAPTER_SOURCE = '_sio_adapter';
/** socket.io-adapter's MessageType.ADAPTER_CLOSE: "this node is gone". */
const ADAPTER_CLOSE = 13;

interface AdapterMessage {
  source: typeof ADAPTER_SOURCE;
  type: number;
  /** The sending adapter (one per namespace per worker). */
  uid: string;
  nsp: string;
  /** Set on responses: the adapter that asked. */
  requesterUid?: string;
}

function isAdapterMessage(msg: unknown): msg is AdapterMessage {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as Partial<AdapterMessage>;
  return m.source === ADAPTER_SOURCE && typeof m.uid === 'string' && typeof m.nsp === 'string' && typeof m.type === 'number';
}

/**
 * The primary's side of @socket.io/cluster-adapter (what its `setupPrimary()` does), over the
 * workers of one pool: a worker's adapter message goes to every other worker, a response only
 * to the worker whose adapter asked. When a worker exits, the others are told its adapters
 * are gone, so `fetchSockets()` and acked `serverSideEmit()` stop waiting for it at once
 * instead of at the adapter's heartbeat timeout.
 *
 * Call before the pool forks: it switches the cluster channel to `serialization: 'advanced'`
 * so Buffers in broadcasts arrive as Buffers (JSON would turn them into `{ type, data }`).
 */
export class BroadcastRelay {
  /** Adapter uid -> the worker it lives in and its namespace. */
  private readonly adapters = new Map<string, { worker: SlotWorker; nsp: string }>();
  relayed = 0;

  constructor(private readonly pool: WorkerPool) {
    cluster.setupPrimary({ serialization: 'advanced' });
    pool.on('fork', (w) => this.watch(w));
  }

  private watch(w: SlotWorker): void {
    const uids = new Set<string>();
    w.worker.on('message', (msg: unknown) => {
      if (!isAdapterMessage(msg)) return;
      if (!uids.has(msg.uid)) {
        uids.add(msg.uid);
        this.adapters.set(msg.uid, { worker: w, nsp: msg.nsp });
      }
      this.relay(w, msg);
    });
    w.worker.once('exit', () => {
      for (const uid of uids) {
        const nsp = this.adapters.get(uid)?.nsp;
        this.adapters.delete(uid);
        if (nsp !== undefined) this.sendToOthers(w, { source: ADAPTER_SOURCE, type: ADAPTER_CLOSE, uid, nsp });
      }
    });
  }

  private relay(from: SlotWorker, msg: AdapterMessage): void {
    this.relayed++;
    if (msg.requesterUid === undefined) {
      this.sendToOthers(from, msg);
      return;
    }
    const requester = this.adapters.get(msg.requesterUid)?.worker;
    if (requester !== undefined && requester !== from) send(requester, msg);
  }

  private sendToOthers(from: SlotWorker, msg: AdapterMessage): void {
    for (const w of this.pool.workers()) if (w !== from) send(w, msg);
  }
}

function send(w: SlotWorker, msg: AdapterMessage): void {
  if (w.worker.isConnected()) w.worker.send(msg, undefined, noop);
}
