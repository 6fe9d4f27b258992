/** Every failure the package reports has its own class and a stable `code`. */
export class StickyError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
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

/** An option exists in the contract but this build does not support it yet. */
export class StickyUnsupportedError extends StickyError {
  constructor(message: string) {
    super('STICKY_UNSUPPORTED', message);
  }
}

/** A worker did not register its server in time, or crashed while starting. */
export class StickyWorkerError extends StickyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STICKY_WORKER', message, options);
  }
}
