// Pipeline step image: a column of image paths -> one tensor per row ([C,H,W] or [H,W,C], float32 or
// float16), decoded and normalised in worker threads (image-decode.ts). A path that is missing, leaves
// the image folder, or does not decode makes its row bad, with the path and the decoder's message.
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { badValueError, rejectRow, type Column, type ColumnChunk } from '../../shared/chunk.js';
import { WorkerPool } from '../../shared/worker-pool.js';
import type { DecodeReply, DecodeRequest, PixelOptions } from './image-decode.js';
import type { CompiledStep, StepContext, StepOptions as Of } from './step.js';

const DECODER = new URL('./image-decode.js', import.meta.url);

export function compileImage(step: Of<'image'>, context: StepContext): CompiledStep {
  const source = context.need(step.column, 'column');
  const { column: _column, root, output, ...options } = step;
  const size = outputSize(step);
  const channels = step.color === 'grayscale' ? 1 : 3;
  const shape = step.layout === 'nchw' ? [channels, size.height, size.width] : [size.height, size.width, channels];
  const name = context.writeTensor(output, { dtype: step.dtype, shape });
  const fixedRoot = root === undefined ? undefined : context.resolveSpecPath(root);
  const pool = new WorkerPool<DecodeRequest, DecodeReply>(DECODER, Math.max(1, context.decodeWorkers));
  const label = context.path;
  const values = channels * size.height * size.width;
  return {
    offThread: true,
    apply: async (table, chunk) => {
      const folder = fixedRoot ?? inputFolder(chunk);
      const cells = textsOf(table.get(source) as Column, chunk.rowCount);
      // Problems are reported in row order once all are known: with --on-error fail, the first bad row stops the run.
      const problems: { row: number; problem: string }[] = [];
      const paths = cells.map((cell, row) => {
        const problem = cell === null || cell === '' ? 'a missing image path' : escapes(folder, cell) ? `the path leaves the image folder ${folder}` : undefined;
        if (problem === undefined) return resolve(folder, cell as string);
        problems.push({ row, problem });
        return null;
      });
      const replies = await Promise.all(slices(paths, pool.size).map((part) => pool.run({ paths: part, options: options as PixelOptions, size: values, root: folder })));
      const tensor = step.dtype === 'float16' ? new Uint16Array(chunk.rowCount * values) : new Float32Array(chunk.rowCount * values);
      let row = 0;
      for (const reply of replies) {
        tensor.set(reply.values, row * values);
        reply.errors.forEach((error, k) => {
          if (error !== null) problems.push({ row: row + k, problem: `cannot read image ${cells[row + k] ?? ''}: ${error}` });
        });
        row += reply.errors.length;
      }
      for (const { row: i, problem } of problems.sort((a, b) => a.row - b.row)) reject(chunk, i, source, label, problem, cells[i] ?? '');
      table.set(name, tensor instanceof Uint16Array ? { type: 'tensor', dtype: 'float16', shape, values: tensor } : { type: 'tensor', dtype: 'float32', shape, values: tensor });
    },
    close: () => pool.close(),
  };
}

/** The size every image comes out at: the crop, else the exact resize (the spec reader requires one). */
function outputSize(step: Of<'image'>): { height: number; width: number } {
  if (step.crop !== undefined) return step.crop;
  if (step.resize !== undefined && 'height' in step.resize) return step.resize;
  return { height: 0, width: 0 };
}

/** Relative paths in the column start from the input file's folder (stdin: the working directory). */
function inputFolder(chunk: ColumnChunk): string {
  return chunk.origin.source === '-' ? process.cwd() : dirname(resolve(chunk.origin.source));
}

/** True when `path` resolves outside `folder` (`..`, or an absolute path elsewhere). Links are checked by the decoder. */
function escapes(folder: string, path: string): boolean {
  const inside = relative(folder, resolve(folder, path));
  return inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
}

function textsOf(column: Column, rows: number): (string | null)[] {
  if (column.type === 'string') return column.values.slice(0, rows) as (string | null)[];
  return Array.from({ length: rows }, () => null);
}

/** Contiguous parts, one per worker, so each worker's reply lands in one block. */
function slices<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function reject(chunk: ColumnChunk, i: number, column: string, label: string, problem: string, path: string): void {
  const hint = 'fix or remove the file, or the path in the input; with --on-error skip such rows go to the rejects file';
  rejectRow(chunk, i, { column, reason: `${problem} (${label})`, value: path }, () => badValueError(chunk, i, column, problem, path, { label, hint }));
}
