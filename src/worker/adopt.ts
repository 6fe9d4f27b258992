import cluster from 'node:cluster';
import { Socket, type Server } from 'node:net';
import { isSticky, STICKY_CMD, type ConnMessage, type PrimaryToWorker, type WorkerToPrimary } from '../ipc/messages.js';
import { ConnectionTracker } from './connection-tracker.js';
import { replay, type SyncOptions } from './replay.js';

export interface AdoptOptions {
  sync?: SyncOptions;
}

type Listener = (msg: unknown, handle?: unknown) => void;

interface Adopted {
  server: Server;
  tracker: ConnectionTracker;
  accepting: boolean;
  listener: Listener;
}

let adopted: Adopted | undefined;

function sendToPrimary(msg: WorkerToPrimary): void {
  // process.send is always there in a cluster worker; internal cmd keeps it off 'message'.
  if (process.connected) process.send!(msg, undefined, undefined, noop);
}

/** Sets the worker's env the way the original package did, before app code reads it. */
export function setWorkerEnv(): void {
  if (cluster.worker && process.env.NODE_WORKER_ID === undefined) {
    process.env.NODE_WORKER_ID = String(cluster.worker.id);
  }
}

/**
 * Makes `server` the worker's receiver of handed-off connections. Its listen() binds
 * nothing (the primary owns the port) and only calls the callback; its close() stops new
 * hand-offs, then emits 'close' once the adopted connections are gone.
 */
export function adoptServer(server: Server, options: AdoptOptions = {}): Server {
  if (adopted) {
    if (adopted.server === server) return server;
    throw new Error('socketio-sticky-session: a worker can serve one server; sticky() was called twice with different servers');
  }
  setWorkerEnv();
  const tracker = new ConnectionTracker(sendToPrimary);
  const state: Adopted = { server, tracker, accepting: true, listener: noop };

  state.listener = (msg, handle) => {
    if (!isSticky(msg)) return;
    const m = msg as PrimaryToWorker;
    if (m.t === 'conn') onConnection(state, m, toSocket(handle), options);
    else if (m.t === 'drain') void drain(state, m.timeoutMs);
  };
  process.on('internalMessage', state.listener);

  server.listen = function listen(...args: unknown[]) {
    const cb = args.findLast((a) => typeof a === 'function') as (() => void) | undefined;
    if (cb) process.nextTick(cb);
    return server;
  } as Server['listen'];

  const originalClose = server.close;
  server.close = function close(cb?: (err?: Error) => void) {
    if (cb) server.once('close', cb);
    if (state.accepting) {
      state.accepting = false;
      sendToPrimary({ cmd: STICKY_CMD, t: 'closing' });
      closeIdle(server);
      void tracker.whenIdle().then(() => {
        tracker.flush();
        originalClose.call(server);
      });
    }
    return server;
  } as Server['close'];

  adopted = state;
  sendToPrimary({ cmd: STICKY_CMD, t: 'ready' });
  return server;
}

function onConnection(state: Adopted, msg: ConnMessage, socket: Socket | undefined, options: AdoptOptions): void {
  if (!socket) return;
  if (!state.accepting) {
    // Destroy our copy before it reads a byte; the primary still holds the connection.
    socket.destroy();
    sendToPrimary({ cmd: STICKY_CMD, t: 'ack', id: msg.id, ok: false });
    return;
  }
  sendToPrimary({ cmd: STICKY_CMD, t: 'ack', id: msg.id, ok: true });
  state.tracker.add(socket);
  if (msg.remote) overrideRemote(socket, msg.remote);
  replay(state.server, socket, msg.data, options.sync);
}

/** In ip mode the primary sends the raw TCP handle; wrap it the way net.Server would. */
function toSocket(handle: unknown): Socket | undefined {
  if (handle === undefined || handle === null) return undefined;
  if (handle instanceof Socket) return handle;
  // `handle` is what child_process itself passes for a received net.Socket (not in the types).
  return new Socket({ handle, readable: true, writable: true } as ConstructorParameters<typeof Socket>[0]);
}

function overrideRemote(socket: Socket, remote: NonNullable<ConnMessage['remote']>): void {
  Object.defineProperties(socket, {
    remoteAddress: { value: remote.address, configurable: true },
    remotePort: { value: remote.port, configurable: true },
    remoteFamily: { value: remote.family, configurable: true },
  });
}

function closeIdle(server: Server): void {
  const s = server as Server & { closeIdleConnections?: () => void };
  if (typeof s.closeIdleConnections === 'function') s.closeIdleConnections();
}

async function drain(state: Adopted, timeoutMs: number): Promise<void> {
  const { server, tracker } = state;
  // PM2's convention, so apps written for PM2 clean up the same way.
  process.emit('message', 'shutdown', undefined);
  server.emit('sticky:drain');
  server.close();
  const idleTicker = setInterval(() => closeIdle(server), 250);
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
  await Promise.race([tracker.whenIdle(), deadline]);
  clearInterval(idleTicker);
  tracker.flush();
  process.exit(0);
}

function noop(): void {}
