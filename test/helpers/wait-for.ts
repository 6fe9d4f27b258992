/**
 * Polls `cond` until it returns a truthy value or `timeoutMs` passes; returns that value.
 * A throw from `cond` counts as "not yet" (the last one is reported on timeout): for
 * conditions that fail until the thing is ready, such as a connection refused.
 */
export async function waitFor<T>(cond: () => T | Promise<T>, timeoutMs: number, what = 'condition', intervalMs = 25): Promise<NonNullable<T>> {
  return poll(cond, timeoutMs, what, intervalMs, true);
}

/**
 * Like waitFor, but a throw from `cond` fails at once: for a wait during which something must
 * hold throughout (an expect() inside `cond`, or a process that must not exit meanwhile).
 */
export async function waitUntil<T>(cond: () => T | Promise<T>, timeoutMs: number, what = 'condition', intervalMs = 25): Promise<NonNullable<T>> {
  return poll(cond, timeoutMs, what, intervalMs, false);
}

async function poll<T>(cond: () => T | Promise<T>, timeoutMs: number, what: string, intervalMs: number, retryThrows: boolean): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      if (!retryThrows) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
