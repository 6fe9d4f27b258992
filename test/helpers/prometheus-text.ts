// A strict parser of the Prometheus text exposition format (version 0.0.4), written from
// the format's specification: every violation throws, naming the line. The checks a lenient
// parser skips are the point: HELP/TYPE syntax and placement, one group per metric, name
// and label syntax, escapes, duplicate series, and histograms and summaries whose
// _bucket/_sum/_count series agree (le ascending, +Inf present and equal to _count).

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface MetricFamily {
  name: string;
  help?: string;
  type: MetricType;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
/**
 * A value as Go's strconv.ParseFloat reads it (what the format specifies): decimal, or
 * NaN, Inf or Infinity in any case, the last two signed. (prom-client writes NaN as "Nan".)
 * Hex floats, which no exposition writer produces, are refused.
 */
const FLOAT = /^(?:[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?)|nan)$/i;

function parseFloatValue(text: string): number {
  if (/^nan$/i.test(text)) return NaN;
  if (/inf/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}
const TIMESTAMP = /^-?\d+$/;

export class ExpositionError extends Error {}

/** Parses a whole exposition; throws ExpositionError on the first violation. */
export function parseExposition(text: string): Map<string, MetricFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new ExpositionError('the exposition does not end with a line feed');
  const state = new ParseState();
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, index) => state.line(line, `line ${index + 1} (${JSON.stringify(line.slice(0, 120))})`));
  for (const family of state.families.values()) checkFamily(family);
  return state.families;
}

class ParseState {
  readonly families = new Map<string, MetricFamily>();
  /** Families whose group has ended: their name may not come back. */
  private readonly closed = new Set<string>();
  /** Names whose TYPE line was seen; a family with none is untyped. */
  private readonly typed = new Set<string>();
  private current: MetricFamily | undefined;

  line(line: string, at: string): void {
    const fail = (why: string): never => {
      throw new ExpositionError(`${at}: ${why}`);
    };
    if (/^[ \t]*$/.test(line)) return;
    if (line.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) return; // any other comment
      const keyword = m[1] as 'HELP' | 'TYPE';
      const name = m[2]!;
      const rest = m[3] ?? '';
      if (!METRIC_NAME.test(name)) fail(`${keyword} names "${name}", not a metric name`);
      const family = this.enter(name, fail);
      if (family.samples.length > 0) fail(`${keyword} for ${name} after its samples`);
      if (keyword === 'HELP') {
        if (family.help !== undefined) fail(`a second HELP for ${name}`);
        family.help = unescapeHelp(rest, fail);
      } else {
        if (this.typed.has(name)) fail(`a second TYPE for ${name}`);
        if (!(TYPES as readonly string[]).includes(rest)) fail(`TYPE ${JSON.stringify(rest)} is not one of ${TYPES.join(', ')}`);
        family.type = rest as MetricType;
        this.typed.add(name);
      }
      return;
    }
    const sample = parseSample(line, fail);
    const family = this.enter(this.familyOf(sample.name), fail);
    checkSampleName(family, sample, fail);
    family.samples.push(sample);
  }

  /** The family `name` as the current group; a family may not come back after another one. */
  private enter(name: string, fail: (why: string) => never): MetricFamily {
    if (this.current?.name === name) return this.current;
    if (this.current) this.closed.add(this.current.name);
    if (this.closed.has(name)) fail(`${name} appears again after other metrics: a metric's lines must be one group`);
    this.current = { name, type: 'untyped', samples: [] };
    this.families.set(name, this.current);
    return this.current;
  }

  /** The family a sample belongs to: its own name, or the histogram/summary it is a part of. */
  private familyOf(name: string): string {
    const current = this.current;
    if (current && current.name !== name && name.startsWith(current.name)) {
      const suffix = name.slice(current.name.length);
      if (current.type === 'histogram' && (suffix === '_bucket' || suffix === '_sum' || suffix === '_count')) return current.name;
      if (current.type === 'summary' && (suffix === '_sum' || suffix === '_count')) return current.name;
    }
    return name;
  }
}

function checkSampleName(family: MetricFamily, sample: Sample, fail: (why: string) => never): void {
  const suffix = sample.name.slice(family.name.length);
  if (family.type === 'histogram') {
    if (suffix === '') fail(`histogram ${family.name} has a sample without _bucket, _sum or _count`);
    if (suffix === '_bucket' && !('le' in sample.labels)) fail(`${sample.name} without an le label`);
    if (suffix !== '_bucket' && 'le' in sample.labels) fail(`${sample.name} has an le label`);
  }
  if (family.type === 'summary') {
    if (suffix === '' && !('quantile' in sample.labels)) fail(`summary ${family.name} sample without a quantile label`);
    if (suffix !== '' && 'quantile' in sample.labels) fail(`${sample.name} has a quantile label`);
  }
  if ((family.type === 'counter' || family.type === 'histogram' || family.type === 'summary') && !(sample.value >= 0)) {
    if (!(family.type === 'summary' && suffix === '' && Number.isNaN(sample.value))) fail(`${family.type} ${sample.name} has the value ${sample.value}`);
  }
  const key = seriesKey(sample.name, sample.labels);
  if (family.samples.some((s) => seriesKey(s.name, s.labels) === key)) fail(`the series ${key} appears twice`);
}

/** Histograms: per label set, buckets ascending by le and cumulative, +Inf = _count, a _sum. */
function checkFamily(family: MetricFamily): void {
  if (family.type === 'histogram') {
    const groups = new Map<string, { les: number[]; counts: number[]; sum?: number; count?: number }>();
    const group = (labels: Record<string, string>) => {
      const { le: _le, ...rest } = labels;
      const key = seriesKey('', rest);
      let g = groups.get(key);
      if (!g) groups.set(key, g = { les: [], counts: [] });
      return g;
    };
    for (const s of family.samples) {
      const g = group(s.labels);
      const suffix = s.name.slice(family.name.length);
      if (suffix === '_bucket') {
        const le = s.labels.le!;
        const bound = FLOAT.test(le) ? parseFloatValue(le) : NaN;
        if (Number.isNaN(bound)) throw new ExpositionError(`${family.name}: le="${le}" is not a number`);
        const prev = g.les.at(-1);
        if (prev !== undefined && !(bound > prev)) throw new ExpositionError(`${family.name}: le="${le}" after le=${prev}: buckets must be in ascending le order`);
        if (g.counts.length > 0 && s.value < g.counts.at(-1)!) throw new ExpositionError(`${family.name}: bucket le="${le}" holds ${s.value}, less than the bucket before it`);
        if (g.sum !== undefined || g.count !== undefined) throw new ExpositionError(`${family.name}: a bucket after _sum or _count`);
        g.les.push(bound);
        g.counts.push(s.value);
      } else if (suffix === '_sum') {
        g.sum = s.value;
      } else {
        g.count = s.value;
      }
    }
    for (const [key, g] of groups) {
      const where = `${family.name}${key}`;
      if (g.les.at(-1) !== Infinity) throw new ExpositionError(`${where}: no le="+Inf" bucket`);
      if (g.count === undefined) throw new ExpositionError(`${where}: no _count`);
      if (g.sum === undefined) throw new ExpositionError(`${where}: no _sum`);
      if (g.counts.at(-1) !== g.count) throw new ExpositionError(`${where}: the +Inf bucket (${g.counts.at(-1)}) differs from _count (${g.count})`);
      if (!Number.isInteger(g.count)) throw new ExpositionError(`${where}: _count ${g.count} is not a whole number`);
    }
  }
  if (family.type === 'summary') {
    for (const s of family.samples) {
      const q = s.labels.quantile;
      if (q !== undefined && !(FLOAT.test(q) && parseFloatValue(q) >= 0 && parseFloatValue(q) <= 1)) {
        throw new ExpositionError(`${family.name}: quantile="${q}" is not from 0 to 1`);
      }
    }
  }
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) fail('a sample line that does not start with a metric name');
  const name = nameMatch![0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      if (line[i] === '}') {
        i++;
        break;
      }
      const labelMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!labelMatch) fail(`a bad label name at column ${i + 1}`);
      const label = labelMatch![0];
      if (label.startsWith('__')) fail(`label ${label}: names starting with __ are reserved`);
      if (label in labels) fail(`label ${label} twice`);
      i += label.length;
      if (line[i] !== '=' || line[i + 1] !== '"') fail(`label ${label} is not followed by ="`);
      i += 2;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) fail(`label ${label}: unterminated value`);
        if (c === '"') break;
        if (c === '\\') {
          const next = line[i + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else fail(`label ${label}: bad escape \\${next ?? ''}`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      labels[label] = value;
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] !== '}') fail(`after label ${label}: expected "," or "}"`);
    }
  }
  const rest = line.slice(i);
  const m = /^[ \t]+(\S+)(?:[ \t]+(\S+))?[ \t]*$/.exec(rest);
  if (!m) fail('expected a value (and an optional timestamp) after the name and labels');
  const [, valueText, timestampText] = m!;
  if (!FLOAT.test(valueText!)) fail(`${JSON.stringify(valueText)} is not a sample value`);
  const value = parseFloatValue(valueText!);
  if (timestampText !== undefined && !TIMESTAMP.test(timestampText)) fail(`${JSON.stringify(timestampText)} is not a timestamp in ms`);
  if (!METRIC_NAME.test(name)) fail(`"${name}" is not a metric name`);
  for (const label of Object.keys(labels)) if (!LABEL_NAME.test(label)) fail(`"${label}" is not a label name`);
  return timestampText === undefined ? { name, labels, value } : { name, labels, value, timestampMs: Number(timestampText) };
}

function unescapeHelp(text: string, fail: (why: string) => never): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else fail(`HELP: bad escape \\${next ?? ''} (only \\\\ and \\n)`);
  }
  return out;
}

function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}

/** The one sample of `family` whose labels are exactly `labels` (throws if none). */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name) ?? [...families.values()].find((f) => name.startsWith(f.name) && f.samples.some((s) => s.name === name));
  const key = seriesKey(name, labels);
  const sample = family?.samples.find((s) => seriesKey(s.name, s.labels) === key);
  if (!sample) throw new Error(`no sample ${key} in the scrape`);
  return sample.value;
}
