// Pipeline: post-processing of prediction columns declared in the spec's outputs: argmax, threshold, top-k.
import { UsageError } from '../errors.js';
import type { Column } from '../shared/chunk.js';
import type { OutputSpec } from './spec.js';

/** The prediction columns of one model output, as the model stage names them. */
export interface OutputGroup {
  readonly output: string;
  readonly columns: readonly string[];
  readonly labels: readonly string[] | undefined;
}

/** Adds the declared derived columns to each batch of predictions. */
export interface PostProcess {
  /** Names of the columns added, in order. */
  readonly columnNames: readonly string[];
  apply(predictions: Map<string, Column>, rows: number): void;
}

/** One batch of an output's columns: value k of row i, and whether the values are float32. */
interface OutputBatch {
  readonly read: (k: number, i: number) => number;
  readonly rows: number;
  readonly float32: boolean;
}

type Derive = (batch: OutputBatch, predictions: Map<string, Column>) => void;

/** Compiles the outputs section against the model's output columns. */
export function compilePostProcess(outputs: Readonly<Record<string, OutputSpec>>, groups: readonly OutputGroup[]): PostProcess {
  const columnNames: string[] = [];
  const steps: { columns: readonly string[]; derive: Derive }[] = [];
  for (const [output, spec] of Object.entries(outputs)) {
    const group = groups.find((candidate) => candidate.output === output);
    if (group === undefined) continue;
    const labels = group.labels ?? group.columns.map((_, k) => String(k));
    const derives: Derive[] = [];
    if (spec.argmax !== undefined) {
      const name = add(columnNames, spec.argmax, `outputs.${output}.argmax`);
      derives.push(({ read, rows }, predictions) => {
        const values = new Array<string>(rows);
        for (let i = 0; i < rows; i++) values[i] = labels[ranked(read, group.columns.length, i)[0] ?? 0] ?? '';
        predictions.set(name, { type: 'string', values });
      });
    }
    if (spec.threshold !== undefined) {
      const { value, positive, negative } = spec.threshold;
      const name = add(columnNames, spec.threshold.column, `outputs.${output}.threshold.column`);
      const last = group.columns.length - 1;
      derives.push(({ read, rows }, predictions) => {
        const values = new Array<string>(rows);
        for (let i = 0; i < rows; i++) values[i] = read(last, i) >= value ? positive : negative;
        predictions.set(name, { type: 'string', values });
      });
    }
    if (spec.top_k !== undefined) {
      const k = Math.min(spec.top_k.k, group.columns.length);
      const names = Array.from({ length: k }, (_, rank) => [
        add(columnNames, `${spec.top_k?.prefix}_${rank + 1}_label`, `outputs.${output}.top_k`),
        add(columnNames, `${spec.top_k?.prefix}_${rank + 1}_score`, `outputs.${output}.top_k`),
      ] as const);
      derives.push(({ read, rows, float32 }, predictions) => {
        const label = names.map(() => new Array<string>(rows));
        const score = names.map(() => new Float64Array(rows));
        for (let i = 0; i < rows; i++) {
          ranked(read, group.columns.length, i).slice(0, k).forEach((column, rank) => {
            (label[rank] as string[])[i] = labels[column] ?? String(column);
            (score[rank] as Float64Array)[i] = read(column, i);
          });
        }
        names.forEach(([labelName, scoreName], rank) => {
          predictions.set(labelName, { type: 'string', values: label[rank] as string[] });
          const values = score[rank] as Float64Array;
          predictions.set(scoreName, float32 ? { type: 'float32', values: Float32Array.from(values) } : { type: 'float64', values });
        });
      });
    }
    for (const derive of derives) steps.push({ columns: group.columns, derive });
  }
  return {
    columnNames,
    apply: (predictions, rows) => {
      for (const { columns, derive } of steps) {
        const sources = columns.map((name) => predictions.get(name));
        const read = (k: number, i: number): number => {
          const column = sources[k];
          return column === undefined || column.type === 'string' ? Number.NaN : Number(column.values[i]);
        };
        derive({ read, rows, float32: sources[0]?.type === 'float32' }, predictions);
      }
    },
  };
}

function add(names: string[], name: string, path: string): string {
  if (names.includes(name)) throw new UsageError('CONFIG_INVALID', `${path}: column '${name}' is written twice`, { hint: 'give each derived column its own name' });
  names.push(name);
  return name;
}

/** Column indexes of row i, highest value first (NaN last; ties keep column order). */
function ranked(read: (k: number, i: number) => number, width: number, i: number): number[] {
  const order = Array.from({ length: width }, (_, k) => k);
  return order.sort((a, b) => {
    const x = read(a, i);
    const y = read(b, i);
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
    if (Number.isNaN(y)) return -1;
    return y - x;
  });
}
