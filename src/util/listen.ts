import type { ListenOptions, Server } from 'node:net';

/** server.listen() as a promise: rejects with the 'error' a failed listen emits instead. */
export function listen(server: Server, options: ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
