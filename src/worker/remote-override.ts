import type { Server, Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket } from 'node:tls';
import type { ConnMessage } from '../ipc/messages.js';

type Remote = NonNullable<ConnMessage['remote']>;

function define(socket: Socket, remote: Remote): void {
  Object.defineProperties(socket, {
    remoteAddress: { value: remote.address, configurable: true },
    remotePort: { value: remote.port, configurable: true },
    remoteFamily: { value: remote.family, configurable: true },
  });
}

/**
 * Makes handed-off sockets report the PROXY protocol source as their peer. A TLS server
 * wraps each socket in a TLSSocket that asks the kernel for its peer again, so for TLS the
 * source is kept by the real peer (address and port, unique while the connection lives)
 * and put on the TLSSocket before the app's 'secureConnection' listeners see it.
 */
export class RemoteOverrides {
  private readonly byPeer = new Map<string, Remote>();
  private readonly tls: boolean;

  constructor(server: Server) {
    this.tls = server instanceof TlsServer;
    if (!this.tls) return;
    server.prependListener('secureConnection', (tlsSocket: TLSSocket) => {
      const remote = this.byPeer.get(peerKey(tlsSocket));
      if (remote) define(tlsSocket, remote);
    });
  }

  apply(socket: Socket, remote: Remote): void {
    if (this.tls) {
      const key = peerKey(socket);
      this.byPeer.set(key, remote);
      socket.once('close', () => this.byPeer.delete(key));
    }
    define(socket, remote);
  }
}

function peerKey(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}
