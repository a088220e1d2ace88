// Help for spec authors: `pipeline init` drafts a spec from a model, its folder's Hugging Face configs
// and a sample: image and text steps for path and free-text columns, one-hot and imputation for a
// single [N,K] input, and never an id or the label column as a feature.
import { dirname, relative, resolve } from 'node:path';
import type { LoadedModel, TensorSignature } from '../model/index.js';
import { isNull, type ColumnChunk } from '../shared/chunk.js';
import { parseNumber } from '../shared/values.js';
import { readModelFolder, type ImageProcessor, type ModelFolder } from './model-folder.js';
import { readSample, withModel, type SpecToolRequest } from './spec-authoring.js';

/** What a sample column looks like, and so what a draft does with it. */
type Role = 'number' | 'category' | 'text' | 'image' | 'id' | 'label' | 'other';

interface ColumnProfile {
  readonly name: string;
  readonly role: Role;
  readonly nulls: number;
  /** Median of the sample's values (numeric columns). */
  readonly median: number | undefined;
  /** Distinct values, sorted, when there are few enough for a one-hot encoding (text columns). */
  readonly categories: readonly string[] | undefined;
}

const MAX_CATEGORIES = 20;
const IMAGE_FILE = /\.(jpe?g|png|webp|gif|tiff?|bmp|avif)$/i;
/** Names that hold a row's identity, not a feature: id, PassengerId, customer_id, uuid, index. */
const ID_NAME = /^(id|uuid|guid|index|key)$|[_ -](id|uuid|key)$/i;
/** camelCase ids (PassengerId, orderID), not words that end in "id" (paid, valid). */
const CAMEL_ID = /[a-z0-9](Id|ID|Uuid|UUID|Key)$/;
/** Names that hold what the model predicts. */
const LABEL_NAME = /^(label|labels|target|class|y|outcome|ground_truth|truth)$/i;

/** A starting spec (YAML) for a model and a sample. */
export async function draftSpec(request: SpecToolRequest): Promise<string> {
  return withModel(request.model, async (model) => {
    const sample = await readSample(request);
    const folder = readModelFolder(request.model);
    const columns = profile(sample.chunk, sample.columnNames, classLabelsOf(model));
    const specFolder = request.output === undefined ? process.cwd() : dirname(resolve(request.output));
    const inputs = model.session.inputs;
    const lines = [
      `# Starting spec drafted by onnx-batch for ${request.model}${request.sample === undefined ? '' : ` and ${request.sample.path}`}.`,
      ...[folder.image?.path, folder.tokenizer?.path].filter((path) => path !== undefined).map((path) => `# Read from the model folder: ${path}`),
      '# Edit it, then check it: onnx-batch pipeline check -m MODEL -p SPEC -i SAMPLE',
      '# Sample columns (type, missing values in the first rows):',
      ...columns.map((column) => `#   ${column.name}: ${describeRole(column)}, ${column.nulls} missing`),
      'version: 1',
      'steps:',
      ...draftSteps(inputs, columns, folder, specFolder),
      'inputs:',
      ...inputs.flatMap((input) => draftInput(input, columns)),
    ];
    return `${lines.join('\n')}\n`;
  });
}

function describeRole(column: ColumnProfile): string {
  switch (column.role) {
    case 'id':
      return 'an id (not proposed as a feature)';
    case 'label':
      return 'the label (not proposed as a feature; pass it to score --label-column)';
    case 'image':
      return 'image paths';
    case 'text':
      return 'free text';
    case 'number':
      return 'number';
    default:
      return 'text';
  }
}

/** The model's class labels (a classifier's or a ZipMap's), to recognise a label column by its values. */
function classLabelsOf(model: LoadedModel): Set<string> {
  return new Set(model.outputs.entries.flatMap((entry) => entry.labels ?? []));
}

/**
 * Profiles the sample's columns. The label is a column named like one, else the one column whose
 * values are all among the model's classes (Titanic's Survived for a 0/1 classifier): several such
 * columns (0/1 features) leave the choice to the author.
 */
function profile(chunk: ColumnChunk | undefined, columnNames: readonly string[], classLabels: ReadonlySet<string>): ColumnProfile[] {
  const profiles = columnNames.map((name) => profileOne(chunk, name, classLabels));
  const named = profiles.some((column) => column.role === 'label');
  const ofClasses = profiles.filter((column) => column.ofClasses);
  return profiles.map(({ ofClasses: _, ...column }) => (!named && ofClasses.length === 1 && ofClasses[0]?.name === column.name ? { ...column, role: 'label', categories: undefined } : column));
}

function profileOne(chunk: ColumnChunk | undefined, name: string, classLabels: ReadonlySet<string>): ColumnProfile & { ofClasses: boolean } {
  const column = chunk?.columns.get(name);
  const numbers: number[] = [];
  const texts: string[] = [];
  let nulls = 0;
  for (let i = 0; column !== undefined && i < (chunk?.rowCount ?? 0); i++) {
    if (isNull(column, i)) {
      nulls++;
      continue;
    }
    const text = column.type === 'string' ? (column.values[i] ?? '') : column.type === 'tensor' ? '' : String(column.values[i]);
    texts.push(text);
    const value = parseNumber(text);
    if (value !== undefined) numbers.push(value);
  }
  const distinct = new Set(texts);
  const numeric = column !== undefined && texts.length > 0 && numbers.length === texts.length;
  const sorted = [...numbers].sort((a, b) => a - b);
  const median = sorted.length === 0 ? undefined : ((sorted[(sorted.length - 1) >> 1] as number) + (sorted[sorted.length >> 1] as number)) / 2;
  const few = distinct.size <= MAX_CATEGORIES && distinct.size < texts.length;
  const role = roleOf(name, { numeric, texts, numbers, distinct, few });
  const ofClasses = classLabels.size > 0 && distinct.size >= 2 && [...distinct].every((value) => classLabels.has(value));
  return { name, role, nulls, median: numeric ? median : undefined, categories: role === 'category' ? [...distinct].sort() : undefined, ofClasses };
}

interface Seen {
  readonly numeric: boolean;
  readonly texts: readonly string[];
  readonly numbers: readonly number[];
  readonly distinct: ReadonlySet<string>;
  readonly few: boolean;
}

function roleOf(name: string, seen: Seen): Role {
  const { numeric, texts, numbers, distinct, few } = seen;
  if (texts.length === 0) return 'other';
  if ((ID_NAME.test(name) || CAMEL_ID.test(name)) && distinct.size === texts.length) return 'id';
  // A row counter: distinct whole numbers, each one more than the one before.
  if (numeric && numbers.length > 2 && numbers.every((value, i) => i === 0 || value === (numbers[i - 1] as number) + 1)) return 'id';
  if (LABEL_NAME.test(name) && few) return 'label';
  if (numeric) return 'number';
  if (texts.filter((text) => IMAGE_FILE.test(text)).length >= texts.length * 0.8) return 'image';
  if (few) return 'category';
  const words = texts.reduce((sum, text) => sum + text.split(/\s+/).filter(Boolean).length, 0) / texts.length;
  return words >= 3 ? 'text' : 'other';
}

function draftSteps(inputs: readonly TensorSignature[], columns: readonly ColumnProfile[], folder: ModelFolder, specFolder: string): string[] {
  const image = inputs.find((input) => input.shape.length === 4);
  const imageColumn = columns.find((column) => column.role === 'image');
  const textColumn = columns.find((column) => column.role === 'text');
  const ids = inputs.find((input) => input.name === 'input_ids' && input.shape.length === 2);
  if (image !== undefined && imageColumn !== undefined) return imageStep(image, imageColumn.name, folder.image);
  if (ids !== undefined && textColumn !== undefined) {
    const length = typeof ids.shape[1] === 'number' ? ids.shape[1] : (folder.tokenizer?.maxLength ?? 128);
    const path = folder.tokenizer === undefined ? 'tokenizer.json' : relative(specFolder, folder.tokenizer.path);
    return [
      ...(folder.tokenizer === undefined ? ['  # No tokenizer.json beside the model: give the path of the one it was trained with.'] : []),
      `  - tokenize: { column: ${key(textColumn.name)}, tokenizer: ${key(path)}, max_length: ${length}, truncation: true, padding: max_length }`,
    ];
  }
  if (!needsMatrix(inputs)) return ['  []  # the model takes its columns by name; add steps only if it expects transformed values'];
  const features = columns.filter((column) => column.role === 'number' || column.role === 'category');
  const withGaps = features.filter((column) => column.role === 'number' && column.nulls > 0);
  const steps: string[] = [];
  if (withGaps.length > 0) {
    steps.push(
      '  # Missing values below are filled with the sample median: use the values the model was trained with.',
      `  - impute: { columns: ${flow(withGaps.map((column) => column.name))}, values: ${flow(withGaps.map((column) => column.median ?? 0))} }`,
    );
  }
  for (const column of features) {
    if (column.categories === undefined) continue;
    steps.push(`  - one_hot: { column: ${key(column.name)}, categories: ${flow(column.categories)}, unknown: ignore }  # categories seen in the sample`);
  }
  return steps.length === 0 ? ['  []'] : steps;
}

/** An image step from the model folder's image processor, else from the input's shape with plain x/255. */
function imageStep(input: TensorSignature, column: string, processor: ImageProcessor | undefined): string[] {
  const nhwc = input.shape[3] === 1 || input.shape[3] === 3;
  const [height, width] = nhwc ? [input.shape[1], input.shape[2]] : [input.shape[2], input.shape[3]];
  const channels = nhwc ? input.shape[3] : input.shape[1];
  const size = typeof height === 'number' && typeof width === 'number' ? { height, width } : undefined;
  const color = channels === 1 ? 'grayscale' : (processor?.color ?? 'rgb');
  const resize = processor?.resize ?? size ?? { height: 224, width: 224 };
  const fields = [
    `column: ${key(column)}`,
    `color: ${color}`,
    `resize: ${'shortest_edge' in resize ? `{ shortest_edge: ${resize.shortest_edge} }` : `{ height: ${resize.height}, width: ${resize.width} }`}`,
    ...(processor?.crop === undefined ? [] : [`crop: { height: ${processor.crop.height}, width: ${processor.crop.width} }`]),
    `interpolation: ${processor?.interpolation ?? 'bilinear'}`,
    `scale: ${processor?.scale ?? 1 / 255}`,
    `mean: ${flow(channels === 1 ? (processor?.mean ?? [0]).slice(0, 1) : (processor?.mean ?? [0, 0, 0]))}`,
    `std: ${flow(channels === 1 ? (processor?.std ?? [1]).slice(0, 1) : (processor?.std ?? [1, 1, 1]))}`,
    `layout: ${nhwc ? 'nhwc' : 'nchw'}`,
    `dtype: ${input.type === 'float16' ? 'float16' : 'float32'}`,
    'output: pixel_values',
  ];
  return [
    ...(processor === undefined ? ['  # No preprocessor_config.json beside the model: scale, mean and std are placeholders; use the training values.'] : []),
    '  - image:',
    ...fields.map((field) => `      ${field}`),
  ];
}

function needsMatrix(inputs: readonly TensorSignature[]): boolean {
  const only = inputs.length === 1 ? inputs[0] : undefined;
  return only !== undefined && only.shape.length === 2 && only.shape[1] !== 1;
}

/** The columns a drafted [N,K] input could take: numbers, then the one-hot columns drafted above. */
function draftedColumns(columns: readonly ColumnProfile[]): string[] {
  return [
    ...columns.filter((column) => column.role === 'number').map((column) => column.name),
    ...columns.flatMap((column) => (column.categories ?? []).map((category) => `${column.name}=${category}`)),
  ];
}

function draftInput(input: TensorSignature, columns: readonly ColumnProfile[]): string[] {
  const type = input.type ?? 'float32';
  const width = input.shape[1];
  if (input.shape.length === 4) return [`  ${key(input.name)}: { columns: [pixel_values] }`];
  if (['input_ids', 'attention_mask', 'token_type_ids'].includes(input.name) && columns.some((column) => column.role === 'text')) {
    return [`  ${key(input.name)}: { columns: [${input.name}] }`];
  }
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
