// A real `sticky start` with metrics on (port 0) and two workers routing by header: HTTP
// clients from distinct loopback addresses, rejected and misrouted connections, a worker
// killed, a reload. Then /metrics is scraped, parsed with the strict exposition parser, and
// its counters compared with `sticky status --json` taken at the same quiescent moment; and
// every query of templates/grafana-dashboard.json is checked against that scrape.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/control/protocol.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { loopbackAddresses } from '../helpers/clients.js';
import { parseExposition, sampleValue, type MetricFamily } from '../helpers/prometheus-text.js';
import { listeningInodes, socketInodes } from '../helpers/processes.js';
import { expandGrafanaVariables, promqlNames } from '../helpers/promql-names.js';
import { startInstance, type Instance } from '../helpers/sticky-instance.js';
import { statusSchemaProblems } from '../helpers/status-schema.js';
import { waitFor } from '../helpers/wait-for.js';

const APP = path.join(ROOT, 'test', 'fixtures', 'supervisor', 'app.js');
const DASHBOARD = path.join(ROOT, 'templates', 'grafana-dashboard.json');
const CLIENTS = 8;
/** Labels Prometheus adds to every scraped series; the dashboard filters on them. */
const TARGET_LABELS = ['job', 'instance'];

interface Reply {
  status: number;
  pid: number;
}

/** One GET with `headers`, from `localAddress`, on a fresh connection unless `agent` is given. */
function get(port: number, localAddress: string, headers: Record<string, string>, agent: http.Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', localAddress, headers, agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
        resolve({ status: res.statusCode!, pid: res.statusCode === 200 ? (JSON.parse(body) as { pid: number }).pid : 0 });
      });
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Each client address asks once, as its own forwarded client (one connection each). */
async function traffic(port: number, round: number): Promise<number> {
  const replies = await Promise.all(loopbackAddresses(CLIENTS).map((addr, i) => get(port, addr, { 'x-forwarded-for': `203.0.113.${round * CLIENTS + i + 1}` })));
  expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
  return replies.length;
}

/** Bytes that are not HTTP (a TLS ClientHello's start): the primary closes the connection. */
function notHttp(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.20' }, () => socket.write(Buffer.from('160301020001000100', 'hex')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('the primary did not close a non-HTTP connection')));
    socket.on('data', () => {});
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

function scrape(port: number): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode!, contentType: res.headers['content-type'] ?? '', body }));
    }).on('error', reject).on('timeout', function (this: http.ClientRequest) {
      this.destroy(new Error('scrape timed out'));
    });
  });
}

/** Waits until every connection made so far is counted and closed in the workers' reports. */
function settled(instance: Instance, total: number, extra: (s: StatusSnapshot) => boolean = () => true): Promise<StatusSnapshot> {
  return waitFor(async () => {
    const s = await instance.status();
    const workers = s.workers.filter((w) => w.state === 'online');
    const ok = s.connections.total === total && s.connections.active === 0 && workers.length === 2 && s.workers.length === 2 && extra(s);
    return ok ? s : undefined;
  }, 30_000, `connections.total = ${total}, none active, two workers online`);
}

function totalsBySlot(s: StatusSnapshot): number[] {
  const out = [0, 0];
  for (const w of s.workers) out[w.slot]! += w.total;
  return out;
}

describe('metrics of a running instance', () => {
  let instance: Instance;
  let metricsPort: number;
  let families: Map<string, MetricFamily>;
  let before: StatusSnapshot;
  let after: StatusSnapshot;
  /** Per slot: what its exited workers served, from the settled status before each exit. */
  const retired = [0, 0];

  beforeAll(async () => {
    instance = await startInstance({ name: 'metrics', script: APP, routing: { by: 'header' }, metrics: { port: 0 }, reload: { drainTimeoutMs: 5000 } }, 2);
    const port = instance.port;
    let total = 0;

    total += await traffic(port, 0);
    // One keep-alive connection carrying two forwarded clients: the second request is misrouted.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: '127.0.0.30' });
    const first = await get(port, '127.0.0.30', { 'x-forwarded-for': '198.51.100.1' }, agent);
    const second = await get(port, '127.0.0.30', { 'x-forwarded-for': '198.51.100.2' }, agent);
    expect([first.status, second.status, second.pid]).toEqual([200, 200, first.pid]);
    agent.destroy();
    total += 1;
    // Rejected by the primary: not HTTP, and a request without the routing header.
    await notHttp(port);
    expect((await get(port, '127.0.0.21', {})).status).toBe(400);

    const beforeKill = await settled(instance, total, (s) => s.connections.misrouted === 1 && s.connections.rejected === 2);
    expect(totalsBySlot(beforeKill).every((n) => n > 0)).toBe(true);
    const victim = beforeKill.workers.find((w) => w.slot === 0)!;
    retired[0] += victim.total;
    process.kill(victim.pid, 'SIGKILL');
    await waitFor(async () => {
      const s = await instance.status();
      return s.workers.some((w) => w.slot === 0 && w.state === 'online' && w.pid !== victim.pid && w.restarts === 1);
    }, 30_000, 'slot 0 restarted');

    total += await traffic(port, 1);
    const beforeReload = await settled(instance, total);
    totalsBySlot(beforeReload).forEach((n, slot) => (retired[slot]! += n));
    const reload = await runCli(['reload', '--config', instance.configFile!], { cwd: instance.dir, env: instance.env, timeoutMs: 60_000 });
    expect(reload.code, reload.stderr).toBe(0);

    total += await traffic(port, 2);
    before = await settled(instance, total);
    metricsPort = before.metrics!.port;
    const response = await scrape(metricsPort);
    after = await instance.status();
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    families = parseExposition(response.body);
  }, 180_000);

  afterAll(async () => {
    await instance?.cleanUp();
  });

  it('status --json says where metrics are served: the real port on 127.0.0.1, logged at start', () => {
    expect(before.metrics).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    expect(statusSchemaProblems(before)).toEqual([]);
    expect(metricsPort).toBeGreaterThan(0);
    expect(instance.primary.lines.some((l) => l.includes(`metrics at http://127.0.0.1:${metricsPort}/metrics`))).toBe(true);
    // The primary listens on two TCP ports: the app's and the metrics one.
    const listening = listeningInodes();
    expect([...socketInodes(instance.primary.pid)].filter((inode) => listening.has(inode))).toHaveLength(2);
  });

  it('the scrape was taken at a quiescent moment: status before and after it agree', () => {
    const counters = (s: StatusSnapshot) => ({ connections: s.connections, workers: s.workers.map((w) => [w.slot, w.pid, w.state, w.total, w.restarts]) });
    expect(counters(after)).toEqual(counters(before));
  });

  it('connections: per slot the workers\' totals with the exited ones\', summing to connections.total; active 0', () => {
    const current = totalsBySlot(before);
    for (const slot of [0, 1]) {
      expect(sampleValue(families, 'sticky_connections_total', { slot: String(slot) })).toBe(current[slot]! + retired[slot]!);
      expect(sampleValue(families, 'sticky_connections_active', { slot: String(slot) })).toBe(0);
    }
    expect(families.get('sticky_connections_total')!.samples.reduce((n, s) => n + s.value, 0)).toBe(before.connections.total);
  });

  it('rejected by reason sums to connections.rejected; misrouted matches', () => {
    expect(sampleValue(families, 'sticky_connections_rejected_total', { reason: 'not-http' })).toBe(1);
    expect(sampleValue(families, 'sticky_connections_rejected_total', { reason: 'missing-header' })).toBe(1);
    expect(families.get('sticky_connections_rejected_total')!.samples.reduce((n, s) => n + s.value, 0)).toBe(before.connections.rejected);
    expect(sampleValue(families, 'sticky_misrouted_requests_total')).toBe(before.connections.misrouted);
    expect(before.connections.misrouted).toBe(1);
  });

  it('restarts per slot match status; the reload is counted; workers by state', () => {
    for (const w of before.workers) expect(sampleValue(families, 'sticky_worker_restarts_total', { slot: String(w.slot) })).toBe(w.restarts);
    expect(before.workers.map((w) => w.restarts).sort()).toEqual([0, 1]);
    expect(sampleValue(families, 'sticky_reloads_started_total')).toBe(1);
    expect(sampleValue(families, 'sticky_reloads_succeeded_total')).toBe(1);
    expect(sampleValue(families, 'sticky_reloads_failed_total')).toBe(0);
    expect(Object.fromEntries(families.get('sticky_workers')!.samples.map((s) => [s.labels.state, s.value])))
      .toEqual({ starting: 0, online: 2, draining: 0, stopped: 0, errored: 0, unresponsive: 0 });
  });

  it('memory and CPU per slot; the hand-off histogram counted every connection the workers took', () => {
    for (const slot of ['0', '1']) {
      expect(sampleValue(families, 'sticky_worker_resident_memory_bytes', { slot })).toBeGreaterThan(10_000_000);
      expect(sampleValue(families, 'sticky_worker_cpu_percent', { slot })).toBeGreaterThanOrEqual(0);
    }
    expect(sampleValue(families, 'sticky_handoff_duration_seconds_count')).toBe(before.connections.total);
    expect(sampleValue(families, 'sticky_handoff_duration_seconds_sum')).toBeGreaterThan(0);
    expect(sampleValue(families, 'sticky_primary_process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  });

  it('no series is labelled by pid', () => {
    for (const family of families.values()) for (const s of family.samples) expect(Object.keys(s.labels)).not.toContain('pid');
  });

  it('every query of the Grafana dashboard uses only metrics and labels of this scrape, and uses every sticky_ series', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const variables = { job: '.*', instance: '.*', __rate_interval: '1m', __interval: '15s', __range: '1h' };
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...dashboard.annotations.list.flatMap((a) => (a.expr === undefined ? [] : [a.expr])),
    ];
    const variableQueries = dashboard.templating.list.filter((v) => v.type === 'query').map((v) => v.query.query);
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    expect(variableQueries).toHaveLength(2);

    const used = new Set<string>();
    const problems: string[] = [];
    const check = (expr: string, names: { metrics: string[]; labels: string[] }): void => {
      const labels = new Set([...TARGET_LABELS]);
      for (const metric of names.metrics) {
        const family = familyOfSample(families, metric);
        if (!family) {
          problems.push(`${metric} (in ${expr}) is not in the scrape`);
          continue;
        }
        used.add(family.name);
        for (const s of family.samples) for (const l of Object.keys(s.labels)) labels.add(l);
      }
      for (const label of names.labels) if (!labels.has(label)) problems.push(`label ${label} (in ${expr}) is on none of its metrics`);
    };
    for (const expr of exprs) check(expr, promqlNames(expandGrafanaVariables(expr, variables)));
    for (const query of variableQueries) {
      const m = /^label_values\((.+), *(\w+)\)$/.exec(query);
      expect(m, query).not.toBeNull();
      const names = promqlNames(expandGrafanaVariables(m![1]!, variables));
      check(query, { metrics: names.metrics, labels: [...names.labels, m![2]!] });
    }
    expect(problems).toEqual([]);
    const ours = [...families.keys()].filter((n) => n.startsWith('sticky_') && !n.startsWith('sticky_primary_'));
    expect(ours.filter((n) => !used.has(n))).toEqual([]);
    for (const panel of dashboard.panels) if (panel.type !== 'row') expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(dashboard.templating.list.find((v) => v.type === 'datasource')).toMatchObject({ name: 'datasource', query: 'prometheus' });
  });
});

interface Dashboard {
  panels: { type: string; title: string; datasource?: unknown; targets?: { expr: string }[] }[];
  annotations: { list: { expr?: string }[] };
  templating: { list: { type: string; name: string; query: { query: string } }[] };
}

/** The family a sample name belongs to: itself, or the histogram whose _bucket/_sum/_count it is. */
function familyOfSample(families: Map<string, MetricFamily>, name: string): MetricFamily | undefined {
  const own = families.get(name);
  if (own) return own;
  const m = /^(.+)_(bucket|sum|count)$/.exec(name);
  const base = m ? families.get(m[1]!) : undefined;
  return base && (base.type === 'histogram' || (base.type === 'summary' && m![2] !== 'bucket')) ? base : undefined;
}
