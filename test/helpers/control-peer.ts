// A scripted peer on a real Unix socket, for testing the control client's handling of
// what a supervisor may send (including what a correct one never sends).
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface ReceivedRequest {
  v: number;
  id: number;
  method: string;
  params?: unknown;
}

export type Answer = (request: ReceivedRequest, send: (message: unknown) => void, socket: net.Socket) => void;

export async function startPeer(socketPath: string, answer: Answer): Promise<net.Server> {
  mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  const server = net.createServer((socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const request = JSON.parse(buffered.slice(0, newline)) as ReceivedRequest;
        buffered = buffered.slice(newline + 1);
        answer(request, (message) => socket.write(typeof message === 'string' ? message : `${JSON.stringify(message)}\n`), socket);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return server;
}

export function closePeer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
