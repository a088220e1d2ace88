// Report: classification metrics from tallies (confusion matrix, log-loss sums, score histograms) that merge by adding.

/** Score histograms for ROC AUC: probabilities in [0, 1] over this many bins (ties within a bin count half). */
export const AUC_BINS = 1024;
/** Probabilities are clipped to [EPS, 1 - EPS] for log loss, as scikit-learn does. */
const LOG_LOSS_EPS = 1e-15;

/** What classification metrics are computed from; every field adds up across runs over disjoint rows. */
export interface ClassificationTally {
  readonly task: 'classification';
  /** Class names; index i names row and column i of `confusion`. */
  readonly classes: string[];
  /** confusion[actual][predicted] row counts. */
  readonly confusion: number[][];
  /** Sum of -ln p(actual class) over rows that had probabilities. */
  log_loss_sum: number;
  log_loss_rows: number;
  /** Per class: histograms of that class's probability over rows of the class (positives) and of other classes. */
  readonly auc: { positives: number[]; negatives: number[] }[] | null;
}

export function createClassificationTally(withProbabilities: boolean): ClassificationTally {
  return { task: 'classification', classes: [], confusion: [], log_loss_sum: 0, log_loss_rows: 0, auc: withProbabilities ? [] : null };
}

/** The index of a class name in the tally, added when new. */
export function classIndex(tally: ClassificationTally, name: string): number {
  let index = tally.classes.indexOf(name);
  if (index >= 0) return index;
  index = tally.classes.length;
  tally.classes.push(name);
  for (const row of tally.confusion) row.push(0);
  tally.confusion.push(new Array<number>(index + 1).fill(0));
  tally.auc?.push({ positives: new Array<number>(AUC_BINS).fill(0), negatives: new Array<number>(AUC_BINS).fill(0) });
  return index;
}

/** One batch of rows, with classes as indices into the tally (-1: no label, the row is not counted). */
export interface ClassifiedRows {
  readonly actual: Int32Array;
  readonly predicted: Int32Array;
  /** Per class index, that class's probability column (missing: no probability for it). */
  readonly probabilities: readonly (ArrayLike<number> | undefined)[] | undefined;
  /** The rows to count; all when undefined. */
  readonly rows?: readonly number[];
}

/** Adds a batch to the tally: column by column over typed arrays, no call per row. */
export function tallyClassified(tally: ClassificationTally, batch: ClassifiedRows): void {
  const { actual, predicted, rows } = batch;
  const count = rows === undefined ? actual.length : rows.length;
  const confusion = tally.confusion;
  for (let r = 0; r < count; r++) {
    const i = rows === undefined ? r : (rows[r] as number);
    const a = actual[i] as number;
    const p = predicted[i] as number;
    if (a < 0 || p < 0) continue;
    const row = confusion[a] as number[];
    row[p] = (row[p] as number) + 1;
  }
  const probabilities = batch.probabilities;
  if (probabilities === undefined || tally.auc === null) return;
  let logLoss = 0;
  let counted = 0;
  for (let r = 0; r < count; r++) {
    const i = rows === undefined ? r : (rows[r] as number);
    const a = actual[i] as number;
    if (a < 0 || (predicted[i] as number) < 0) continue;
    logLoss -= Math.log(clip(probabilities[a]?.[i] ?? 0));
    counted++;
  }
  tally.log_loss_sum += logLoss;
  tally.log_loss_rows += counted;
  for (let c = 0; c < tally.classes.length; c++) {
    const column = probabilities[c];
    const histograms = tally.auc[c];
    if (column === undefined || histograms === undefined) continue;
    const { positives, negatives } = histograms;
    for (let r = 0; r < count; r++) {
      const i = rows === undefined ? r : (rows[r] as number);
      const a = actual[i] as number;
      if (a < 0 || (predicted[i] as number) < 0) continue;
      const bin = Math.min(Math.max((column[i] as number) * AUC_BINS, 0), AUC_BINS - 1) | 0;
      if (a === c) positives[bin] = (positives[bin] as number) + 1;
      else negatives[bin] = (negatives[bin] as number) + 1;
    }
  }
}

function clip(p: number): number {
  return Number.isNaN(p) ? LOG_LOSS_EPS : Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p));
}

/** Adds `other` into `into` (classes matched by name). */
export function mergeClassification(into: ClassificationTally, other: ClassificationTally): void {
  const map = other.classes.map((name) => classIndex(into, name));
  other.confusion.forEach((row, a) => row.forEach((count, p) => {
    const target = into.confusion[map[a] as number] as number[];
    target[map[p] as number] = (target[map[p] as number] as number) + count;
  }));
  into.log_loss_sum += other.log_loss_sum;
  into.log_loss_rows += other.log_loss_rows;
  if (into.auc === null || other.auc === null) return;
  other.auc.forEach((histograms, c) => {
    const target = into.auc?.[map[c] as number];
    if (target === undefined) return;
    histograms.positives.forEach((count, bin) => (target.positives[bin] = (target.positives[bin] as number) + count));
    histograms.negatives.forEach((count, bin) => (target.negatives[bin] = (target.negatives[bin] as number) + count));
  });
}

export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface ClassificationMetrics {
  readonly task: 'classification';
  readonly rows: number;
  readonly accuracy: number | null;
  readonly precision_macro: number | null;
  readonly recall_macro: number | null;
  readonly f1_macro: number | null;
  readonly f1_weighted: number | null;
  readonly log_loss: number | null;
  /** Binary: the positive (second, in sorted order) class's score; more classes: one-vs-rest, macro average. */
  readonly roc_auc: number | null;
  readonly per_class: Readonly<Record<string, ClassMetrics>>;
  /** Rows: actual class; columns: predicted class; both in `labels` order (sorted). */
  readonly confusion_matrix: { readonly labels: readonly string[]; readonly counts: readonly (readonly number[])[] };
}

/** Metrics as scikit-learn defines them (zero_division 0; macro averages over classes that were seen or predicted). */
export function classificationMetrics(tally: ClassificationTally): ClassificationMetrics {
  const order = tally.classes.map((name, index) => ({ name, index })).sort((a, b) => compareLabels(a.name, b.name));
  const k = order.length;
  const cell = (a: number, p: number): number => (tally.confusion[(order[a] as { index: number }).index] as number[])[(order[p] as { index: number }).index] as number;
  let total = 0;
  let correct = 0;
  const perClass: Record<string, ClassMetrics> = {};
  const f1s: number[] = [];
  const precisions: number[] = [];
  const recalls: number[] = [];
  const supports: number[] = [];
  for (let c = 0; c < k; c++) {
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += cell(c, j);
      predicted += cell(j, c);
    }
    const tp = cell(c, c);
    total += support;
    correct += tp;
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[(order[c] as { name: string }).name] = { precision, recall, f1, support };
    f1s.push(f1);
    precisions.push(precision);
    recalls.push(recall);
    supports.push(support);
  }
  const mean = (values: number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
  return {
    task: 'classification',
    rows: total,
    accuracy: total === 0 ? null : correct / total,
    precision_macro: mean(precisions),
    recall_macro: mean(recalls),
    f1_macro: mean(f1s),
    f1_weighted: total === 0 ? null : f1s.reduce((sum, f1, c) => sum + f1 * (supports[c] as number), 0) / total,
    log_loss: tally.log_loss_rows === 0 ? null : tally.log_loss_sum / tally.log_loss_rows,
    roc_auc: rocAuc(tally, order.map((entry) => entry.index)),
    per_class: perClass,
    confusion_matrix: { labels: order.map((entry) => entry.name), counts: order.map((_, a) => order.map((__, p) => cell(a, p))) },
  };
}

function rocAuc(tally: ClassificationTally, sorted: readonly number[]): number | null {
  if (tally.auc === null || sorted.length < 2) return null;
  const aucOf = (c: number): number | null => {
    const histograms = tally.auc?.[c];
    return histograms === undefined ? null : binnedAuc(histograms.positives, histograms.negatives);
  };
  if (sorted.length === 2) return aucOf(sorted[1] as number);
  const values = sorted.map(aucOf);
  if (values.some((value) => value === null)) return null;
  return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
}

/** Probability that a random positive scores above a random negative (ties, here a shared bin, count half). */
export function binnedAuc(positives: readonly number[], negatives: readonly number[]): number | null {
  let below = 0;
  let wins = 0;
  let pos = 0;
  for (let bin = 0; bin < positives.length; bin++) {
    const p = positives[bin] as number;
    const n = negatives[bin] as number;
    wins += p * (below + n / 2);
    below += n;
    pos += p;
  }
  return pos === 0 || below === 0 ? null : wins / (pos * below);
}

/** Labels sort as numbers when both are numbers (0, 1, 10), else as text, like scikit-learn's classes_. */
export function compareLabels(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}
