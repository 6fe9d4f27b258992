import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { closest } from '../config/suggest.js';
import { StickyError, StickyUsageError } from '../errors.js';
import { parseCommandLine, type Command } from './command.js';

/** templates/ of this package; a template is a folder of it holding a sticky.config.ts. */
export const TEMPLATES_DIR = path.join(__dirname, '..', '..', 'templates');
const DEFAULT_TEMPLATE = 'default';
const CONFIG_FILE = 'sticky.config.ts';
/** What the starter files need installed beside them. */
const PACKAGES = ['socketio-sticky-session', 'socket.io'];
/** Beyond PACKAGES, by template. */
const TEMPLATE_PACKAGES: Record<string, string[]> = { chat: ['@socket.io/cluster-adapter'] };

const OPTIONS = {
  template: { type: 'string', short: 't' },
  force: { type: 'boolean', short: 'f' },
} as const;

export const init: Command = {
  name: 'init',
  summary: 'write a commented sticky.config.ts and a starter server here',
  get usage() {
    return `sticky init [--template NAME] [--force]

Writes ${CONFIG_FILE} and a starter server into the current folder.
  -t, --template NAME   which template (default: ${DEFAULT_TEMPLATE}); one of: ${listTemplates().join(', ')}
  -f, --force           overwrite files that exist`;
  },

  async run(argv) {
    const flags = parseCommandLine('init', argv, OPTIONS);
    const template = flags.template ?? DEFAULT_TEMPLATE;
    const templates = listTemplates();
    if (!templates.includes(template)) {
      const guess = closest(template, templates);
      throw new StickyUsageError(
        `sticky init: no template "${template}"${guess ? ` (did you mean "${guess}"?)` : ''}; templates: ${templates.join(', ')}`,
      );
    }
    const source = path.join(TEMPLATES_DIR, template);
    const target = process.cwd();
    const files = listFiles(source);
    const existing = files.filter((file) => existsSync(path.join(target, file)));
    if (existing.length > 0 && !flags.force) {
      throw new StickyError('STICKY_INIT_EXISTS', `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} here; nothing written (--force overwrites)`);
    }
    for (const file of files) {
      mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
      copyFileSync(path.join(source, file), path.join(target, file));
    }
    process.stdout.write(`wrote ${files.join(', ')} (template "${template}")\n`);
    const missing = [...PACKAGES, ...(TEMPLATE_PACKAGES[template] ?? [])].filter((name) => !resolvableFrom(target, name));
    if (missing.length > 0) process.stdout.write(`install what they use: npm install ${missing.join(' ')}\n`);
    process.stdout.write('then run: npx sticky start\n');
    return 0;
  },
};

export function listTemplates(): string[] {
  return readdirSync(TEMPLATES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(TEMPLATES_DIR, entry.name, CONFIG_FILE)))
    .map((entry) => entry.name)
    .sort();
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    return entry.isDirectory() ? listFiles(dir, relative) : [relative];
  });
}

function resolvableFrom(dir: string, name: string): boolean {
  try {
    createRequire(path.join(dir, 'noop.js')).resolve(name);
    return true;
  } catch {
    return false;
  }
}
