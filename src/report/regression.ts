// Report: regression metrics from sums that merge by adding (label variance merged as Chan et al. do).

/** What regression metrics are computed from. */
export interface RegressionTally {
  readonly task: 'regression';
  rows: number;
  sum_abs_error: number;
  sum_squared_error: number;
  /** Sum of |error| / max(|label|, machine epsilon), as scikit-learn's MAPE. */
  sum_abs_pct_error: number;
  label_mean: number;
  /** Sum of squared deviations of the label from its mean. */
  label_m2: number;
}

export interface RegressionMetrics {
  readonly task: 'regression';
  readonly rows: number;
  readonly mae: number | null;
  readonly rmse: number | null;
  readonly r2: number | null;
  /** Mean absolute percentage error, as a fraction (scikit-learn's convention: 0.05 is 5%). */
  readonly mape: number | null;
}

export function createRegressionTally(): RegressionTally {
  return { task: 'regression', rows: 0, sum_abs_error: 0, sum_squared_error: 0, sum_abs_pct_error: 0, label_mean: 0, label_m2: 0 };
}

/** Adds rows whose label and prediction are both finite numbers; `rows` picks a subset. */
export function tallyRegression(tally: RegressionTally, labels: ArrayLike<number>, predictions: ArrayLike<number>, rows?: readonly number[]): void {
  const count = rows === undefined ? labels.length : rows.length;
  let n = 0;
  let sum = 0;
  let absError = 0;
  let squaredError = 0;
  let pctError = 0;
  for (let r = 0; r < count; r++) {
    const i = rows === undefined ? r : (rows[r] as number);
    const y = labels[i] as number;
    const p = predictions[i] as number;
    if (y - y !== 0 || p - p !== 0) continue;
    const error = Math.abs(y - p);
    n++;
    absError += error;
    squaredError += error * error;
    pctError += error / Math.max(Math.abs(y), Number.EPSILON);
    sum += y;
  }
  if (n === 0) return;
  const mean = sum / n;
  let m2 = 0;
  for (let r = 0; r < count; r++) {
    const i = rows === undefined ? r : (rows[r] as number);
    const y = labels[i] as number;
    const p = predictions[i] as number;
    if (y - y !== 0 || p - p !== 0) continue;
    m2 += (y - mean) * (y - mean);
  }
  mergeRegression(tally, { task: 'regression', rows: n, sum_abs_error: absError, sum_squared_error: squaredError, sum_abs_pct_error: pctError, label_mean: mean, label_m2: m2 });
}

export function mergeRegression(into: RegressionTally, other: RegressionTally): void {
  const rows = into.rows + other.rows;
  if (rows === 0) return;
  const delta = other.label_mean - into.label_mean;
  into.label_m2 += other.label_m2 + (delta * delta * into.rows * other.rows) / rows;
  into.label_mean += (delta * other.rows) / rows;
  into.rows = rows;
  into.sum_abs_error += other.sum_abs_error;
  into.sum_squared_error += other.sum_squared_error;
  into.sum_abs_pct_error += other.sum_abs_pct_error;
}

export function regressionMetrics(tally: RegressionTally): RegressionMetrics {
  const n = tally.rows;
  if (n === 0) return { task: 'regression', rows: 0, mae: null, rmse: null, r2: null, mape: null };
  return {
    task: 'regression',
    rows: n,
    mae: tally.sum_abs_error / n,
    rmse: Math.sqrt(tally.sum_squared_error / n),
    // scikit-learn gives 0 for a constant label predicted imperfectly, 1 when perfect.
    r2: tally.label_m2 === 0 ? (tally.sum_squared_error === 0 ? 1 : 0) : 1 - tally.sum_squared_error / tally.label_m2,
    mape: tally.sum_abs_pct_error / n,
  };
}
