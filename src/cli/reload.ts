import { StickyRemoteError } from '../errors.js';
import type { ControlEvent, ReloadProgress, ReloadResult } from '../control/protocol.js';
import { INSTANCE_OPTIONS, INSTANCE_USAGE, parseCommandLine, type Command } from './command.js';
import { describeProgress, describeReloadResult } from '../text/reload.js';
import { connectInstance } from './instance.js';

export const reload: Command = {
  name: 'reload',
  summary: 'replace every worker, one slot at a time, without dropping a connection',
  usage: `sticky reload [--config FILE | --name NAME]

Rolling reload: for each slot, start a new worker, wait until it is online, route the
slot to it, then drain the old one. Exits 0 once every worker is replaced; 1 if a new
worker failed (it is killed, the old one keeps serving, and its error is printed).
${INSTANCE_USAGE}`,

  async run(argv) {
    const flags = parseCommandLine('reload', argv, INSTANCE_OPTIONS);
    const client = await connectInstance(flags);
    const failures: string[] = [];
    try {
      process.stdout.write(`reloading "${client.name}"\n`);
      const result = await client.request<ReloadResult>('reload', { timeoutMs: 0, onEvent: (event) => printProgress(event, failures) });
      process.stdout.write(`reloaded "${client.name}": ${describeReloadResult(result)}\n`);
      for (const line of result.restartNeeded) process.stderr.write(`${line}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof StickyRemoteError)) throw error;
      // The reply usually repeats the failing worker's error (its stack), already printed
      // with its slot: print only the lines that say something new.
      const printed = failures.join('\n');
      const news = error.message.split('\n').filter((line) => !printed.includes(line));
      if (news.length > 0) process.stderr.write(`${news.join('\n')}\n`);
      return 1;
    } finally {
      await client.close();
    }
  },
};

function printProgress(event: ControlEvent, failures: string[]): void {
  if (event.event !== 'reload') return;
  const progress = event.data as ReloadProgress;
  const line = describeProgress(progress);
  if (progress.phase === 'failed') {
    failures.push(line);
    process.stderr.write(`${line}\n`);
  } else {
    process.stdout.write(`${line}\n`);
  }
}
