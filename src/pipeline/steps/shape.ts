// Pipeline steps that shape the set of columns: select, rename, cast.
import { formatFloat64 } from '../../shared/values.js';
import { numbersColumn, readNumbers } from '../columns.js';
import type { CompiledStep, StepContext, StepOptions as Of } from './step.js';

export function compileSelect(step: Of<'select'>, context: StepContext): CompiledStep {
  const keep = new Set(step.columns.map((name, index) => context.needAny(name, `columns[${index}]`)));
  for (const name of [...context.available]) if (!keep.has(name)) context.remove(name);
  return {
    apply: (table) => {
      for (const name of [...table.keys()]) if (!keep.has(name)) table.delete(name);
    },
  };
}

export function compileRename(step: Of<'rename'>, context: StepContext): CompiledStep {
  const pairs = Object.entries(step.columns).map(([from, to]) => [context.needAny(from, `columns.${from}`), to] as const);
  const leaving = new Set(pairs.map(([from]) => from));
  for (const [from, to] of pairs) {
    if (context.available.has(to) && !leaving.has(to)) context.refuse(`columns.${from}`, `renaming '${from}' to '${to}' would overwrite the existing column '${to}'`);
  }
  const tensors = new Map(pairs.map(([from, to]) => [to, context.tensors.get(from)] as const));
  for (const [from] of pairs) context.remove(from);
  for (const [, to] of pairs) {
    const tensor = tensors.get(to);
    if (tensor === undefined) context.write(to);
    else context.writeTensor(to, tensor);
  }
  return {
    apply: (table) => {
      const moved = pairs.map(([from, to]) => [to, table.get(from)] as const);
      for (const [from] of pairs) table.delete(from);
      for (const [to, column] of moved) if (column !== undefined) table.set(to, column);
    },
  };
}

export function compileCast(step: Of<'cast'>, context: StepContext): CompiledStep {
  const names = step.columns.map((name, index) => context.need(name, `columns[${index}]`, step.to === 'float64'));
  const label = context.path;
  for (const name of names) context.write(name);
  return {
    apply: (table, chunk) => {
      for (const name of names) {
        if (step.to === 'float64') {
          const { values, nulls } = readNumbers(table, name, chunk, label);
          table.set(name, numbersColumn(values, nulls));
          continue;
        }
        const column = table.get(name);
        if (column === undefined || column.type === 'string') continue;
        const text = Array.from({ length: chunk.rowCount }, (_, i) =>
          column.nulls?.[i] === 1 ? null : column.type === 'bool' ? (column.values[i] === 1 ? 'true' : 'false') : formatFloat64(Number(column.values[i])),
        );
        table.set(name, { type: 'string', values: text });
      }
    },
  };
}
