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
