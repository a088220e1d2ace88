// Report: --fail-on quality gates, a small grammar `<report path> <op> <number>` read without eval.

const OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type GateOperator = (typeof OPERATORS)[number];

/** A parsed --fail-on expression. */
export interface Gate {
  readonly expression: string;
  /** Path segments into the report (a quoted segment may hold dots or spaces). */
  readonly path: readonly string[];
  readonly operator: GateOperator;
  readonly threshold: number;
}

/** A gate checked against a report: `fired` means the condition held, so the run fails (exit 6). */
export interface GateResult {
  readonly expression: string;
  readonly value: number | null;
  readonly fired: boolean;
  /** Why the value is missing, when it is. */
  readonly note?: string;
}

/** The report paths gates may read; `*` is a feature, column, class or group name. */
const METRIC_NAMES = ['rows', 'accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'f1_weighted', 'log_loss', 'roc_auc', 'mae', 'rmse', 'r2', 'mape'];
const STAT_NAMES = ['count', 'nulls', 'nan', 'infinite', 'mean', 'std', 'min', 'max', 'other_share', 'quantiles.p1', 'quantiles.p5', 'quantiles.p25', 'quantiles.p50', 'quantiles.p75', 'quantiles.p95', 'quantiles.p99'];
const DRIFT_NAMES = ['psi', 'ks', 'null_share_change'];
export const GATE_PATHS: readonly string[] = [
  'rows.read', 'rows.scored', 'rows.rejected', 'rows.rejected_pct', 'durationMs', 'batches', 'throughput.rowsPerSec', 'predictions.nanCounts.*',
  'drift.max_psi',
  ...['features', 'predictions'].flatMap((kind) => [...DRIFT_NAMES.map((name) => `drift.${kind}.*.${name}`), ...STAT_NAMES.map((name) => `stats.${kind}.*.${name}`)]),
  ...METRIC_NAMES.map((name) => `metrics.${name}`),
  ...['precision', 'recall', 'f1', 'support'].map((name) => `metrics.per_class.*.${name}`),
  ...METRIC_NAMES.map((name) => `groups.*.metrics.${name}`),
  'groups.*.rows', 'groups.*.selection_rate', 'groups.*.true_positive_rate',
  'fairness.selection_rate_ratio', 'fairness.true_positive_rate_ratio',
];

/** Why an expression cannot be used; `nearMatches` are known paths close to an unknown one. */
export class GateSyntaxError extends Error {
  readonly nearMatches: readonly string[];
  constructor(message: string, nearMatches: readonly string[] = []) {
    super(message);
    this.nearMatches = nearMatches;
  }
}

/** Parses `<path> <op> <number>`, e.g. `metrics.accuracy < 0.9` or `groups."<=50K".rows < 100`. */
export function parseGate(expression: string): Gate {
  const { path, rest } = readPath(expression.trim(), expression);
  const operator = OPERATORS.find((op) => rest.startsWith(op));
  if (operator === undefined) throw new GateSyntaxError(`--fail-on '${expression}': expected an operator (${OPERATORS.join(' ')}) after the path`);
  const number = rest.slice(operator.length).trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(number)) throw new GateSyntaxError(`--fail-on '${expression}': expected a number after '${operator}', got '${number}'`);
  const pattern = GATE_PATHS.find((known) => matches(known.split('.'), path));
  if (pattern === undefined) {
    const given = path.join('.');
    throw new GateSyntaxError(`--fail-on '${expression}': unknown report path '${given}'`, nearMatches(given));
  }
  return { expression: expression.trim(), path, operator, threshold: Number(number) };
}

function readPath(text: string, expression: string): { path: string[]; rest: string } {
  const path: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new GateSyntaxError(`--fail-on '${expression}': a quoted name is not closed`);
      path.push(text.slice(i + 1, end));
      i = end + 1;
    } else {
      const match = /^[A-Za-z0-9_-]+/.exec(text.slice(i));
      if (match === null) throw new GateSyntaxError(`--fail-on '${expression}': expected a report path such as metrics.accuracy at position ${i + 1}`);
      path.push(match[0]);
      i += match[0].length;
    }
    if (text[i] !== '.') break;
    i++;
  }
  return { path, rest: text.slice(i).trim() };
}

function matches(pattern: readonly string[], path: readonly string[]): boolean {
  if (pattern.length !== path.length) return false;
  return pattern.every((segment, i) => segment === '*' || segment === path[i]);
}

/** Known paths nearest to `given` by edit distance (names in place of `*`), at most 3. */
export function nearMatches(given: string, candidates: readonly string[] = GATE_PATHS): string[] {
  const segments = given.split('.');
  const scored = candidates.map((candidate) => {
    // A `*` takes the given path's segment at that place, so `drift.features.age.pis` is near `drift.features.age.psi`.
    const filled = candidate.split('.').map((segment, i) => (segment === '*' ? (segments[i] ?? segment) : segment)).join('.');
    return { filled, distance: editDistance(given, filled) };
  });
  scored.sort((a, b) => a.distance - b.distance);
  const limit = Math.max(3, Math.floor(given.length / 3));
  return [...new Set(scored.filter((entry) => entry.distance <= limit).map((entry) => entry.filled))].slice(0, 3);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Checks gates against a finished report (a plain JSON object). A value that is missing fires the gate: CI should not pass on no evidence. */
export function checkGates(gates: readonly Gate[], report: unknown): GateResult[] {
  return gates.map((gate) => {
    const value = valueAt(report, gate.path);
    if (typeof value !== 'number' || Number.isNaN(value)) {
      return { expression: gate.expression, value: null, fired: true, note: `the report has no value at ${gate.path.join('.')}${hintFor(gate.path)}` };
    }
    return { expression: gate.expression, value, fired: compare(value, gate.operator, gate.threshold) };
  });
}

function hintFor(path: readonly string[]): string {
  if (path[0] === 'drift') return ' (was --baseline given, and does the baseline have this column?)';
  if (path[0] === 'metrics' || path[0] === 'groups' || path[0] === 'fairness') return ' (was --label-column (and --group-by) given?)';
  return '';
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function compare(value: number, operator: GateOperator, threshold: number): boolean {
  switch (operator) {
    case '<': return value < threshold;
    case '<=': return value <= threshold;
    case '>': return value > threshold;
    case '>=': return value >= threshold;
    case '==': return value === threshold;
    case '!=': return value !== threshold;
  }
}
