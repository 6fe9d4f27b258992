// Lint: typescript-eslint, type-aware where a type finds a real bug (a promise nobody awaits, an
// async callback where a sync one is expected, a cast that does nothing). Run: npm run lint
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      'node_modules/**',
      'bench/out/**',
      'test-artifacts/**',
      '.pack/**',
      // Checked by attw on the packed tarball (npm run check:package).
      'esm/*.d.mts',
      // Upstream sticky-session's own tests, run unchanged against our compat layer.
      'test/fixtures/sticky-session-1.1.2/**',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `catch {}` is how this code says "best effort" (kill a process that may be gone).
      'no-empty': ['error', { allowEmptyCatch: true }],
      // The only control characters in regexes are terminal escapes, matched on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      // Type-aware: each of these is a bug class this code base lives next to (sockets, timers,
      // child processes: an unawaited promise is an unhandled rejection that kills the process).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // Off: ~150 `rows[i]!` index assertions, written for noUncheckedIndexedAccess; they do no
      // harm and removing them would churn files that other branches edit.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // Type-only imports vanish from the emitted CommonJS: keeps the worker side from loading the
      // primary side just for a type (index.ts loads only the role's own side).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `import x = require()` is TypeScript's typed form of a CommonJS import (test/types).
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
    },
  },
  {
    // The package entry: a lazy require() keeps each role's side off the other's load path, and
    // the namespace merges types into the callable `export =` that CommonJS users require().
    // The CLI requires the dashboard lazily so `sticky status` works without blessed.
    files: ['src/index.ts', 'src/cli/status.ts'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-namespace': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: {
      // CommonJS scripts (bin, bench, templates, fixtures) load modules with require().
      '@typescript-eslint/no-require-imports': 'off',
      // CommonJS scripts may name a module after a global (`const crypto = require('node:crypto')`).
      'no-redeclare': ['error', { builtinGlobals: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['templates/chat/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
  },
);
