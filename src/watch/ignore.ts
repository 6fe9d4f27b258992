import { basename, relative, sep } from 'node:path';

/** cosmiconfig's TypeScript loader compiles `sticky.config.ts` to `sticky.config.ts.<uuid>.mjs` beside it. */
const COSMICONFIG_TEMP = /\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.mjs$/i;

/**
 * What the watcher skips below each watched root: node_modules, dotfiles and dot-folders,
 * cosmiconfig's temporary config copies, and the user's `watch.ignored` globs (`*`, `**`,
 * `?`; a glob without `/` matches any single path segment, one with `/` the path below the root).
 */
export function makeIgnore(roots: readonly string[], globs: readonly string[]): (path: string) => boolean {
  const segmentGlobs = globs.filter((g) => !g.includes('/')).map(globToRegExp);
  const pathGlobs = globs.filter((g) => g.includes('/')).map((g) => globToRegExp(g.replace(/^\.?\//, '')));
  return (path) => {
    if (COSMICONFIG_TEMP.test(basename(path))) return true;
    const root = roots.find((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
    const rel = root === undefined ? basename(path) : relative(root, path);
    if (rel === '') return false;
    const segments = rel.split(sep);
    if (segments.some((s) => s === 'node_modules' || s.startsWith('.'))) return true;
    if (segments.some((s) => segmentGlobs.some((re) => re.test(s)))) return true;
    const posix = segments.join('/');
    return pathGlobs.some((re) => re.test(posix));
  };
}

export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` everything below.
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}
