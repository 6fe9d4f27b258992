import { describe, expect, it } from 'vitest';
import { makeIgnore } from '../../src/watch/ignore.js';

describe('makeIgnore', () => {
  const ignored = makeIgnore(['/app/dist', '/app/src'], ['*.map', 'generated/**']);

  it('keeps the roots and ordinary files', () => {
    expect(ignored('/app/dist')).toBe(false);
    expect(ignored('/app/dist/server.js')).toBe(false);
    expect(ignored('/app/src/lib/a.ts')).toBe(false);
  });

  it('ignores node_modules and dotfiles at any depth below a root', () => {
    expect(ignored('/app/dist/node_modules')).toBe(true);
    expect(ignored('/app/dist/node_modules/x/index.js')).toBe(true);
    expect(ignored('/app/src/.git/HEAD')).toBe(true);
    expect(ignored('/app/src/lib/.env')).toBe(true);
  });

  it('does not ignore a root that is itself inside a dot-folder', () => {
    const inDot = makeIgnore(['/home/me/.apps/chat/dist'], []);
    expect(inDot('/home/me/.apps/chat/dist/server.js')).toBe(false);
  });

  it("ignores cosmiconfig's temporary compiled config, but not other .mjs files", () => {
    expect(ignored('/app/src/sticky.config.ts.0b8f2a51-3c4d-4e5f-8a9b-0c1d2e3f4a5b.mjs')).toBe(true);
    expect(ignored('/app/src/server.mjs')).toBe(false);
  });

  it('applies watch.ignored globs: without a slash to any segment, with one to the path below the root', () => {
    expect(ignored('/app/dist/server.js.map')).toBe(true);
    expect(ignored('/app/src/generated/api/a.ts')).toBe(true);
    expect(ignored('/app/src/lib/generated.ts')).toBe(false);
  });
});

describe('watch.ignored globs (picomatch)', () => {
  const at = (globs: string[]) => makeIgnore(['/app'], globs);

  it('matches brace lists and character classes, which the hand-made matcher never did', () => {
    const braces = at(['*.{map,tmp}']);
    expect([braces('/app/a.js.map'), braces('/app/lib/b.tmp'), braces('/app/c.js')]).toEqual([true, true, false]);
    const classes = at(['*.[jt]s']);
    expect([classes('/app/a.js'), classes('/app/b.ts'), classes('/app/c.cs'), classes('/app/d.mjs')]).toEqual([true, true, false, false]);
  });

  it('keeps *, ** and ? inside their folders', () => {
    expect(at(['src/*.js'])('/app/src/a.js')).toBe(true);
    expect(at(['src/*.js'])('/app/src/lib/a.js')).toBe(false);
    expect(at(['**/gen/*.js'])('/app/a/b/gen/c.js')).toBe(true);
    expect(at(['**/gen/*.js'])('/app/gen/c.js')).toBe(true);
    expect(at(['a?c'])('/app/abc')).toBe(true);
    expect(at(['a?c'])('/app/a/c')).toBe(false);
    expect(at(['a.c'])('/app/abc')).toBe(false);
  });

  it('takes a leading ./ as the watched root', () => {
    expect(at(['./tmp/**'])('/app/tmp/x.log')).toBe(true);
    expect(at(['./tmp/**'])('/app/src/tmp/x.log')).toBe(false);
  });

  it("still ignores cosmiconfig's temporary .mjs when a glob list is given", () => {
    expect(at(['*.[jt]s'])('/app/sticky.config.ts.0b8f2a51-3c4d-4e5f-8a9b-0c1d2e3f4a5b.mjs')).toBe(true);
  });
});
