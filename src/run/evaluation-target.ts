// The runner: how --label-column reads the model's predictions (classification or regression), from its outputs.
import { outputColumns } from '../model/index.js';
import type { EvaluationTarget } from '../report/index.js';
import type { ScoringPlan } from './plan-scoring.js';

/**
 * A model with a label output (int or string, one column) or a probability output (float, 2 or more
 * columns) is a classifier; one with a single float column a regressor. `warn` hears why
 * probabilities are left out (class names unknown for string labels).
 */
export function evaluationTarget(plan: Pick<ScoringPlan, 'model'>, warn: (message: string) => void): EvaluationTarget | undefined {
  const outputs = outputColumns(plan.model).map((group, i) => {
    const fetch = plan.model.outputs.entries[i]?.fetch;
    const type = plan.model.session.outputs.find((output) => output.name === fetch)?.type;
    return { ...group, float: type === 'float32' || type === 'float64' || type === 'float16' };
  });
  const label = outputs.find((output) => !output.float && output.columns.length === 1);
  const probabilities = outputs.find((output) => output.float && output.columns.length >= 2);
  if (label === undefined && probabilities === undefined) {
    const value = outputs.find((output) => output.float && output.columns.length === 1);
    return value === undefined ? undefined : { task: 'regression', column: value.columns[0] as string };
  }
  let classes = probabilities?.columns.map((column, k) => ({ className: probabilities.labels?.[k] ?? String(k), column })) ?? [];
  const labelType = label === undefined ? undefined : plan.model.session.outputs.find((output) => output.name === plan.model.outputs.entries[outputs.indexOf(label)]?.fetch)?.type;
  if (labelType === 'string' && probabilities !== undefined && probabilities.labels === undefined) {
    warn(`log loss and ROC AUC are left out: the model's label '${label?.output}' is text, and the columns of '${probabilities.output}' are not named by class (declare outputs.${probabilities.output}.labels in a pipeline spec)`);
    classes = [];
  }
  return { task: 'classification', labelColumn: label?.columns[0], probabilities: classes };
}
