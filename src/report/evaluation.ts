// Report: evaluation against a label column, overall and per group, with fairness ratios between groups.
import type { Column } from '../shared/chunk.js';
import { classIndex, classificationMetrics, compareLabels, createClassificationTally, mergeClassification, tallyClassified, type ClassificationMetrics, type ClassificationTally } from './classification.js';
import { createRegressionTally, mergeRegression, regressionMetrics, tallyRegression, type RegressionMetrics, type RegressionTally } from './regression.js';
import { InternalError } from '../errors.js';

/** Groups tracked per --group-by column; rows of further values are counted under OTHER_GROUP. */
const MAX_GROUPS = 100;
export const OTHER_GROUP = '(other)';
/** The key of missing group values in the name cache (no value equals it). */
const MISSING = Symbol('missing');

/** How predictions are read for evaluation. */
export type EvaluationTarget =
  | {
      readonly task: 'classification';
      /** The predicted-label column; undefined: the class with the highest probability. */
      readonly labelColumn: string | undefined;
      /** Probability columns, by class name. */
      readonly probabilities: readonly { readonly className: string; readonly column: string }[];
    }
  | { readonly task: 'regression'; readonly column: string };

export type Tally = ClassificationTally | RegressionTally;

/** Everything evaluation keeps; adds up across runs over disjoint rows (`report merge`). */
export interface EvaluationState {
  readonly label_column: string;
  readonly group_by: string | null;
  readonly tally: Tally;
  readonly groups: Record<string, Tally>;
}

export type Metrics = ClassificationMetrics | RegressionMetrics;

export interface GroupResult {
  readonly rows: number;
  readonly metrics: Metrics;
  /** Share of the group's rows predicted as the positive class (binary classification). */
  readonly selection_rate: number | null;
  /** Recall of the positive class in the group (binary classification). */
  readonly true_positive_rate: number | null;
}

/** Between groups: the smallest over the largest value (1 is parity; the "four-fifths rule" flags < 0.8). */
export interface Fairness {
  readonly group_by: string;
  readonly positive_class: string | null;
  readonly selection_rate_ratio: number | null;
  readonly true_positive_rate_ratio: number | null;
}

/** Evaluates chunks of scored rows against their labels. */
export class Evaluation {
  readonly state: EvaluationState;
  private readonly target: EvaluationTarget;
  private readonly classCache = new Map<unknown, number>();
  private readonly groupNames = new Map<unknown, string>();

  constructor(target: EvaluationTarget, labelColumn: string, groupBy: string | undefined) {
    this.target = target;
    const tally = newTally(target);
    if (tally.task === 'classification') for (const { className } of (target as { probabilities: readonly { className: string }[] }).probabilities) classIndex(tally, className);
    this.state = { label_column: labelColumn, group_by: groupBy ?? null, tally, groups: {} };
  }

  /** Counts one chunk: the label column, the group column (with --group-by) and the prediction columns, row-aligned. */
  observe(labels: Column, groups: Column | undefined, predictions: ReadonlyMap<string, Column>, rows: number): void {
    const byGroup = groups === undefined ? undefined : this.groupRows(groups, rows);
    const target = this.target;
    if (target.task === 'regression') {
      const y = numbersOf(labels, rows);
      const p = numbersOf(predictions.get(target.column), rows);
      tallyRegression(this.state.tally as RegressionTally, y, p);
      for (const [name, indices] of byGroup ?? []) tallyRegression(this.state.groups[name] as RegressionTally, y, p, indices);
      return;
    }
    const tally = this.state.tally as ClassificationTally;
    const actual = this.classesOf(labels, rows);
    const probabilities: (ArrayLike<number> | undefined)[] = [];
    target.probabilities.forEach(({ className, column }) => {
      probabilities[classIndex(tally, className)] = numbersOf(predictions.get(column), rows);
    });
    const predicted = target.labelColumn === undefined ? argmax(probabilities, rows) : this.classesOf(predictions.get(target.labelColumn), rows);
    const batch = { actual, predicted, probabilities: target.probabilities.length === 0 ? undefined : probabilities };
    tallyClassified(tally, batch);
    for (const [name, indices] of byGroup ?? []) {
      const group = this.state.groups[name] as ClassificationTally;
      // Group tallies share the overall class order, so indices carry over.
      while (group.classes.length < tally.classes.length) classIndex(group, tally.classes[group.classes.length] as string);
      tallyClassified(group, { ...batch, rows: indices });
    }
  }

  /** Class indices of a label column (-1 for a missing label), one map lookup per row. */
  private classesOf(column: Column | undefined, rows: number): Int32Array {
    const indices = new Int32Array(rows).fill(-1);
    if (column === undefined) return indices;
    const tally = this.state.tally as ClassificationTally;
    const cache = this.classCache;
    const values = column.values as ArrayLike<string | number | bigint | null>;
    const nulls = column.type === 'string' ? undefined : column.nulls;
    for (let i = 0; i < rows; i++) {
      const value = values[i];
      if (value === null || value === undefined || (nulls !== undefined && nulls[i] === 1) || value !== value) continue;
      let index = cache.get(value);
      if (index === undefined) {
        index = classIndex(tally, String(value));
        cache.set(value, index);
      }
      indices[i] = index;
    }
    return indices;
  }

  /** The rows of each group in this chunk; a group's name is looked up once per distinct value. */
  private groupRows(column: Column, rows: number): Map<string, number[]> {
    const byGroup = new Map<string, number[]>();
    const names = this.groupNames;
    const values = column.values as ArrayLike<string | number | bigint | null>;
    const nulls = column.type === 'string' ? undefined : column.nulls;
    for (let i = 0; i < rows; i++) {
      const value = values[i];
      const missing = value === null || value === undefined || (nulls !== undefined && nulls[i] === 1);
      const key = missing ? MISSING : value;
      let name = names.get(key);
      if (name === undefined) {
        name = missing ? '(missing)' : String(value);
        if (this.state.groups[name] === undefined && Object.keys(this.state.groups).length >= MAX_GROUPS) name = OTHER_GROUP;
        this.state.groups[name] ??= newTally(this.target);
        names.set(key, name);
      }
      let list = byGroup.get(name);
      if (list === undefined) byGroup.set(name, (list = []));
      list.push(i);
    }
    return byGroup;
  }
}

function newTally(target: EvaluationTarget): Tally {
  return target.task === 'regression' ? createRegressionTally() : createClassificationTally(target.probabilities.length > 0);
}

function numbersOf(column: Column | undefined, rows: number): ArrayLike<number> {
  if (column === undefined) return new Float64Array(rows).fill(Number.NaN);
  if (column.type === 'string') return Float64Array.from(column.values.slice(0, rows), (value) => (value === null || value.trim() === '' ? Number.NaN : Number(value)));
  if (column.type === 'tensor') return new Float64Array(rows).fill(Number.NaN);
  const values = column.type === 'int64' ? Float64Array.from(column.values.subarray(0, rows), Number) : column.values;
  if (column.nulls === undefined) return values;
  const copy = Float64Array.from(values.subarray(0, rows));
  column.nulls.forEach((flag, i) => {
    if (flag === 1 && i < rows) copy[i] = Number.NaN;
  });
  return copy;
}

function argmax(probabilities: readonly (ArrayLike<number> | undefined)[], rows: number): Int32Array {
  const best = new Int32Array(rows).fill(-1);
  const top = new Float64Array(rows).fill(-Infinity);
  probabilities.forEach((column, c) => {
    if (column === undefined) return;
    for (let i = 0; i < rows; i++) {
      const p = column[i] as number;
      if (p > (top[i] as number)) {
        top[i] = p;
        best[i] = c;
      }
    }
  });
  return best;
}

export function metricsOf(tally: Tally): Metrics {
  return tally.task === 'regression' ? regressionMetrics(tally) : classificationMetrics(tally);
}

/** Per-group metrics, selection rates and true positive rates, and their min/max ratios. */
export function groupResults(state: EvaluationState): { groups: Record<string, GroupResult>; fairness: Fairness | null } {
  const groups: Record<string, GroupResult> = {};
  const overall = state.tally;
  const positive = overall.task === 'classification' && overall.classes.length === 2 ? ([...overall.classes].sort(compareLabels)[1] as string) : null;
  for (const [name, tally] of Object.entries(state.groups)) {
    const metrics = metricsOf(tally);
    let selection: number | null = null;
    let tpr: number | null = null;
    if (metrics.task === 'classification' && positive !== null && metrics.rows > 0) {
      const p = metrics.confusion_matrix.labels.indexOf(positive);
      const predictedPositive = p < 0 ? 0 : metrics.confusion_matrix.counts.reduce((sum, row) => sum + (row[p] as number), 0);
      selection = predictedPositive / metrics.rows;
      tpr = metrics.per_class[positive]?.support ? (metrics.per_class[positive]?.recall ?? null) : null;
    }
    groups[name] = { rows: metrics.rows, metrics, selection_rate: selection, true_positive_rate: tpr };
  }
  if (state.group_by === null) return { groups, fairness: null };
  const ratio = (values: (number | null)[]): number | null => {
    const known = values.filter((value): value is number => value !== null);
    const max = Math.max(...known);
    return known.length < 2 || max === 0 ? null : Math.min(...known) / max;
  };
  const results = Object.values(groups);
  return {
    groups,
    fairness: {
      group_by: state.group_by,
      positive_class: positive,
      selection_rate_ratio: ratio(results.map((group) => group.selection_rate)),
      true_positive_rate_ratio: ratio(results.map((group) => group.true_positive_rate)),
    },
  };
}

/** Adds another run's evaluation (same label column, group column and task) into `into`. */
export function mergeEvaluation(into: EvaluationState, other: EvaluationState): void {
  mergeTally(into.tally, other.tally);
  for (const [name, tally] of Object.entries(other.groups)) {
    const target = into.groups[name];
    if (target === undefined) into.groups[name] = structuredClone(tally);
    else mergeTally(target, tally);
  }
}

function mergeTally(into: Tally, other: Tally): void {
  if (into.task === 'classification' && other.task === 'classification') mergeClassification(into, other);
  else if (into.task === 'regression' && other.task === 'regression') mergeRegression(into, other);
  else throw new InternalError('cannot merge a classification evaluation with a regression one');
}
