// Model stage: which outputs are fetched, and output tensors -> prediction columns.
import { ModelError, quoteNames } from '../errors.js';
import type { Column } from '../shared/chunk.js';
import { fromFloat16Bits } from '../shared/half-float.js';
import type { ModelFile, SkippedOutput } from './model-file.js';
import type { TensorData, TensorSignature } from './session.js';

/** One fetched tensor and the column name(s) it becomes. */
export interface OutputEntry {
  /** Name of the tensor to fetch. */
  readonly fetch: string;
  /** Base name of its columns: the model output's name. */
  readonly column: string;
  /** Class labels naming the columns of an [N,K] output (`<column>_<label>`). */
  readonly labels: readonly string[] | undefined;
}

export interface OutputPlan {
  readonly entries: readonly OutputEntry[];
  readonly skipped: readonly SkippedOutput[];
}

/**
 * Decides what to fetch: every tensor output, and the probability tensor behind each ZipMap.
 * `labels` (from a pipeline spec) name the columns of an output, over the labels the model carries
 * (a ZipMap's, or the classifier's behind a probability tensor).
 */
export function planOutputs(outputs: readonly TensorSignature[], file: ModelFile, labels: Readonly<Record<string, readonly string[]>> = {}): OutputPlan {
  const entries: OutputEntry[] = [];
  for (const output of declaredSignatures(outputs, file)) {
    const zipMap = file.zipMaps.find((candidate) => candidate.output === output.name);
    if (zipMap !== undefined) {
      entries.push({ fetch: zipMap.tensor, column: zipMap.output, labels: labels[output.name] ?? zipMap.labels });
    } else if (output.isTensor) {
      entries.push({ fetch: output.name, column: output.name, labels: labels[output.name] ?? file.classLabels[output.name] });
    }
  }
  const unknown = Object.keys(labels).filter((name) => !entries.some((entry) => entry.column === name));
  if (unknown.length > 0) {
    throw new ModelError('MODEL_SIGNATURE', `The pipeline spec declares outputs that model ${file.path} does not have: ${quoteNames(unknown)}`, {
      hint: `the model's outputs: ${entries.map((entry) => `'${entry.column}'`).join(', ')}`,
    });
  }
  if (entries.length === 0) {
    throw new ModelError('MODEL_SIGNATURE', `Model ${file.path} has no output that can be fetched: ${file.skippedOutputs.map((skip) => skip.reason).join('; ')}`);
  }
  return { entries, skipped: file.skippedOutputs };
}

/** The runtime's outputs that the model file declares (not those added by a rewrite), in order. */
export function declaredSignatures(outputs: readonly TensorSignature[], file: ModelFile): TensorSignature[] {
  return file.declaredOutputs.flatMap((name) => outputs.filter((output) => output.name === name));
}

/** Column names of an output, as far as its declared shape tells before any row is scored. */
export function declaredColumnNames(entry: OutputEntry, declared: TensorSignature | undefined): string[] {
  const trailing = declared?.shape.slice(1) ?? [];
  const known = trailing.every((dim): dim is number => typeof dim === 'number');
  const width = entry.labels?.length ?? (known ? trailing.reduce((product, dim) => product * dim, 1) : 1);
  return Array.from({ length: width }, (_, k) => columnNameFor(entry, k, width));
}

function columnNameFor(entry: OutputEntry, k: number, width: number): string {
  if (width === 1) return entry.column;
  const label = entry.labels?.[k];
  return `${entry.column}_${label ?? k}`;
}

/**
 * Turns one batch's output tensors into prediction columns, keeping the first `rowCount` rows
 * (the rest is padding for models with a fixed batch size).
 */
export function toPredictionColumns(plan: OutputPlan, results: Readonly<Record<string, TensorData>>, rowCount: number, modelPath = 'the model'): Map<string, Column> {
  const columns = new Map<string, Column>();
  for (const entry of plan.entries) {
    const tensor = results[entry.fetch];
    if (tensor === undefined) throw new ModelError('MODEL_RUN_FAILED', `Model ${modelPath} did not return output '${entry.fetch}'`);
    const rows = tensor.dims[0];
    if (tensor.dims.length === 0 || rows === undefined || rows < rowCount) {
      throw new ModelError('MODEL_SIGNATURE', `Model ${modelPath}: output '${entry.fetch}' has shape [${tensor.dims.join(',')}], not one value or row per input row`, {
        hint: 'onnx-batch writes outputs whose first dimension is the batch',
      });
    }
    const width = tensor.dims.slice(1).reduce((product, dim) => product * dim, 1);
    if (entry.labels !== undefined && width !== entry.labels.length) {
      throw new ModelError('MODEL_SIGNATURE', `Model ${modelPath}: output '${entry.column}' has ${width} values per row but ${entry.labels.length} class labels`);
    }
    for (let k = 0; k < width; k++) columns.set(columnNameFor(entry, k, width), strided(tensor, k, width, rowCount));
  }
  return columns;
}

function strided(tensor: TensorData, k: number, width: number, rowCount: number): Column {
  const { data } = tensor;
  const pick = <T>(source: ArrayLike<T>, target: { length: number; [i: number]: T }): void => {
    for (let i = 0; i < rowCount; i++) target[i] = source[i * width + k] as T;
  };
  switch (tensor.type) {
    case 'float32': {
      const values = new Float32Array(rowCount);
      pick(data as Float32Array, values);
      return { type: 'float32', values };
    }
    case 'float16': {
      // The tensor holds float16 bit patterns; every float16 is exactly a float32.
      const values = new Float32Array(rowCount);
      const halves = data as Uint16Array;
      for (let i = 0; i < rowCount; i++) values[i] = fromFloat16Bits(halves[i * width + k] as number);
      return { type: 'float32', values };
    }
    case 'int64': {
      const values = new BigInt64Array(rowCount);
      pick(data as BigInt64Array, values);
      return { type: 'int64', values };
    }
    case 'uint64': {
      const values = new BigInt64Array(rowCount);
      pick(data as BigUint64Array, values);
      return { type: 'int64', values };
    }
    case 'int32': {
      const values = new Int32Array(rowCount);
      pick(data as Int32Array, values);
      return { type: 'int32', values };
    }
    case 'bool': {
      const values = new Uint8Array(rowCount);
      pick(data as Uint8Array, values);
      return { type: 'bool', values };
    }
    case 'string': {
      const values = new Array<string>(rowCount);
      pick(data as string[], values);
      return { type: 'string', values };
    }
    default: {
      // float64 and the small integer types: every value fits a float64 exactly.
      const values = new Float64Array(rowCount);
      const source = data as ArrayLike<number>;
      for (let i = 0; i < rowCount; i++) values[i] = Number(source[i * width + k]);
      return { type: 'float64', values };
    }
  }
}
