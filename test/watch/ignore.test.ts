import { describe, expect, it } from 'vitest';
import { globToRegExp, makeIgnore } from '../../src/watch/ignore.js';

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

describe('globToRegExp', () => {
  it('maps *, ** and ? without crossing folders where it should not', () => {
    expect(globToRegExp('*.js').test('a.js')).toBe(true);
    expect(globToRegExp('*.js').test('a/b.js')).toBe(false);
    expect(globToRegExp('**/*.js').test('a/b/c.js')).toBe(true);
    expect(globToRegExp('**/*.js').test('c.js')).toBe(true);
    expect(globToRegExp('a?c').test('abc')).toBe(true);
    expect(globToRegExp('a.c').test('abc')).toBe(false);
  });
});
