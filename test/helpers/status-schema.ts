// The `sticky status --json` schema of DESIGN.md, checked field by field (extra fields allowed).

const WORKER_STATES = ['starting', 'online', 'draining', 'stopped', 'errored', 'unresponsive'];
const ROUTING_MODES = ['ip', 'header', 'proxy-protocol'];

type Rule = (value: unknown) => boolean;

const count: Rule = (value) => Number.isInteger(value) && (value as number) >= 0;
const finite: Rule = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const pid: Rule = (value) => Number.isInteger(value) && (value as number) > 0;

const TOP: Record<string, Rule> = {
  name: (value) => typeof value === 'string' && value !== '',
  pid,
  uptimeMs: finite,
  host: (value) => typeof value === 'string' && value !== '',
  port: (value) => Number.isInteger(value) && (value as number) > 0 && (value as number) <= 65_535,
  routing: (value) => ROUTING_MODES.includes(value as string),
  // Extra field: where /metrics is served, null when metrics are off.
  metrics: (value) => value === null || (typeof value === 'object' && typeof (value as { host?: unknown }).host === 'string'
    && Number.isInteger((value as { port?: unknown }).port) && (value as { port: number }).port > 0),
};
const CONNECTIONS: Record<string, Rule> = { active: count, total: count, rejected: count, misrouted: count };
const WORKER: Record<string, Rule> = {
  slot: count, pid, state: (value) => WORKER_STATES.includes(value as string), active: count, total: count,
  restarts: count, uptimeMs: finite, rssBytes: count, cpuPercent: finite,
};

function check(value: unknown, rules: Record<string, Rule>, path: string, problems: string[]): void {
  if (typeof value !== 'object' || value === null) {
    problems.push(`${path}: ${JSON.stringify(value)} is not an object`);
    return;
  }
  for (const [key, rule] of Object.entries(rules)) {
    const field = (value as Record<string, unknown>)[key];
    if (!rule(field)) problems.push(`${path}.${key}: ${JSON.stringify(field)}`);
  }
}

/** Every way `snapshot` breaks the documented schema (empty when it conforms). */
export function statusSchemaProblems(snapshot: unknown): string[] {
  const problems: string[] = [];
  check(snapshot, TOP, 'status', problems);
  const { connections, workers } = (snapshot ?? {}) as { connections?: unknown; workers?: unknown };
  check(connections, CONNECTIONS, 'status.connections', problems);
  if (!Array.isArray(workers)) problems.push(`status.workers: ${JSON.stringify(workers)} is not a list`);
  else workers.forEach((worker, index) => check(worker, WORKER, `status.workers[${index}]`, problems));
  return problems;
}
