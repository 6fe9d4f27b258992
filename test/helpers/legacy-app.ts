import { resolve } from 'node:path';
import { startNode, type Started } from './processes.js';

export const LEGACY_APP = resolve(__dirname, '../fixtures/legacy-app.js');

/** Starts test/fixtures/legacy-app.js (configured by env) and waits for its port. */
export async function startLegacyApp(env: Record<string, string>): Promise<{ app: Started; port: number }> {
  const app = startNode(LEGACY_APP, [], { env });
  const port = Number((await app.line(/^LISTENING (\d+)$/))[1]);
  return { app, port };
}
