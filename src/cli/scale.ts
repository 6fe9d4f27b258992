import type { ScaleResult } from '../control/protocol.js';
import { MAX_WORKERS } from '../config/schema.js';
import { StickyRemoteError, StickyUsageError } from '../errors.js';
import { INSTANCE_OPTIONS, INSTANCE_USAGE, parseWithPositionals, type Command } from './command.js';
import { connectInstance } from './instance.js';

export const scale: Command = {
  name: 'scale',
  summary: 'change the number of workers live (about 1/N of the clients move)',
  usage: `sticky scale N [--config FILE | --name NAME]

Changes the running instance's worker count to N without a restart. Growing forks the new
slots' workers and returns once they are online: about 1/N of the clients move to them.
Shrinking drains the last slots' workers (their clients go to their next slot) and returns
once they have exited. Exits 0 when done; 1 if a new worker failed (the count stays as it
was; its error is printed). The config's \`workers\` is not edited: set it for the next start.
${INSTANCE_USAGE}`,

  async run(argv) {
    const { flags, positionals } = parseWithPositionals('scale', argv, INSTANCE_OPTIONS);
    const workers = parseCount(positionals);
    const client = await connectInstance(flags);
    try {
      process.stdout.write(`scaling "${client.name}" to ${workers} worker${workers === 1 ? '' : 's'}\n`);
      const result = await client.request<ScaleResult>('scale', { timeoutMs: 0, params: { workers } });
      process.stdout.write(`${describeScale(client.name, result)}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof StickyRemoteError)) throw error;
      process.stderr.write(`sticky: ${error.message}\n`);
      return 1;
    } finally {
      await client.close();
    }
  },
};

function parseCount(positionals: string[]): number {
  if (positionals.length !== 1) throw new StickyUsageError(`sticky scale: expected one worker count, e.g. sticky scale 4${positionals.length > 1 ? ` (got ${positionals.join(' ')})` : ''}`);
  const text = positionals[0]!;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new StickyUsageError(`sticky scale: "${text}" is not a worker count from 1 to ${MAX_WORKERS}`);
  }
  return n;
}

export function describeScale(name: string, r: ScaleResult): string {
  if (r.from === r.to) return `"${name}" already runs ${r.to} worker${r.to === 1 ? '' : 's'}; nothing changed`;
  const lines = [`scaled "${name}" from ${r.from} to ${r.to} workers in ${r.durationMs} ms`];
  for (const w of r.added) lines.push(`  slot ${w.slot}: worker ${w.pid} online`);
  for (const w of r.removed) lines.push(`  slot ${w.slot}: worker ${w.pid} drained and exited`);
  return lines.join('\n');
}
