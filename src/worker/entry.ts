/**
 * What the supervisor forks (cluster.setupPrimary's `exec`): loads the user's `script` and
 * adopts its server. The script either makes a server listen itself, as an app run alone
 * does (the first TCP server to listen is adopted, see listen-intercept.ts), or
 * default-exports `() => Server | Promise<Server>` (CommonJS or ESM; a socket.io Server is
 * taken by its httpServer), or calls sticky(...) itself. Once a server is adopted, the
 * default export is not called.
 */
import { pathToFileURL } from 'node:url';
import { Server } from 'node:net';
import { armFatalReport } from '../ipc/fatal-report.js';
import { STICKY_CMD, type WorkerErrorMessage } from '../ipc/messages.js';
import { adoptServer, adoptedServer, setWorkerEnv } from './adopt.js';
import { interceptListen } from './listen-intercept.js';
import { loadAsMain } from './main-module.js';
import { holdInterruptSignals } from './shutdown-listeners.js';
import { publicAddress } from './unbound-listen.js';
import { SCRIPT_ENV } from '../ipc/env.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { noop } from '../util/noop.js';

const ERROR_SEND_TIMEOUT_MS = 1000;

async function main(): Promise<void> {
  const script = process.env[SCRIPT_ENV];
  if (!script) throw new Error(`${SCRIPT_ENV} is not set: this file is forked by the sticky supervisor`);
  // The app sees its own path as argv[1], as when it runs alone.
  process.argv[1] = script;
  setWorkerEnv();
  interceptListen({ adopt: (server) => adoptServer(server), adopted: adoptedServer, address: publicAddress() });
  loadAsMain(script);
  const mod: unknown = await import(pathToFileURL(script).href);
  if (adoptedServer()) return;
  const exported = defaultExport(mod);
  // No default export: the script calls sticky() later (after async set-up, say). If it
  // never does, the primary's readyTimeoutMs ends this worker and says what was expected.
  if (exported === undefined) return;
  const result: unknown = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  if (adoptedServer()) return;
  adoptServer(asServer(result, script));
}

/**
 * `export default x`, `module.exports = x`, or TypeScript's CommonJS `exports.default = x`.
 * A CommonJS script that exports nothing still has `module.exports = {}`: that is none.
 */
function defaultExport(mod: unknown): unknown {
  let value = (mod as { default?: unknown }).default;
  if (typeof value === 'object' && value !== null && 'default' in value && !isServer(value)) {
    value = (value as { default: unknown }).default;
  }
  if (isPlainObject(value) && Object.keys(value).length === 0) return undefined;
  return value;
}

/** http, https, tls and net servers; not a socket.io Server, which has listen() and emit() too. */
function isServer(x: unknown): x is Server {
  return x instanceof Server;
}

function asServer(result: unknown, script: string): Server {
  if (isServer(result)) return result;
  // A socket.io Server is not a net.Server; the http server it is attached to is.
  const httpServer = (result as { httpServer?: unknown } | null)?.httpServer;
  if (isServer(httpServer)) return httpServer;
  const got = result === null ? 'null' : typeof result === 'object' ? `an object (${Object.keys(result).slice(0, 5).join(', ')})` : typeof result;
  throw new Error(`${script}: the default export must be a server or a function returning one (or a promise of one); got ${got}`);
}

function report(err: unknown): WorkerErrorMessage {
  const e = err instanceof Error ? err : new Error(String(err));
  return { cmd: STICKY_CMD, t: 'error', message: e.message, stack: e.stack };
}

/**
 * The error goes to the primary, which logs it once, with its stack, as a worker-error event.
 * Printed here too, it would come back as app lines on stderr: the same stack twice. Without
 * a channel to the primary (it is gone), stderr is all there is.
 */
function sendReport(err: unknown, cb: () => void): void {
  if (!process.connected) {
    console.error(err);
    return cb();
  }
  process.send!(report(err), undefined, undefined, cb);
}

/** Reports `err` and exits 1, as Node does with an uncaught error (after at most ERROR_SEND_TIMEOUT_MS). */
function dieOf(err: unknown): void {
  process.exitCode = 1;
  const exit = (): never => process.exit(1);
  setTimeout(exit, ERROR_SEND_TIMEOUT_MS).unref();
  sendReport(err, exit);
}

// Before the app allocates anything: a heap exhaustion is then reported as one.
armFatalReport();
holdInterruptSignals();
process.on('uncaughtException', (err) => {
  // The app has a handler of its own: as with Node, the process goes on; the primary still hears of it.
  if (process.listenerCount('uncaughtException') > 1) sendReport(err, noop);
  else dieOf(err);
});

main().catch(dieOf);
