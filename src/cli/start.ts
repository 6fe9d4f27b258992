import { loadConfig } from '../config/index.js';
import { parseCommandLine, type Command } from './command.js';

const OPTIONS = {
  config: { type: 'string', short: 'c' },
} as const;

export const start: Command = {
  name: 'start',
  summary: 'run the supervisor in the foreground (systemd and container friendly)',
  usage: `sticky start [--config FILE]

Runs the primary and its workers in the foreground until SIGTERM, SIGINT or \`sticky stop\`,
then drains every worker and exits 0. A config with problems lists them all and exits 2,
starting nothing. Logs are JSON lines (pretty when stdout is a terminal).
  -c, --config FILE   the config (default: sticky.config.ts, .js, .mjs, .cjs, .json,
                      .stickyrc* or package.json "sticky", found from this folder up)`,

  async run(argv) {
    const flags = parseCommandLine('start', argv, OPTIONS);
    const config = await loadConfig({ configFile: flags.config });
    // Loaded here, not at the top: the other commands need none of the supervisor's modules.
    const { start: startSupervisor } = await import('../supervisor/index.js');
    // A reload re-reads the same file; its problems fail that reload, not the running instance.
    const supervisor = await startSupervisor(config, () => loadConfig({ configFile: config.configFile }));
    await supervisor.closed;
    return 0;
  },
};
