// Pipeline steps on categorical columns: one_hot and ordinal, with declared categories.
import { rejectValue } from '../../shared/chunk.js';
import { formatFloat64 } from '../../shared/values.js';
import { categoryKeys, numbersColumn } from '../columns.js';
import type { Category } from '../spec.js';
import type { CompiledStep, StepContext, StepOptions as Of } from './step.js';

/** Column name for a category: `<column>=<category>` (numbers in their shortest form: `Pclass=1`). */
export function oneHotName(column: string, category: Category): string {
  return `${column}=${typeof category === 'number' ? formatFloat64(category) : category}`;
}

/** Lookup from a cell's key to the category index; numeric categories match numbers ("1" and 1.0 alike). */
function categoryIndex(categories: readonly Category[]): { numeric: boolean; index: Map<string | number, number> } {
  const numeric = categories.every((category) => typeof category === 'number');
  const index = new Map<string | number, number>();
  categories.forEach((category, i) => index.set(numeric ? category : String(typeof category === 'number' ? formatFloat64(category) : category), i));
  return { numeric, index };
}

function describeCategories(categories: readonly Category[]): string {
  const shown = categories.slice(0, 10).map((category) => JSON.stringify(category)).join(', ');
  return categories.length > 10 ? `${shown}, ... (${categories.length} in all)` : shown;
}

export function compileOneHot(step: Of<'one_hot'>, context: StepContext): CompiledStep {
  const source = context.need(step.column, 'column');
  const label = context.path;
  const { numeric, index } = categoryIndex(step.categories);
  const names = step.categories.map((category) => context.write(oneHotName(step.column, category)));
  const unknownName = step.unknown === 'extra' ? context.write(`${step.column}=__unknown__`) : undefined;
  const nullName = step.nulls === 'category' ? context.write(`${step.column}=__null__`) : undefined;
  return {
    apply: (table, chunk) => {
      const rows = chunk.rowCount;
      const keys = categoryKeys(table.get(source) ?? { type: 'string', values: [] }, rows, numeric);
      const outputs = names.map(() => table.newValues(rows));
      const unknown = unknownName === undefined ? undefined : table.newValues(rows);
      const nulls = nullName === undefined ? undefined : table.newValues(rows);
      for (let i = 0; i < rows; i++) {
        const key = keys[i] ?? null;
        if (key === null) {
          if (step.nulls === 'error') rejectValue(chunk, i, source, `a missing value, which ${label} does not allow`, '', { label });
          if (nulls !== undefined) nulls[i] = 1;
          continue;
        }
        const at = index.get(key);
        if (at !== undefined) {
          (outputs[at] as Float64Array)[i] = 1;
        } else if (step.unknown === 'error') {
          rejectValue(chunk, i, source, `an unknown category (known: ${describeCategories(step.categories)})`, String(key), { label });
        } else if (unknown !== undefined) {
          unknown[i] = 1;
        }
      }
      names.forEach((name, k) => table.set(name, numbersColumn(outputs[k] as Float64Array, undefined)));
      if (unknownName !== undefined && unknown !== undefined) table.set(unknownName, numbersColumn(unknown, undefined));
      if (nullName !== undefined && nulls !== undefined) table.set(nullName, numbersColumn(nulls, undefined));
    },
  };
}

export function compileOrdinal(step: Of<'ordinal'>, context: StepContext): CompiledStep {
  const source = context.need(step.column, 'column');
  const label = context.path;
  const { numeric, index } = categoryIndex(step.categories);
  const output = context.write(step.output);
  const fallback = step.unknown_value;
  return {
    apply: (table, chunk) => {
      const rows = chunk.rowCount;
      const keys = categoryKeys(table.get(source) ?? { type: 'string', values: [] }, rows, numeric);
      const codes = table.newValues(rows);
      for (let i = 0; i < rows; i++) {
        const key = keys[i] ?? null;
        const code = key === null ? undefined : index.get(key);
        if (code !== undefined) {
          codes[i] = code;
        } else if (fallback !== undefined) {
          codes[i] = fallback;
        } else {
          const problem = key === null ? 'a missing value, and no unknown_value is set' : `an unknown category (known: ${describeCategories(step.categories)})`;
          rejectValue(chunk, i, source, problem, key === null ? '' : String(key), { label });
          codes[i] = Number.NaN;
        }
      }
      table.set(output, numbersColumn(codes, undefined));
    },
  };
}
