/**
 * Marks the package's errors by class name, so `instanceof` holds across two installed
 * copies of the package (an app's own and the CLI's load different classes), as undici's
 * errors do. Symbol.for: the same symbol in every copy.
 */
const BRAND = Symbol.for('socketio-sticky-session.error');

/** Every failure the package reports has its own class and a stable `code`. */
export class StickyError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The names of the error's classes, from its own up to StickyError. */
  get [BRAND](): string[] {
    const names: string[] = [];
    for (let p: object | null = Object.getPrototypeOf(this) as object; p !== null && p !== Error.prototype; p = Object.getPrototypeOf(p) as object | null) {
      names.push((p as { constructor: { name: string } }).constructor.name);
    }
    return names;
  }

  /** True for errors of this class made by any copy of the package. */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null) return false;
    const names = (value as { [BRAND]?: unknown })[BRAND];
    return Array.isArray(names) && names.includes(this.name);
  }
}

/** Options given to sticky() or the config are wrong; `problems` has one line each. */
export class StickyConfigError extends StickyError {
  /** The config file the problems are in, when there is one. */
  readonly file: string | undefined;

  constructor(readonly problems: string[], options?: { cause?: unknown; file?: string }) {
    const lines = problems.join('\n');
    super('STICKY_CONFIG', options?.file ? `invalid config ${options.file}:\n${lines}` : lines, options);
    this.file = options?.file;
  }
}

/** No supervisor answers on the instance's control socket (none, or a stale file). */
export class StickyNotRunningError extends StickyError {
  constructor(readonly instance: string, readonly socketPath: string, reason: string, options?: { cause?: unknown }) {
    super('STICKY_NOT_RUNNING', `no sticky instance "${instance}" is running (${reason}: ${socketPath})`, options);
  }
}

/** The control connection failed: timeout, lost connection, a reply we cannot read, another protocol version. */
export class StickyControlError extends StickyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STICKY_CONTROL', message, options);
  }
}

/** The supervisor answered a control request with an error; `code` is the supervisor's. */
export class StickyRemoteError extends StickyError {}

/** The command line is wrong: unknown command or flag, missing value. The message starts with `sticky`. */
export class StickyUsageError extends StickyError {
  constructor(message: string) {
    super('STICKY_USAGE', message);
  }
}

/** A worker did not register its server in time, or crashed while starting. */
export class StickyWorkerError extends StickyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STICKY_WORKER', message, options);
  }
}

/** Which config files a name clash is between: the running instance's and ours. */
export interface ConfigFiles {
  running?: string;
  ours?: string;
}

/**
 * Another supervisor with the same name answers on the control socket. When it runs from
 * another config file, two projects share a name (the default name is the folder's), and
 * the message says which file holds the name and how to give this one its own.
 */
export class StickyAlreadyRunningError extends StickyError {
  constructor(readonly instanceName: string, readonly pid: number | undefined, socketPath: string, files: ConfigFiles = {}) {
    const running = `"${instanceName}" is already running${pid ? ` (pid ${pid})` : ''}`;
    super('STICKY_ALREADY_RUNNING', isOtherConfig(files)
      ? `${running} from ${files.running}, another config with the same name; ${nameHint(files.ours!)}`
      : `${running}: its control socket ${socketPath} answers; stop it first (sticky stop --name ${instanceName})`);
  }
}

/**
 * A command found its instance by a config file's name, but the instance of that name runs
 * from another config file: it refuses rather than act on another project.
 */
export class StickyNameClashError extends StickyError {
  constructor(readonly instanceName: string, readonly pid: number, files: Required<ConfigFiles>) {
    super('STICKY_NAME_CLASH',
      `"${instanceName}" (pid ${pid}) runs from ${files.running}, not from ${files.ours}: two configs share the name "${instanceName}"; `
      + `left it alone. To reach it anyway: --name ${instanceName}. ${nameHint(files.ours)}`);
  }
}

/** Both files known and different: two projects share a name. */
export function isOtherConfig(files: ConfigFiles): boolean {
  return files.running !== undefined && files.ours !== undefined && files.running !== files.ours;
}

function nameHint(configFile: string): string {
  return `give this project a name of its own: set \`name\` in ${configFile} (without it, the name is the config's folder name)`;
}

/** A rolling reload stopped: a new worker failed, the config is wrong, or the supervisor is stopping. */
export class StickyReloadError extends StickyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STICKY_RELOAD', message, options);
  }
}

/** `sticky scale` could not change the worker count (bad count, an added worker failed, stopping). */
export class StickyScaleError extends StickyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STICKY_SCALE', message, options);
  }
}

/** A control-socket request broke the protocol (bad JSON, unknown method, wrong version, too long). */
export class StickyProtocolError extends StickyError {
  constructor(message: string) {
    super('STICKY_PROTOCOL', message);
  }
}

/** The supervisor cannot set up its own resources (control socket folder, listening port). */
export class StickySetupError extends StickyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STICKY_SETUP', message, options);
  }
}

/** A control socket (or its folder) belongs to someone else: whoever answers there is not our supervisor. */
export class StickyUntrustedSocketError extends StickyError {
  constructor(message: string) {
    super('STICKY_UNTRUSTED_SOCKET', message);
  }
}
