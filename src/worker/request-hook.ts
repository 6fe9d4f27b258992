import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';

type Hook = (event: 'request' | 'upgrade', req: IncomingMessage, res: ServerResponse | undefined) => void;

/**
 * Calls `hook` with each 'request' and 'upgrade' the server emits, before its listeners.
 * Wraps emit rather than adding a listener: engine.io, attached after (as when an app calls
 * listen() and then creates its socket.io Server), takes over the 'request' listeners it
 * finds and hides its own requests from them.
 */
export function beforeRequests(server: Server, hook: Hook): void {
  const emit = server.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request' || event === 'upgrade') hook(event, args[0] as IncomingMessage, event === 'request' ? args[1] as ServerResponse : undefined);
    return emit.call(this, event, ...args);
  } as unknown as Server['emit'];
}
