// Pipeline steps on numeric columns: impute, standardize, min_max, clip, log1p, bucketize. Arithmetic in float64.
import { numbersColumn, readNumbers } from '../columns.js';
import type { CompiledStep, StepContext, StepOptions as Of } from './step.js';

/** Writes out[i] from values[i] for every row: one loop per step, so no call per value. */
type Kernel = (values: Float64Array, out: Float64Array) => void;

/** A step that maps each listed column through its own kernel. */
function perColumn(context: StepContext, key: string, columns: readonly string[], makeKernel: (index: number) => Kernel, keepsNulls = true): CompiledStep {
  const names = columns.map((name, index) => context.need(name, `${key}[${index}]`, true));
  const label = context.path;
  for (const name of names) context.write(name);
  const kernels = names.map((_, index) => makeKernel(index));
  return {
    apply: (table, chunk) => {
      names.forEach((name, index) => {
        const { values, nulls } = readNumbers(table, name, chunk, label);
        // Kernels go element by element, so they may write over what they read.
        const out = table.writableValues(values);
        (kernels[index] as Kernel)(values, out);
        table.set(name, numbersColumn(out, keepsNulls ? nulls : undefined));
      });
    },
  };
}

export function compileImpute(step: Of<'impute'>, context: StepContext): CompiledStep {
  // NaN counts as missing too, as in scikit-learn's SimpleImputer(missing_values=np.nan).
  return perColumn(context, 'columns', step.columns, (index) => {
    const fill = step.values[index] as number;
    return (values, out) => {
      for (let i = 0; i < values.length; i++) {
        const value = values[i] as number;
        out[i] = Number.isNaN(value) ? fill : value;
      }
    };
  }, false);
}

export function compileStandardize(step: Of<'standardize'>, context: StepContext): CompiledStep {
  return perColumn(context, 'columns', step.columns, (index) => {
    const mean = step.mean[index] as number;
    const scale = step.scale[index] as number;
    return (values, out) => {
      for (let i = 0; i < values.length; i++) out[i] = ((values[i] as number) - mean) / scale;
    };
  });
}

export function compileMinMax(step: Of<'min_max'>, context: StepContext): CompiledStep {
  const [low, high] = step.range;
  return perColumn(context, 'columns', step.columns, (index) => {
    const min = step.min[index] as number;
    const span = (step.max[index] as number) - min;
    return (values, out) => {
      for (let i = 0; i < values.length; i++) out[i] = (((values[i] as number) - min) / span) * (high - low) + low;
    };
  });
}

export function compileClip(step: Of<'clip'>, context: StepContext): CompiledStep {
  const min = step.min ?? Number.NEGATIVE_INFINITY;
  const max = step.max ?? Number.POSITIVE_INFINITY;
  return perColumn(context, 'columns', step.columns, () => (values, out) => {
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as number;
      out[i] = value < min ? min : value > max ? max : value;
    }
  });
}

export function compileLog1p(step: Of<'log1p'>, context: StepContext): CompiledStep {
  return perColumn(context, 'columns', step.columns, () => (values, out) => {
    for (let i = 0; i < values.length; i++) out[i] = Math.log1p(values[i] as number);
  });
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
      const out = table.newValues(values.length);
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
