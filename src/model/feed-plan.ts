// Model stage: which columns feed which model input, from the column names or a declared mapping;
// build-feeds.ts turns each chunk into tensors by this plan.
import { InputError, ModelError, quoteNames } from '../errors.js';
import type { MissingDecision } from './missing-values.js';
import type { ElementType, TensorSignature } from './session.js';

const FEEDABLE: ReadonlySet<ElementType> = new Set(['float32', 'float64', 'float16', 'int32', 'int64', 'bool', 'string']);
const NUMERIC_TARGETS: ReadonlySet<ElementType> = new Set(['float32', 'float64', 'float16', 'int32', 'int64', 'bool']);

/** How one model input is assembled from columns. */
export interface InputFeed {
  readonly input: string;
  readonly type: ElementType;
  readonly columns: readonly string[];
  /** Tensor rank: 1 for [N], 2 for [N,1] or [N,K]; for a tensor column, 1 + its per-row rank. */
  readonly rank: number;
  /** Set when one tensor column (an image, token ids) feeds the input: the shape of each row. */
  readonly rowShape?: readonly number[];
}

/** How every model input is fed. */
export interface FeedPlan {
  readonly feeds: readonly InputFeed[];
  /** Set when the model's batch dimension is a fixed number. */
  readonly fixedBatch: number | undefined;
  /** Columns the model reads as numbers (text sources parse them into typed arrays). */
  readonly numericColumns: ReadonlySet<string>;
  readonly mapping: 'by-name' | 'features' | 'all-columns' | 'pipeline';
  /**
   * Per float model input: whether a missing, NaN or infinite value is fed or makes the row bad
   * (decided from --missing and the graph when the run is planned). An input with no entry is fed as it is.
   */
  readonly missing: Readonly<Record<string, MissingDecision>>;
}

export interface FeedRequest {
  readonly inputs: readonly TensorSignature[];
  readonly columnNames: readonly string[];
  /** Columns for a single [N,K] input, in order (--features). */
  readonly features: readonly string[] | undefined;
  /** The files that messages name: the model, the input whose columns these are, the spec. */
  readonly files?: FeedFiles;
}

/** The files a feed error names: model errors name the model, column errors the input. */
export interface FeedFiles {
  readonly model: string;
  readonly input: string;
  readonly spec?: string;
}

const UNNAMED: FeedFiles = { model: 'the model', input: 'the input' };

/** Decides, from the model's inputs and the file's columns, how each input is fed. */
export function planFeeds(request: FeedRequest): FeedPlan {
  const { inputs, columnNames, features } = request;
  const files = request.files ?? UNNAMED;
  for (const input of inputs) checkFeedable(input, files);
  const fixedBatch = fixedBatchOf(inputs, files);
  let feeds: InputFeed[];
  let mapping: FeedPlan['mapping'];
  const only = inputs.length === 1 ? inputs[0] : undefined;
  if (features !== undefined && features.length > 0) {
    if (only === undefined) {
      throw new ModelError('MODEL_SIGNATURE', `--features feeds one [N,K] input, but model ${files.model} has ${inputs.length} inputs: ${describeInputs(inputs)}`, {
        hint: 'drop --features: inputs named like columns are fed by name',
      });
    }
    feeds = [matrixFeed(only, features, columnNames, files)];
    mapping = 'features';
  } else if (inputs.every((input) => columnNames.includes(input.name))) {
    feeds = inputs.map((input) => columnFeed(input, files));
    mapping = 'by-name';
  } else if (only !== undefined && only.shape.length === 2 && only.shape[1] === columnNames.length) {
    feeds = [matrixFeed(only, columnNames, columnNames, files)];
    mapping = 'all-columns';
  } else {
    throw ambiguous(inputs, columnNames, files);
  }
  const numericColumns = new Set<string>();
  for (const feed of feeds) if (NUMERIC_TARGETS.has(feed.type)) for (const column of feed.columns) numericColumns.add(column);
  return { feeds, fixedBatch, numericColumns, mapping, missing: {} };
}

/** A model input as a preprocessing spec declares it. */
export interface DeclaredFeed {
  readonly columns: readonly string[];
  readonly dtype: ElementType | undefined;
  readonly shape: 'matrix' | 'column' | 'vector' | undefined;
  /** Set when the one column is a tensor column (from an image or tokenize step). */
  readonly tensor?: { readonly dtype: ElementType; readonly shape: readonly number[] };
}

/**
 * Checks declared feeds against the model's signature (names, element types, ranks, widths) and
 * plans them; any mismatch shows the model's signature next to the declaration.
 */
export function planDeclaredFeeds(inputs: readonly TensorSignature[], declared: Readonly<Record<string, DeclaredFeed>>, files: FeedFiles = UNNAMED): FeedPlan {
  const problems: string[] = [];
  for (const name of Object.keys(declared)) {
    if (!inputs.some((input) => input.name === name)) problems.push(`the spec declares input '${name}', which the model does not have`);
  }
  const feeds: InputFeed[] = [];
  for (const input of inputs) {
    const feed = declared[input.name];
    if (feed?.tensor !== undefined) {
      const problem = tensorMismatch(input, feed.tensor);
      // Token ids (int64) feed an int32 input as int32: models exported for 32-bit ids take them so.
      if (problem === undefined) feeds.push({ input: input.name, type: narrowsToInt32(input, feed.tensor) ? 'int32' : feed.tensor.dtype, columns: feed.columns, rank: 1 + feed.tensor.shape.length, rowShape: feed.tensor.shape });
      else problems.push(`input '${input.name}': ${problem}`);
      continue;
    }
    checkFeedable(input, files);
    if (feed === undefined) {
      problems.push(`model input '${input.name}' is not declared in the spec's inputs`);
      continue;
    }
    const type = input.type ?? 'float32';
    const width = input.shape[1];
    const shape = feed.shape ?? (input.shape.length === 1 ? 'vector' : width === 1 && feed.columns.length === 1 ? 'column' : 'matrix');
    const declaredShape = shape === 'vector' ? '[N]' : shape === 'column' ? '[N,1]' : `[N,${feed.columns.length}]`;
    if (feed.dtype !== undefined && feed.dtype !== type) problems.push(`input '${input.name}': the spec says ${feed.dtype}, the model takes ${type}`);
    const rankFits = shape === 'vector' ? input.shape.length === 1 : input.shape.length === 2;
    const widthFits = typeof width !== 'number' || width === (shape === 'matrix' ? feed.columns.length : 1);
    if (!rankFits || !widthFits) problems.push(`input '${input.name}': the spec gives ${declaredShape} (${feed.columns.length} columns), the model takes [${input.shape.map((dim) => (dim === '' ? 'N' : dim)).join(',')}]`);
    feeds.push({ input: input.name, type, columns: feed.columns, rank: shape === 'vector' ? 1 : 2 });
  }
  if (problems.length > 0) {
    throw new ModelError('MODEL_SIGNATURE', `The inputs of pipeline spec ${files.spec ?? ''} do not fit model ${files.model}:\n  - ${problems.join('\n  - ')}`, {
      hint: `the model's inputs: ${describeInputs(inputs)}`,
    });
  }
  const numericColumns = new Set<string>();
  for (const feed of feeds) if (NUMERIC_TARGETS.has(feed.type)) for (const column of feed.columns) numericColumns.add(column);
  return { feeds, fixedBatch: fixedBatchOf(inputs, files), numericColumns, mapping: 'pipeline', missing: {} };
}

/** Why a tensor column (element type, per-row shape) cannot feed a model input, if it cannot. */
function tensorMismatch(input: TensorSignature, tensor: NonNullable<DeclaredFeed['tensor']>): string | undefined {
  const given = `${tensor.dtype} [N,${tensor.shape.join(',')}]`;
  const taken = `${input.type ?? 'non-tensor'} [${input.shape.map((dim) => (dim === '' ? 'N' : dim)).join(',')}]`;
  if (!input.isTensor || (input.type !== tensor.dtype && !narrowsToInt32(input, tensor))) return `the spec's steps make ${given}, the model takes ${taken}`;
  const rankFits = input.shape.length === tensor.shape.length + 1;
  const dimsFit = rankFits && tensor.shape.every((dim, i) => typeof input.shape[i + 1] !== 'number' || input.shape[i + 1] === dim);
  return dimsFit ? undefined : `the spec's steps make ${given}, the model takes ${taken}`;
}

/** An int64 tensor column (token ids, masks) feeding an int32 input: converted row by row, each value checked. */
function narrowsToInt32(input: TensorSignature, tensor: NonNullable<DeclaredFeed['tensor']>): boolean {
  return input.type === 'int32' && tensor.dtype === 'int64';
}

function checkFeedable(input: TensorSignature, files: FeedFiles): void {
  if (!input.isTensor || input.type === undefined || !FEEDABLE.has(input.type)) {
    throw new ModelError('MODEL_SIGNATURE', `Model ${files.model}: input '${input.name}' has type ${input.type ?? 'non-tensor'}, which cannot be fed from columns`, {
      context: { modelInput: input.name },
      hint: `supported input types: ${[...FEEDABLE].join(', ')}`,
    });
  }
  if (input.shape.length === 0 || input.shape.length > 2) {
    throw new ModelError('MODEL_SIGNATURE', `Model ${files.model}: input '${input.name}' has shape [${input.shape.join(',')}]; only [N], [N,1] and [N,K] inputs can be fed from columns`, {
      context: { modelInput: input.name },
    });
  }
}

function fixedBatchOf(inputs: readonly TensorSignature[], files: FeedFiles): number | undefined {
  const sizes = new Set(inputs.map((input) => input.shape[0]).filter((dim): dim is number => typeof dim === 'number' && dim > 0));
  if (sizes.size > 1) {
    throw new ModelError('MODEL_SIGNATURE', `Model ${files.model}: its inputs disagree on the batch size: ${describeInputs(inputs)}`);
  }
  return sizes.values().next().value;
}

function columnFeed(input: TensorSignature, files: FeedFiles): InputFeed {
  const width = input.shape[1];
  if (input.shape.length === 2 && typeof width === 'number' && width !== 1) {
    throw new ModelError('MODEL_SIGNATURE', `Model ${files.model}: input '${input.name}' is named like a column but has shape [${input.shape.join(',')}]; a column feeds [N] or [N,1]`, {
      context: { modelInput: input.name },
      hint: 'use --features to choose the columns for this input',
    });
  }
  return { input: input.name, type: input.type ?? 'float32', columns: [input.name], rank: input.shape.length === 1 ? 1 : 2 };
}

function matrixFeed(input: TensorSignature, columns: readonly string[], columnNames: readonly string[], files: FeedFiles): InputFeed {
  const missing = columns.filter((column) => !columnNames.includes(column));
  if (missing.length > 0) {
    throw new InputError('SCHEMA_MISMATCH', `Input ${files.input} lacks columns that model input '${input.name}' needs: ${quoteNames(missing)}`, {
      context: { file: files.input, modelInput: input.name, ...(missing[0] === undefined ? {} : { column: missing[0] }) },
      hint: `the input's columns are: ${quoteNames(columnNames)}`,
    });
  }
  const width = input.shape[1];
  if (input.shape.length !== 2 || (typeof width === 'number' && width !== columns.length)) {
    throw new ModelError('MODEL_SIGNATURE', `Model ${files.model}: input '${input.name}' has shape [${input.shape.join(',')}], but ${columns.length} columns were given`, {
      context: { modelInput: input.name },
      hint: `name exactly ${typeof width === 'number' ? width : 'K'} columns with --features; run \`onnx-batch inspect\` on the model to see its inputs`,
    });
  }
  return { input: input.name, type: input.type ?? 'float32', columns, rank: 2 };
}

function describeInputs(inputs: readonly TensorSignature[]): string {
  return inputs.map((input) => `'${input.name}' ${input.type ?? 'non-tensor'} [${input.shape.map((dim) => (dim === '' ? 'N' : dim)).join(',')}]`).join(', ');
}

function ambiguous(inputs: readonly TensorSignature[], columnNames: readonly string[], files: FeedFiles): Error {
  const missing = inputs.filter((input) => !columnNames.includes(input.name)).map((input) => input.name);
  // --features only helps a model with one [N,K] input; a model fed by name needs the columns themselves.
  const next =
    inputs.length === 1 && inputs[0]?.shape.length === 2
      ? 'Name the columns of its single [N,K] input with --features a,b,c'
      : 'Rename the input columns to the model input names, or write a pipeline spec (-p) whose inputs: section says which columns feed each model input';
  return new InputError('SCHEMA_MISMATCH', `Cannot tell which columns of ${files.input} feed model ${files.model}: no column is named ${quoteNames(missing)}`, {
    context: { file: files.input },
    hint: `model inputs: ${describeInputs(inputs)}; input columns: ${quoteNames(columnNames)}. ${next}`,
  });
}
