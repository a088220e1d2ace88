// Report: the observer the runner feeds each scored chunk: column statistics, drift bins and evaluation tallies.
import type { Column } from '../shared/chunk.js';
import { CategoricalStats, NumericStats, type ColumnStats, type ColumnSummary } from './column-stats.js';
import { computeDrift, psiEdges, type ColumnStatsSet, type DriftReport } from './drift.js';
import { Evaluation, groupResults, metricsOf, type EvaluationState, type EvaluationTarget, type Fairness, type GroupResult, type Metrics } from './evaluation.js';

/** What a run profiles, compares itself with and evaluates against. */
export interface MonitorOptions {
  /** The columns that feed the model, after the pipeline. */
  readonly featureColumns: readonly string[];
  /** The baseline's statistics and where they came from (--baseline). */
  readonly baseline?: { readonly path: string; readonly stats: ColumnStatsSet };
  /** With --label-column: how predictions are read, the label column and the optional group column. */
  readonly evaluation?: { readonly target: EvaluationTarget; readonly labelColumn: string; readonly groupBy: string | undefined };
}

/** The monitoring sections of a report (all but `stats` only when asked for). */
export interface MonitoringSections {
  readonly stats: ColumnStatsSet;
  readonly drift?: DriftReport;
  readonly metrics?: Metrics;
  readonly groups?: Readonly<Record<string, GroupResult>>;
  readonly fairness?: Fairness;
  readonly evaluation?: EvaluationState;
}

export class Monitor {
  private readonly features = new Map<string, ColumnStats>();
  private readonly predictions = new Map<string, ColumnStats>();
  private readonly evaluation: Evaluation | undefined;

  constructor(private readonly options: MonitorOptions) {
    const evaluation = options.evaluation;
    this.evaluation = evaluation === undefined ? undefined : new Evaluation(evaluation.target, evaluation.labelColumn, evaluation.groupBy);
  }

  /**
   * One scored batch, its rows aligned: `features` the model's inputs after the pipeline, `read` the
   * rows as read (where the label and group columns are), `predictions` the model's columns.
   */
  observe(batch: { readonly features: ReadonlyMap<string, Column>; readonly read: ReadonlyMap<string, Column>; readonly predictions: ReadonlyMap<string, Column>; readonly rows: number }): void {
    const { rows } = batch;
    if (rows === 0) return;
    for (const name of this.options.featureColumns) {
      const column = batch.features.get(name);
      if (column !== undefined) this.statsOf(this.features, column, 'features', name).observe(column, rows);
    }
    for (const [name, column] of batch.predictions) this.statsOf(this.predictions, column, 'predictions', name).observe(column, rows);
    const evaluation = this.options.evaluation;
    const labels = evaluation === undefined ? undefined : batch.read.get(evaluation.labelColumn);
    if (evaluation !== undefined && labels !== undefined) {
      this.evaluation?.observe(labels, evaluation.groupBy === undefined ? undefined : batch.read.get(evaluation.groupBy), batch.predictions, rows);
    }
  }

  private statsOf(map: Map<string, ColumnStats>, column: Column, role: 'features' | 'predictions', name: string): ColumnStats {
    let stats = map.get(name);
    if (stats === undefined) map.set(name, (stats = this.statsFor(column, role, name)));
    return stats;
  }

  private statsFor(column: Column, role: 'features' | 'predictions', name: string): ColumnStats {
    // Features: text is categorical. Predictions: any non-float column is a predicted label.
    const categorical = column.type === 'string' || (role === 'predictions' && column.type !== 'float32' && column.type !== 'float64');
    if (categorical) return new CategoricalStats();
    const base = this.options.baseline?.stats[role][name];
    return new NumericStats(base?.kind === 'numeric' ? psiEdges(base) : undefined);
  }

  sections(): MonitoringSections {
    const summaries = (map: Map<string, ColumnStats>): Record<string, ColumnSummary> => Object.fromEntries([...map].map(([name, stats]) => [name, stats.summary()]));
    const stats = { features: summaries(this.features), predictions: summaries(this.predictions) };
    return { ...monitoringOf(stats, this.evaluation?.state), ...(this.options.baseline === undefined ? {} : { drift: computeDrift(this.options.baseline.path, this.options.baseline.stats, stats) }) };
  }
}

/** Metrics, groups and fairness derived from statistics and evaluation tallies (also after `report merge`). */
export function monitoringOf(stats: ColumnStatsSet, evaluation: EvaluationState | undefined): MonitoringSections {
  if (evaluation === undefined) return { stats };
  const { groups, fairness } = groupResults(evaluation);
  return {
    stats,
    metrics: metricsOf(evaluation.tally),
    ...(evaluation.group_by === null ? {} : { groups }),
    ...(fairness === null ? {} : { fairness }),
    evaluation,
  };
}
