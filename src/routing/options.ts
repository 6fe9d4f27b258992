import type { CommonRouting, ResolvedRouting, RoutingConfig } from '../config/types.js';
import { checkRouting, DEFAULTS, routingWithDefaults } from '../config/schema.js';
import { StickyConfigError } from '../errors.js';
import type { PrefixOptions } from './address.js';

export type { ResolvedRouting } from '../config/types.js';
export type HeaderRoutingResolved = Extract<ResolvedRouting, { by: 'header' }>;

export { ROUTING_MODES } from '../config/schema.js';
export const DEFAULT_MAX_PENDING = DEFAULTS.routing.maxPending;
/** A PROXY preamble must arrive within this (HAProxy sends it with the connection). */
export const PROXY_PREAMBLE_TIMEOUT_MS = 10_000;


/**
 * Checks `routing` against the config schema (so it fails exactly where the config file
 * would, with the same line) and applies its defaults. `base` holds common fields given
 * outside `routing` (the BalancerServer's older top-level options); routing's win.
 */
export function resolveRouting(routing: RoutingConfig | undefined, base: CommonRouting = {}): ResolvedRouting {
  const merged = { ...base, ...routing } as RoutingConfig;
  const problems: string[] = [];
  checkRouting(merged, 'routing', problems);
  if (problems.length > 0) throw new StickyConfigError(problems);
  return routingWithDefaults(merged);
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
