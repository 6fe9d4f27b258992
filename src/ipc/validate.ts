import type { WorkerToPrimary } from './messages.js';

/** Longest error message kept from a worker; the rest is cut with a note saying how much. */
export const MAX_ERROR_MESSAGE_CHARS = 4096;
/** Longest stack kept from a worker. */
export const MAX_ERROR_STACK_CHARS = 16_384;

export type Checked = { ok: true; msg: WorkerToPrimary } | { ok: false; reason: string };

/**
 * Checks a NODE_STICKY message from a worker at the IPC boundary: the worker runs the user's
 * app and its dependencies, so anything may arrive (objects where numbers belong, BigInts
 * under advanced serialization, megabytes of text). Returns a fresh message holding only the
 * known fields, every one type-checked and bounded, or why it was refused. Never throws.
 */
export function checkWorkerMessage(raw: { t?: unknown }): Checked {
  const m = raw as Record<string, unknown>;
  return m.t === 'ack' ? checkAck(m) : checkRare(m);
}

/**
 * One per connection: small, so V8 optimizes (and inlines) it within the first few hundred
 * connections; inside the whole switch it stayed unoptimized past 3,000 (callgrind counted
 * the primary's instructions per connection).
 */
function checkAck(m: Record<string, unknown>): Checked {
  const id = m.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return bad('ack', 'id', id);
  if (typeof m.ok !== 'boolean') return bad('ack', 'ok', m.ok);
  return { ok: true, msg: { cmd: 'NODE_STICKY', t: 'ack', id, ok: m.ok } };
}

function checkRare(m: Record<string, unknown>): Checked {
  switch (m.t) {
    case 'stats':
      for (const field of ['active', 'total', 'misrouted'] as const) {
        if (!isCount(m[field])) return bad('stats', field, m[field]);
      }
      return { ok: true, msg: { cmd: 'NODE_STICKY', t: 'stats', active: m.active as number, total: m.total as number, misrouted: m.misrouted as number } };
    case 'error': {
      if (typeof m.message !== 'string') return bad('error', 'message', m.message);
      if (m.stack !== undefined && typeof m.stack !== 'string') return bad('error', 'stack', m.stack);
      const message = cap(m.message, MAX_ERROR_MESSAGE_CHARS);
      return { ok: true, msg: m.stack === undefined ? { cmd: 'NODE_STICKY', t: 'error', message } : { cmd: 'NODE_STICKY', t: 'error', message, stack: cap(m.stack as string, MAX_ERROR_STACK_CHARS) } };
    }
    case 'ready':
    case 'closing':
    case 'drained':
    case 'pong':
      return { ok: true, msg: { cmd: 'NODE_STICKY', t: m.t } };
    default:
      return { ok: false, reason: `unknown message type ${describe(m.t)}` };
  }
}

/** A finite, non-negative safe integer (what every counter and id is). */
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters cut)`;
}

function bad(t: string, field: string, value: unknown): Checked {
  return { ok: false, reason: `'${t}' message with a bad ${field}: ${describe(value)}` };
}

/** A short, safe description of any value: never its text at length, never a throwing toString. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'bigint':
      return 'a bigint';
    default:
      return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
  }
}
