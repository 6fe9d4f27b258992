import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { StickyNotRunningError } from '../errors.js';
import { ControlClient } from './client.js';
import { controlDir } from './paths.js';
import type { StatusSnapshot } from './protocol.js';

const SOCKET_SUFFIX = '.sock';

export interface InstanceList {
  running: StatusSnapshot[];
  /** Sockets with something behind them that did not answer as a supervisor does. */
  unreachable: { socketPath: string; reason: string }[];
}

/**
 * Every instance of this user: each control socket in the control folder is asked for its
 * status. Sockets nobody listens on (a killed primary's) are skipped.
 */
export async function listInstances(dir = controlDir()): Promise<InstanceList> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith(SOCKET_SUFFIX)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { running: [], unreachable: [] };
    throw error;
  }
  const answers = await Promise.all(files.map(async (file) => {
    const socketPath = join(dir, file);
    try {
      return { socketPath, status: await askStatus(file.slice(0, -SOCKET_SUFFIX.length), socketPath) };
    } catch (error) {
      return { socketPath, error: error as Error };
    }
  }));
  const list: InstanceList = { running: [], unreachable: [] };
  for (const answer of answers) {
    if (answer.status) list.running.push(answer.status);
    else if (!(answer.error instanceof StickyNotRunningError)) list.unreachable.push({ socketPath: answer.socketPath, reason: answer.error.message });
  }
  return list;
}

async function askStatus(name: string, socketPath: string): Promise<StatusSnapshot> {
  const client = await ControlClient.connect(name, socketPath);
  try {
    return await client.request<StatusSnapshot>('status');
  } finally {
    await client.close();
  }
}
