import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** What Node's own HTTP server made of a request head. */
export type NodeVerdict =
  | { accepted: true; value: string | undefined }
  | { accepted: false; code: string };

const ORACLE_TIMEOUT_MS = 5000;

/**
 * Node's real HTTP parser behind a loopback socket, as a worker runs it (default options):
 * each head is sent on its own connection and the server records, by client port, whether
 * it made a request of it and which value of `header` the app would read in req.headers.
 */
export class NodeHttpOracle {
  private readonly verdicts = new Map<number, NodeVerdict>();

  private constructor(private readonly server: Server, private readonly port: number) {}

  static async start(header: string): Promise<NodeHttpOracle> {
    // requireHostHeader is the server's policy, not its parser's, and an app may turn it off:
    // an HTTP/1.1 request without Host is the worker's to answer (400), not the primary's.
    const server = createServer({ requireHostHeader: false });
    const oracle = new NodeHttpOracle(server, 0);
    const accept = (req: IncomingMessage, socket: Socket): void => {
      const raw = req.headers[header];
      oracle.verdicts.set(socket.remotePort!, { accepted: true, value: Array.isArray(raw) ? raw.join(', ') : raw });
    };
    server.on('request', (req: IncomingMessage, res) => {
      accept(req, req.socket);
      res.setHeader('connection', 'close');
      res.end();
    });
    for (const event of ['upgrade', 'connect'] as const) {
      server.on(event, (req: IncomingMessage, socket: Socket) => {
        accept(req, socket);
        socket.destroy();
      });
    }
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      oracle.verdicts.set(socket.remotePort!, { accepted: false, code: err.code ?? String(err) });
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    (oracle as { port: number }).port = (server.address() as AddressInfo).port;
    return oracle;
  }

  /** Sends `head` and half-closes; resolves once Node has closed the connection. */
  judge(head: Buffer): Promise<NodeVerdict> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.port, '127.0.0.1');
      let localPort = 0;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`Node's parser gave no verdict within ${ORACLE_TIMEOUT_MS} ms for ${JSON.stringify(head.toString('latin1').slice(0, 200))}`));
      }, ORACLE_TIMEOUT_MS);
      socket.on('connect', () => {
        localPort = socket.localPort!;
        socket.end(head);
      });
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        const verdict = this.verdicts.get(localPort);
        this.verdicts.delete(localPort);
        // Closed at EOF without an event: an incomplete head Node never made a request of.
        resolve(verdict ?? { accepted: false, code: 'closed' });
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
