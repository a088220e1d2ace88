// Pipeline steps on numeric columns: impute, standardize, min_max, clip, log1p, bucketize. Arithmetic in float64.
import { numbersColumn, readNumbers } from '../columns.js';
import type { CompiledStep, StepContext, StepOptions as Of } from './step.js';

/** A step that maps each listed column through a per-column function of one value. */
function perColumn(context: StepContext, key: string, columns: readonly string[], makeFn: (index: number) => (value: number) => number, keepsNulls = true): CompiledStep {
  const names = columns.map((name, index) => context.need(name, `${key}[${index}]`, true));
  const label = context.path;
  for (const name of names) context.write(name);
  const fns = names.map((_, index) => makeFn(index));
  return {
    apply: (table, chunk) => {
      names.forEach((name, index) => {
        const fn = fns[index] as (value: number) => number;
        const { values, nulls } = readNumbers(table, name, chunk, label);
        const out = new Float64Array(values.length);
        for (let i = 0; i < values.length; i++) out[i] = fn(values[i] as number);
        table.set(name, numbersColumn(out, keepsNulls ? nulls : undefined));
      });
    },
  };
}

export function compileImpute(step: Of<'impute'>, context: StepContext): CompiledStep {
  // NaN counts as missing too, as in scikit-learn's SimpleImputer(missing_values=np.nan).
  return perColumn(context, 'columns', step.columns, (index) => {
    const fill = step.values[index] as number;
    return (value) => (Number.isNaN(value) ? fill : value);
  }, false);
}

export function compileStandardize(step: Of<'standardize'>, context: StepContext): CompiledStep {
  return perColumn(context, 'columns', step.columns, (index) => {
    const mean = step.mean[index] as number;
    const scale = step.scale[index] as number;
    return (value) => (value - mean) / scale;
  });
}

export function compileMinMax(step: Of<'min_max'>, context: StepContext): CompiledStep {
  const [low, high] = step.range;
  return perColumn(context, 'columns', step.columns, (index) => {
    const min = step.min[index] as number;
    const span = (step.max[index] as number) - min;
    return (value) => ((value - min) / span) * (high - low) + low;
  });
}

export function compileClip(step: Of<'clip'>, context: StepContext): CompiledStep {
  const min = step.min ?? Number.NEGATIVE_INFINITY;
  const max = step.max ?? Number.POSITIVE_INFINITY;
  return perColumn(context, 'columns', step.columns, () => (value) => (value < min ? min : value > max ? max : value));
}

export function compileLog1p(step: Of<'log1p'>, context: StepContext): CompiledStep {
  return perColumn(context, 'columns', step.columns, () => Math.log1p);
}

/** Bucket index = how many edges are <= the value (bins closed on the left), as numpy.digitize. */
export function compileBucketize(step: Of<'bucketize'>, context: StepContext): CompiledStep {
  const source = context.need(step.column, 'column', true);
  const label = context.path;
  const output = context.write(step.output);
  const edges = Float64Array.from(step.edges);
  return {
    apply: (table, chunk) => {
      const { values, nulls } = readNumbers(table, source, chunk, label);
      const out = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const value = values[i] as number;
        if (Number.isNaN(value)) {
          out[i] = Number.NaN;
          continue;
        }
        let low = 0;
        let high = edges.length;
        while (low < high) {
          const mid = (low + high) >> 1;
          if ((edges[mid] as number) <= value) low = mid + 1;
          else high = mid;
        }
        out[i] = low;
      }
      table.set(output, numbersColumn(out, nulls));
    },
  };
}
