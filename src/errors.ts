/** Every failure the package reports has its own class and a stable `code`. */
export class StickyError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Options given to sticky() or the config are wrong; `problems` has one line each. */
export class StickyConfigError extends StickyError {
  constructor(readonly problems: string[], options?: { cause?: unknown }) {
    super('STICKY_CONFIG', problems.join('\n'), options);
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
