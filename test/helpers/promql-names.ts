// Metric and label names used by a PromQL expression, read with Prometheus's own lezer
// grammar (the one its web UI uses), so nothing in a query goes unchecked by a regex miss.
import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlNames {
  metrics: string[];
  /** Label names in matchers, by/without, on/ignoring and group_left/right. */
  labels: string[];
}

/**
 * The names in `expr`; throws on a syntax error. Grafana's variables must be replaced
 * first (see `expandGrafanaVariables`): the grammar does not know them.
 */
export function promqlNames(expr: string): PromqlNames {
  const tree = parser.parse(expr);
  const metrics = new Set<string>();
  const labels = new Set<string>();
  const errors: number[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      const text = expr.slice(node.from, node.to);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.add(text);
      if (node.name === 'LabelName') labels.add(text);
    },
  });
  if (errors.length > 0) throw new Error(`PromQL syntax error at ${errors[0]} in ${JSON.stringify(expr)}`);
  for (const matcher of selectorsByName(tree, expr)) metrics.add(matcher);
  labels.delete('__name__');
  return { metrics: [...metrics], labels: [...labels] };
}

/** `{__name__="x"}` selects x too. */
function selectorsByName(tree: ReturnType<typeof parser.parse>, expr: string): string[] {
  const out: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.name !== 'UnquotedLabelMatcher') return;
      const text = expr.slice(node.from, node.to);
      const m = /^__name__\s*=\s*"([^"]*)"$/.exec(text);
      if (m) out.push(m[1]!);
    },
  });
  return out;
}

/** A value for each of Grafana's built-in and the dashboard's own variables, as Grafana would. */
export function expandGrafanaVariables(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (whole, a: string | undefined, b: string | undefined, c: string | undefined) => {
    const name = (a ?? b ?? c)!;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the Grafana variable ${whole} in ${JSON.stringify(expr)}`);
    return value;
  });
}
