import { basename, relative, sep } from 'node:path';
import picomatch from 'picomatch';

/** cosmiconfig's TypeScript loader compiles `sticky.config.ts` to `sticky.config.ts.<uuid>.mjs` beside it. */
const COSMICONFIG_TEMP = /\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.mjs$/i;

/**
 * What the watcher skips below each watched root: node_modules, dotfiles and dot-folders,
 * cosmiconfig's temporary config copies, and the user's `watch.ignored` globs (picomatch:
 * `*`, `**`, `?`, `[...]`, `{a,b}`, extglobs; a glob without `/` matches any single path
 * segment, one with `/` the path below the root).
 */
export function makeIgnore(roots: readonly string[], globs: readonly string[]): (path: string) => boolean {
  const segmentGlobs = globs.filter((g) => !g.includes('/'));
  const pathGlobs = globs.filter((g) => g.includes('/')).map((g) => g.replace(/^\.?\//, ''));
  const segmentMatches = segmentGlobs.length > 0 ? picomatch(segmentGlobs) : () => false;
  const pathMatches = pathGlobs.length > 0 ? picomatch(pathGlobs) : () => false;
  return (path) => {
    if (COSMICONFIG_TEMP.test(basename(path))) return true;
    const root = roots.find((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
    const rel = root === undefined ? basename(path) : relative(root, path);
    if (rel === '') return false;
    const segments = rel.split(sep);
    if (segments.some((s) => s === 'node_modules' || s.startsWith('.'))) return true;
    if (segments.some((s) => segmentMatches(s))) return true;
    return pathMatches(segments.join('/'));
  };
}
