import type { ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { beforeRequests } from './request-hook.js';

/** Connections handed over just before a close may not have sent their request yet; Node counts them idle. */
const IDLE_CLOSE_INTERVAL_MS = 500;

/**
 * Ends HTTP keep-alive on a server that stops taking connections (drain, or the app's own
 * close()): responses not started yet say `Connection: close`, so clients send their next
 * request on a new connection, which the primary routes to another worker, instead of
 * reusing this one while it closes; idle keep-alive connections are closed. A net.Server
 * (no 'request' events, no closeIdleConnections) is left alone.
 */
export class KeepAliveEnder {
  private readonly inFlight = new Set<ServerResponse>();
  private ending = false;

  constructor(private readonly server: Server) {
    // socket.io's requests too, even when it is attached after this (see beforeRequests).
    beforeRequests(server, (_event, _req, res) => {
      if (!res) return;
      if (this.ending) return closeAfter(res);
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
    });
  }

  /** Starts ending keep-alive; returns a function that stops the idle-connection sweeps. */
  end(): () => void {
    this.ending = true;
    for (const res of this.inFlight) closeAfter(res);
    this.inFlight.clear();
    // Not at once: a connection adopted a moment ago has not read its request yet and
    // would count as idle. Nothing new is adopted from here on, so one interval covers it.
    const sweeper = setInterval(() => closeIdle(this.server), IDLE_CLOSE_INTERVAL_MS);
    sweeper.unref();
    return () => clearInterval(sweeper);
  }
}

function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}

function closeIdle(server: Server): void {
  const s = server as Server & { closeIdleConnections?: () => void };
  if (typeof s.closeIdleConnections === 'function') s.closeIdleConnections();
}
