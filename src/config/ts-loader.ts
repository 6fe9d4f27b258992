/**
 * Loads a `.ts`/`.mts` config. Compiling it needs TypeScript, whose load alone costs about a
 * second on every CLI call; so the compiled module is cached by the hash of the source (and
 * the TypeScript version), and a call whose config has not changed never loads TypeScript.
 * The module runs from a temporary `<file>.<uuid>.mjs` beside the config, as cosmiconfig's
 * own loader does, so its imports resolve from the config's folder.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader } from 'cosmiconfig';

/** Bump when what compile() produces changes. */
const CACHE_FORMAT = 1;
/** Past this many compiled configs, the least recently written are removed (on a miss only). */
const MAX_CACHED = 200;

/** `$XDG_CACHE_HOME/socketio-sticky-session/config`, or `~/.cache/...`. */
export function configCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'socketio-sticky-session', 'config');
}

export const loadTs: Loader = async (filepath, content) => {
  const code = readCached(content) ?? await compileAndCache(filepath, content);
  const runnable = `${filepath}.${randomUUID()}.mjs`;
  await writeFile(runnable, code);
  try {
    const loaded = (await import(pathToFileURL(runnable).href)) as { default?: unknown };
    return loaded.default;
  } finally {
    await rm(runnable, { force: true });
  }
};

function cacheFile(content: string): string {
  const hash = createHash('sha256').update(`${CACHE_FORMAT}\0${typescriptVersion()}\0${content}`).digest('hex');
  return path.join(configCacheDir(), `${hash}.mjs`);
}

function typescriptVersion(): string {
  // Its package.json only: cheap, unlike loading the compiler.
  return (createRequire(__filename)('typescript/package.json') as { version: string }).version;
}

function readCached(content: string): string | undefined {
  try {
    return readFileSync(cacheFile(content), 'utf8');
  } catch {
    return undefined;
  }
}

async function compileAndCache(filepath: string, content: string): Promise<string> {
  const code = await compile(filepath, content);
  const file = cacheFile(content);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // Renamed into place, so a concurrent reader never sees half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
    prune(path.dirname(file));
  } catch {
    // No writable cache (a read-only home): compile every time, as before.
  }
  return code;
}

function prune(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs'));
  if (files.length <= MAX_CACHED) return;
  const byAge = files.map((f) => ({ f, at: statSync(path.join(dir, f)).mtimeMs })).sort((a, b) => a.at - b.at);
  for (const { f } of byAge.slice(0, files.length - MAX_CACHED / 2)) unlinkSync(path.join(dir, f));
}

/**
 * Transpiles as cosmiconfig does (ES2022 module and target), reporting syntax errors with
 * the line in the user's file: transpiling alone would let them surface from the
 * temporary .mjs.
 */
async function compile(filepath: string, content: string): Promise<string> {
  const ts = (await import('typescript')).default;
  const { outputText, diagnostics = [] } = ts.transpileModule(content, {
    fileName: filepath,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
    },
  });
  const error = diagnostics.find((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (error) {
    const where = error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : undefined;
    const at = where ? `line ${where.line + 1}, column ${where.character + 1}: ` : '';
    throw new Error(`${at}${ts.flattenDiagnosticMessageText(error.messageText, ' ')}`);
  }
  return outputText;
}
