/**
 * A small checker vocabulary for config validation. A check appends one line per problem
 * (`key.path: value is not what is allowed`) and never stops at the first, so users see
 * every mistake at once. Pure: no I/O.
 */
import { isPlainObject } from '../util/is-plain-object.js';
import { closest } from './suggest.js';

export type Check = (value: unknown, path: string, problems: string[]) => void;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** setTimeout's limit: Node fires a longer timer after 1 ms (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_SHOWN_CHARS = 60;

export function keyPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}

/** A value as the user wrote it, shortened: strings quoted, numbers bare. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'symbol') return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS - 3)}...` : text;
}

export { isPlainObject };

export function describeInteger(min: number, max?: number): string {
  return max === undefined ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
}

export function integer(min: number, max?: number): Check {
  return (value, path, problems) => {
    const ok = typeof value === 'number' && Number.isInteger(value) && value >= min && (max === undefined || value <= max);
    if (!ok) problems.push(`${path}: ${show(value)} is not ${describeInteger(min, max)}`);
  };
}

/** A duration in milliseconds: an integer no larger than a timer can wait. */
export function milliseconds(min: number, max = MAX_TIMER_MS): Check {
  return integer(min, Math.min(max, MAX_TIMER_MS));
}

export function boolean(): Check {
  return (value, path, problems) => {
    if (typeof value !== 'boolean') problems.push(`${path}: ${show(value)} is not true or false`);
  };
}

export function oneOf(allowed: readonly (string | boolean)[]): Check {
  return (value, path, problems) => {
    if (allowed.includes(value as string | boolean)) return;
    const strings = allowed.filter((option): option is string => typeof option === 'string');
    const guess = typeof value === 'string' ? closest(value, strings) : undefined;
    const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
    problems.push(`${path}: ${show(value)} is not one of ${allowed.join(', ')}${hint}`);
  };
}

export function string(): Check {
  return (value, path, problems) => {
    if (typeof value !== 'string') problems.push(`${path}: ${show(value)} is not a string`);
  };
}

/** A non-empty string, optionally matching `pattern` (described in words by `rule`). */
export function text(pattern?: RegExp, rule?: string): Check {
  return (value, path, problems) => {
    if (typeof value !== 'string' || value === '') {
      problems.push(`${path}: ${show(value)} is not a non-empty string`);
    } else if (pattern && !pattern.test(value)) {
      problems.push(`${path}: ${show(value)} ${rule ?? `does not match ${pattern}`}`);
    }
  };
}

export function listOf(item: Check, what: string, options: { nonEmpty?: boolean } = {}): Check {
  return (value, path, problems) => {
    if (!Array.isArray(value)) {
      problems.push(`${path}: ${show(value)} is not a list of ${what}`);
    } else if (options.nonEmpty && value.length === 0) {
      problems.push(`${path}: [] is empty; list at least one`);
    } else {
      value.forEach((entry, index) => item(entry, keyPath(path, index), problems));
    }
  };
}

export function recordOf(item: Check, what: string): Check {
  return (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push(`${path}: ${show(value)} is not an object of ${what}`);
      return;
    }
    for (const [key, entry] of Object.entries(value)) item(entry, keyPath(path, key), problems);
  };
}

export interface ObjectShape {
  fields: Record<string, Check>;
  /** Required keys, each with a hint of what to put there. */
  required?: Record<string, string>;
  /** Keys that belong to another variant: key → why they are not allowed here. */
  misplaced?: Record<string, string>;
  /** Unknown keys with a known meaning elsewhere (PM2's names): key → what to write instead. */
  hints?: Record<string, string>;
}

/**
 * An object with known keys. `undefined` counts as absent (as in TypeScript's optional
 * properties); unknown keys are errors with a "did you mean" over the keys of this level.
 */
export function object(shape: ObjectShape): Check {
  const known = Object.keys(shape.fields);
  return (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push(`${path}: ${show(value)} is not an object with keys ${known.join(', ')}`);
      return;
    }
    checkKeys(value, path, shape, problems);
  };
}

export function checkKeys(value: Record<string, unknown>, path: string, shape: ObjectShape, problems: string[]): void {
  const known = Object.keys(shape.fields);
  const guessed = new Set<string>();
  for (const [key, entry] of Object.entries(value)) {
    const field = shape.fields[key];
    if (field) {
      if (entry !== undefined) field(entry, keyPath(path, key), problems);
    } else if (shape.misplaced?.[key]) {
      problems.push(`${keyPath(path, key)}: ${shape.misplaced[key]}`);
    } else if (shape.hints && Object.hasOwn(shape.hints, key)) {
      problems.push(`${keyPath(path, key)}: ${shape.hints[key]}`);
    } else {
      const guess = closest(key, known);
      if (guess !== undefined) guessed.add(guess);
      const hint = guess === undefined ? `; allowed keys: ${known.join(', ')}` : ` (did you mean "${guess}"?)`;
      problems.push(`${keyPath(path, key)}: unknown key${hint}`);
    }
  }
  // A misspelt required key already has its line ("did you mean"); "missing" would repeat it.
  for (const [key, hint] of Object.entries(shape.required ?? {})) {
    if (value[key] === undefined && !guessed.has(key)) problems.push(`${keyPath(path, key)}: missing; ${hint}`);
  }
}
