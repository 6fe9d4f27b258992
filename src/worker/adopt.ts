import cluster from 'node:cluster';
import { Server, Socket } from 'node:net';
import { WORKER_ID_ENV } from '../ipc/env.js';
import { isSticky, STICKY_CMD, type ConnMessage, type PrimaryToWorker, type WorkerToPrimary } from '../ipc/messages.js';
import { ConnectionTracker } from './connection-tracker.js';
import { KeepAliveEnder } from './keep-alive.js';
import { headerRoutingFromEnv, MisrouteCheck } from './misroute.js';
import { RemoteOverrides } from './remote-override.js';
import { handedBytes, replay, type SyncOptions } from './replay.js';
import { appListensForShutdown, deliverInterrupt } from './shutdown-listeners.js';
import { listenWithoutBinding, publicAddress, reportPublicAddress } from './unbound-listen.js';
import { noop } from '../util/noop.js';

export interface AdoptOptions {
  sync?: SyncOptions;
}

type Listener = (msg: unknown, handle?: unknown) => void;

interface Adopted {
  server: Server;
  tracker: ConnectionTracker;
  misroute: MisrouteCheck | undefined;
  remotes: RemoteOverrides;
  accepting: boolean;
  listener: Listener;
  /** Kernel accept: what accepts from the slot's socket the primary sent. */
  slotAcceptor: Server | undefined;
}

// Kept on the process, not in this module: a script may load another copy of the package
// (its own node_modules) than the supervisor's worker entry, and both must see one server.
const ADOPTED = Symbol.for('socketio-sticky-session.adopted');
const holder = globalThis as { [ADOPTED]?: Adopted };

/** The server this worker adopted (by sticky() or the supervisor's entry), if any yet. */
export function adoptedServer(): Server | undefined {
  return holder[ADOPTED]?.server;
}

function sendToPrimary(msg: WorkerToPrimary): void {
  // process.send is always there in a cluster worker; internal cmd keeps it off 'message'.
  if (process.connected) process.send!(msg, undefined, undefined, noop);
}

/** Sets the worker's env the way the original package did, before app code reads it. */
export function setWorkerEnv(): void {
  if (cluster.worker && process.env[WORKER_ID_ENV] === undefined) {
    process.env[WORKER_ID_ENV] = String(cluster.worker.id);
  }
}

/**
 * Makes `server` the worker's receiver of handed-off connections. Its listen() binds
 * nothing (the primary owns the port): it emits 'listening' and calls the callback, and
 * address() reports the primary's address; its close() stops new hand-offs, then emits
 * 'close' once the adopted connections are gone.
 */
export function adoptServer(server: Server, options: AdoptOptions = {}): Server {
  const adopted = holder[ADOPTED];
  if (adopted) {
    if (adopted.server === server) return server;
    throw new Error('socketio-sticky-session: a worker can serve one server; sticky() was called twice with different servers');
  }
  setWorkerEnv();
  const tracker = new ConnectionTracker(sendToPrimary);
  const headerRouting = headerRoutingFromEnv();
  const misroute = headerRouting && new MisrouteCheck(headerRouting, tracker);
  misroute?.watch(server);
  const state: Adopted = { server, tracker, misroute, remotes: new RemoteOverrides(server), accepting: true, listener: noop, slotAcceptor: undefined };
  const keepAlive = new KeepAliveEnder(server);

  state.listener = (msg, handle) => {
    if (!isSticky(msg)) return;
    const m = msg as PrimaryToWorker;
    if (m.t === 'conn') onConnection(state, m, handle, options);
    else if (m.t === 'ping') sendToPrimary({ cmd: STICKY_CMD, t: 'pong' });
    else if (m.t === 'drain') void drain(state, m.timeoutMs);
    else if (m.t === 'listen') acceptFromSlot(state, handle, options);
  };
  process.on('internalMessage', state.listener);

  server.listen = ((...args: unknown[]) => listenWithoutBinding(server, args)) as Server['listen'];
  reportPublicAddress(server, publicAddress(), () => state.accepting);

  const originalClose = server.close;
  server.close = function close(cb?: (err?: Error) => void) {
    if (cb) server.once('close', cb);
    if (state.accepting) {
      state.accepting = false;
      // Only this worker's copy: the primary holds the slot's socket and the kernel keeps queuing.
      state.slotAcceptor?.close();
      sendToPrimary({ cmd: STICKY_CMD, t: 'closing' });
      const stopSweeping = keepAlive.end();
      void tracker.whenIdle().then(() => {
        stopSweeping();
        tracker.flush();
        originalClose.call(server);
      });
    }
    return server;
  } as Server['close'];

  holder[ADOPTED] = state;
  sendToPrimary({ cmd: STICKY_CMD, t: 'ready' });
  return server;
}

function onConnection(state: Adopted, msg: ConnMessage, handle: unknown, options: AdoptOptions): void {
  if (handle === undefined || handle === null) return;
  // Past `by` the primary has given the connection to another worker (this one was stuck).
  if (!state.accepting || (msg.by !== undefined && Date.now() > msg.by)) {
    // Close our descriptor before a byte is read: only close(2), never shutdown(2) (no end()),
    // so the peer sees nothing while the primary or the other worker holds the connection.
    if (handle instanceof Socket) handle.destroy();
    else (handle as { close(): void }).close();
    sendToPrimary({ cmd: STICKY_CMD, t: 'ack', id: msg.id, ok: false });
    return;
  }
  const socket = toSocket(handle)!;
  sendToPrimary({ cmd: STICKY_CMD, t: 'ack', id: msg.id, ok: true });
  state.tracker.add(socket);
  if (msg.remote) state.remotes.apply(socket, msg.remote);
  if (msg.key !== undefined) state.misroute?.remember(socket, msg.key);
  replay(state.server, socket, handedBytes(msg), options.sync);
}

/**
 * Kernel accept: the kernel steers each connection to its slot's socket, so the worker
 * accepts from it itself, and the connections go to the app's server as hand-offs do.
 * listen(handle) in a cluster worker listens here, without asking the primary.
 */
function acceptFromSlot(state: Adopted, handle: unknown, options: AdoptOptions): void {
  if (!handle || !state.accepting || state.slotAcceptor) return;
  const acceptor = new Server((socket) => {
    state.tracker.add(socket);
    replay(state.server, socket, undefined, options.sync);
  });
  acceptor.on('error', (err) => state.server.emit('error', err));
  state.slotAcceptor = acceptor;
  acceptor.listen(handle as Parameters<Server['listen']>[0]);
}

/** In ip mode the primary sends the raw TCP handle; wrap it the way net.Server would. */
function toSocket(handle: unknown): Socket | undefined {
  if (handle === undefined || handle === null) return undefined;
  if (handle instanceof Socket) return handle;
  // `handle` is what child_process itself passes for a received net.Socket (not in the types).
  return new Socket({ handle, readable: true, writable: true } as ConstructorParameters<typeof Socket>[0]);
}

/**
 * The primary retires this worker (reload or stop). The app hears it three ways: PM2's
 * `process.on('message', (m) => m === 'shutdown')`, a SIGINT (PM2's other convention), and
 * the server's `'sticky:drain'` event (argument: `{ timeoutMs }`). New connections already
 * go elsewhere; the server closes, idle keep-alive connections are closed, and what is
 * still open at `timeoutMs` is cut. Then an app that listens for none of the three exits at
 * once; one that does finishes its own clean-up and exits (or just runs out of work), and
 * the primary kills it after reload.killTimeoutMs.
 */
async function drain(state: Adopted, timeoutMs: number): Promise<void> {
  const { server, tracker } = state;
  const appCleansUp = appListensForShutdown(server);
  process.emit('message', 'shutdown', undefined);
  server.emit('sticky:drain', { timeoutMs });
  deliverInterrupt();
  server.close();
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
  await Promise.race([tracker.whenIdle(), deadline]);
  tracker.flush();
  if (!appCleansUp) process.exit(0);
  // The connections still open at the deadline are cut; the app's own work is left to it.
  for (const socket of [...tracker.open()]) socket.destroy();
  sendToPrimary({ cmd: STICKY_CMD, t: 'drained' });
  // The channel to the primary would keep the process alive after the app is done.
  process.channel?.unref();
}
