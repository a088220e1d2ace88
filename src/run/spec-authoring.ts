// Help for spec authors, beside the runner: check a spec against a model (and a sample), or draft one.
import { buildFeeds, loadModel, type InputFeed, type LoadedModel, type TensorSignature } from '../model/index.js';
import { planScoring, type PlanRequest } from './plan-scoring.js';
import { isNull, type ColumnChunk } from '../shared/chunk.js';
import { openSource, type InputFormat } from '../sources/index.js';
import { parseNumber } from '../shared/values.js';

const SAMPLE_ROWS = 1000;

export interface SpecToolRequest {
  readonly model: string;
  readonly pipeline: string | undefined;
  readonly sample: { readonly path: string; readonly format: InputFormat } | undefined;
  readonly delimiter: string;
}

/** What `pipeline check` found. */
export interface SpecCheck {
  readonly spec: string;
  readonly steps: number;
  readonly feeds: readonly InputFeed[];
  readonly outputColumns: readonly string[];
  /** Rows of the sample that went through the steps and into tensors. */
  readonly sampleRows: number | undefined;
}

async function withModel<T>(path: string, action: (model: LoadedModel) => Promise<T>): Promise<T> {
  const model = await loadModel(path, { threads: 1, executionProviders: [{ name: 'cpu', deviceId: undefined }], onFallback: () => undefined, killable: false });
  try {
    return await action(model);
  } finally {
    await model.session.close();
  }
}

async function readSample(request: SpecToolRequest): Promise<{ columnNames: readonly string[]; chunk: ColumnChunk | undefined }> {
  if (request.sample === undefined) return { columnNames: [], chunk: undefined };
  const source = await openSource(request.sample.format, { path: request.sample.path, delimiter: request.delimiter });
  try {
    const chunks = source.chunks({ chunkRows: SAMPLE_ROWS, rowOffset: 0, numericColumns: new Set() })[Symbol.asyncIterator]();
    const first = await chunks.next();
    return { columnNames: source.columnNames, chunk: first.done === true ? undefined : first.value };
  } finally {
    await source.close();
  }
}

/**
 * Validates the spec, checks it against the model's signature and, with a sample, against the
 * sample's columns and first rows (steps and tensor building, no inference).
 */
export async function checkSpec(request: SpecToolRequest): Promise<SpecCheck> {
  return withModel(request.model, async (model) => {
    const sample = await readSample(request);
    const job: PlanRequest = { model: request.model, pipeline: request.pipeline, features: undefined, keep: 'none', missing: 'auto', batchSize: 'auto' };
    const plan = await planScoring(job, model, { path: request.sample?.path ?? 'the sample', columnNames: sample.columnNames }, { requireSpec: true, assumeColumns: request.sample === undefined });
    const pipeline = plan.pipeline as NonNullable<typeof plan.pipeline>;
    if (sample.chunk !== undefined) buildFeeds(plan.feeds, pipeline.transform(sample.chunk), sample.chunk.rowCount);
    return {
      spec: pipeline.loaded.source.path,
      steps: pipeline.loaded.spec.steps.length,
      feeds: plan.feeds.feeds,
      outputColumns: plan.outputColumns,
      sampleRows: sample.chunk?.rowCount,
    };
  });
}

interface ColumnProfile {
  readonly name: string;
  readonly numeric: boolean;
  readonly nulls: number;
  /** Median of the sample's values (numeric columns). */
  readonly median: number | undefined;
  /** Distinct values, sorted, when there are few enough for a one-hot encoding (text columns). */
  readonly categories: readonly string[] | undefined;
}

const MAX_CATEGORIES = 20;

function profile(chunk: ColumnChunk | undefined, columnNames: readonly string[]): ColumnProfile[] {
  return columnNames.map((name) => {
    const column = chunk?.columns.get(name);
    const numbers: number[] = [];
    const distinct = new Set<string>();
    let nulls = 0;
    let numeric = column !== undefined;
    for (let i = 0; column !== undefined && i < (chunk?.rowCount ?? 0); i++) {
      if (isNull(column, i)) {
        nulls++;
        continue;
      }
      const text = column.type === 'string' ? (column.values[i] ?? '') : String(column.values[i]);
      const value = parseNumber(text);
      if (value === undefined) numeric = false;
      else numbers.push(value);
      if (distinct.size <= MAX_CATEGORIES) distinct.add(text);
    }
    numbers.sort((a, b) => a - b);
    const median = numbers.length === 0 ? undefined : ((numbers[(numbers.length - 1) >> 1] as number) + (numbers[numbers.length >> 1] as number)) / 2;
    const rows = (chunk?.rowCount ?? 0) - nulls;
    const categories = !numeric && distinct.size <= MAX_CATEGORIES && distinct.size < rows ? [...distinct].sort() : undefined;
    return { name, numeric, nulls, median: numeric ? median : undefined, categories };
  });
}

/** A starting spec (YAML) for a model and a sample: inputs wired to columns by name, numeric columns detected. */
export async function draftSpec(request: SpecToolRequest): Promise<string> {
  return withModel(request.model, async (model) => {
    const sample = await readSample(request);
    const columns = profile(sample.chunk, sample.columnNames);
    const lines = [
      `# Starting spec drafted by onnx-batch for ${request.model}${request.sample === undefined ? '' : ` and ${request.sample.path}`}.`,
      '# Edit it, then check it: onnx-batch pipeline check -m MODEL -p SPEC -i SAMPLE',
      '# Sample columns (type, missing values in the first rows):',
      ...columns.map((column) => `#   ${column.name}: ${column.numeric ? 'number' : 'text'}, ${column.nulls} missing`),
      'version: 1',
      'steps:',
      ...draftSteps(model.session.inputs, columns),
      'inputs:',
      ...model.session.inputs.flatMap((input) => draftInput(input, columns)),
    ];
    return `${lines.join('\n')}\n`;
  });
}

/** Steps for a model whose single [N,K] input needs a matrix: impute numbers with gaps, one-hot text with few values. */
function draftSteps(inputs: readonly TensorSignature[], columns: readonly ColumnProfile[]): string[] {
  if (!needsMatrix(inputs)) return ['  []  # the model takes its columns by name; add steps only if it expects transformed values'];
  const withGaps = columns.filter((column) => column.numeric && column.nulls > 0);
  const steps: string[] = [];
  if (withGaps.length > 0) {
    steps.push(
      '  # Missing values below are filled with the sample median: use the values the model was trained with.',
      `  - impute: { columns: ${flow(withGaps.map((column) => column.name))}, values: ${flow(withGaps.map((column) => column.median ?? 0))} }`,
    );
  }
  for (const column of columns) {
    if (column.categories === undefined) continue;
    steps.push(`  - one_hot: { column: ${key(column.name)}, categories: ${flow(column.categories)}, unknown: ignore }  # categories seen in the sample`);
  }
  return steps.length === 0 ? ['  []'] : steps;
}

function needsMatrix(inputs: readonly TensorSignature[]): boolean {
  const only = inputs.length === 1 ? inputs[0] : undefined;
  return only !== undefined && only.shape.length === 2 && only.shape[1] !== 1;
}

/** The columns a drafted [N,K] input could take: numbers, then the one-hot columns drafted above. */
function draftedColumns(columns: readonly ColumnProfile[]): string[] {
  return [
    ...columns.filter((column) => column.numeric).map((column) => column.name),
    ...columns.flatMap((column) => (column.categories ?? []).map((category) => `${column.name}=${category}`)),
  ];
}

function draftInput(input: TensorSignature, columns: readonly ColumnProfile[]): string[] {
  const type = input.type ?? 'float32';
  const width = input.shape[1];
  if (columns.some((column) => column.name === input.name) || width === 1 || input.shape.length === 1) {
    const column = columns.some((candidate) => candidate.name === input.name) ? input.name : 'COLUMN';
    const shape = input.shape.length === 1 ? '[N]' : '[N,1]';
    return [`  ${key(input.name)}: { columns: ${flow([column])}, dtype: ${type}, shape: ${shape} }`];
  }
  const candidates = draftedColumns(columns);
  const count = typeof width === 'number' ? width : candidates.length;
  const chosen = candidates.slice(0, count);
  const note =
    chosen.length < count
      ? `  # the model takes ${count} columns: add ${count - chosen.length} more (steps can make them)`
      : `  # ${count} of ${candidates.length} candidate columns: check which and in what order the model was trained on`;
  return [`  ${key(input.name)}: { columns: ${flow(chosen)}, dtype: ${type}, shape: [N,K] }${note}`];
}

function key(name: string): string {
  return /^[A-Za-z_][\w.-]*$/.test(name) ? name : JSON.stringify(name);
}

function flow(values: readonly (string | number)[]): string {
  return `[${values.map((value) => (typeof value === 'number' ? String(value) : key(value))).join(', ')}]`;
}
