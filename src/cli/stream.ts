import type { ControlClient } from '../control/client.js';

/**
 * Runs `begin` (it subscribes and prints what comes), then waits until the instance stops,
 * the reader goes away (EPIPE) or Ctrl-C / SIGTERM; resolves to exit code 0.
 */
export async function streamUntilClosed(client: ControlClient, begin: () => Promise<void>): Promise<number> {
  const stop = (): void => void client.close();
  process.stdout.on('error', stop);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await begin();
    await client.closed;
    return 0;
  } finally {
    process.stdout.off('error', stop);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
