import type { CommonRouting, ResolvedConfig, RoutingConfig } from '../config/types.js';
import { StickyConfigError } from '../errors.js';
import type { PrefixOptions } from './address.js';

export type ResolvedRouting = ResolvedConfig['routing'];
export type HeaderRoutingResolved = Extract<ResolvedRouting, { by: 'header' }>;

export const ROUTING_MODES = ['ip', 'header', 'proxy-protocol'] as const;
export const DEFAULT_MAX_PENDING = 10_000;
export const HEADER_DEFAULTS = {
  header: 'x-forwarded-for',
  trustedHops: 1,
  ignoreMissingHeader: false,
  headerTimeoutMs: 10_000,
  maxHeaderBytes: 16_384,
} as const;
/** A PROXY preamble must arrive within this (HAProxy sends it with the connection). */
export const PROXY_PREAMBLE_TIMEOUT_MS = 10_000;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Applies defaults and checks every field, reporting all problems at once with their key
 * (`routing.trustedHops: 0 is not a whole number from 1 to 64`). `base` holds common
 * fields given outside `routing` (the BalancerServer's older top-level options).
 */
export function resolveRouting(routing: RoutingConfig | undefined, base: CommonRouting = {}): ResolvedRouting {
  const r = { ...base, ...(routing ?? { by: 'ip' }) } as RoutingConfig & Record<string, unknown>;
  const problems: string[] = [];
  const int = (key: string, value: unknown, min: number, max: number): void => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`routing.${key}: ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
    }
  };
  if (!(ROUTING_MODES as readonly unknown[]).includes(r.by)) {
    problems.push(`routing.by: ${JSON.stringify(r.by)} is not one of ${ROUTING_MODES.join(', ')}`);
  }
  int('seed', r.seed, 0, 0xffffffff);
  int('ipv4Prefix', r.ipv4Prefix, 1, 32);
  int('ipv6Prefix', r.ipv6Prefix, 1, 128);
  int('maxPending', r.maxPending, 1, 1_000_000);
  const common = {
    seed: r.seed ?? 0,
    ipv4Prefix: r.ipv4Prefix ?? 32,
    ipv6Prefix: r.ipv6Prefix ?? 128,
    maxPending: r.maxPending ?? DEFAULT_MAX_PENDING,
  };
  let resolved: ResolvedRouting;
  if (r.by === 'header') {
    const header = r.header ?? HEADER_DEFAULTS.header;
    if (typeof header !== 'string' || !TOKEN.test(header)) {
      problems.push(`routing.header: ${JSON.stringify(header)} is not an HTTP header name`);
    }
    int('trustedHops', r.trustedHops, 1, 64);
    int('headerTimeoutMs', r.headerTimeoutMs, 1, 3_600_000);
    int('maxHeaderBytes', r.maxHeaderBytes, 256, 1_048_576);
    if (r.ignoreMissingHeader !== undefined && typeof r.ignoreMissingHeader !== 'boolean') {
      problems.push(`routing.ignoreMissingHeader: ${JSON.stringify(r.ignoreMissingHeader)} is not true or false`);
    }
    resolved = {
      ...common,
      by: 'header',
      header: String(header).toLowerCase(),
      trustedHops: r.trustedHops ?? HEADER_DEFAULTS.trustedHops,
      ignoreMissingHeader: r.ignoreMissingHeader ?? HEADER_DEFAULTS.ignoreMissingHeader,
      headerTimeoutMs: r.headerTimeoutMs ?? HEADER_DEFAULTS.headerTimeoutMs,
      maxHeaderBytes: r.maxHeaderBytes ?? HEADER_DEFAULTS.maxHeaderBytes,
    };
  } else {
    resolved = { ...common, by: r.by === 'proxy-protocol' ? 'proxy-protocol' : 'ip' };
  }
  if (problems.length > 0) throw new StickyConfigError(problems);
  return resolved;
}

/** Prefix grouping as addressKey takes it: full-length prefixes mean none (and its fast path). */
export function prefixOf(routing: Pick<ResolvedRouting, 'ipv4Prefix' | 'ipv6Prefix'>): PrefixOptions {
  return {
    ipv4Prefix: routing.ipv4Prefix !== undefined && routing.ipv4Prefix < 32 ? routing.ipv4Prefix : undefined,
    ipv6Prefix: routing.ipv6Prefix !== undefined && routing.ipv6Prefix < 128 ? routing.ipv6Prefix : undefined,
  };
}

/** Header mode reads plaintext HTTP; a TLS server's requests are encrypted. */
export function tlsHeaderProblem(): string {
  return 'routing.by: "header" cannot read the requests of a TLS (https) server; ' +
    'use "ip" or "proxy-protocol" (or terminate TLS in the proxy in front)';
}
