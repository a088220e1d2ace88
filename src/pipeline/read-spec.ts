// Pipeline: checks a parsed YAML/JSON value against spec version 1 and returns the typed spec, or one
// error listing every problem with its path ("steps[2].one_hot.categories: expected ..., got ...").
// The structure is checked by schema/pipeline.schema.json (spec-schema.ts); this file adds what a JSON
// Schema cannot say: constraints between fields, and defaults that name another field.
import { UsageError } from '../errors.js';
import { formatFloat64 } from '../shared/values.js';
import { schemaProblems } from './spec-schema.js';
import type { InputSpec, OutputSpec, PipelineSpec, Step, StepName } from './spec.js';

/** A parsed mapping, read only where the schema's own checks may have failed too. */
type Raw = Readonly<Record<string, unknown>>;

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const numbers = (value: unknown): readonly number[] | undefined => (Array.isArray(value) && value.every((item) => typeof item === 'number') ? value : undefined);

/** Lists that give one value per entry of `columns`: a length is not something a schema can compare. */
function sameLengths(options: Raw, path: string, keys: readonly string[], problems: string[]): void {
  const columns = options['columns'];
  if (!Array.isArray(columns)) return;
  for (const key of keys) {
    const values = options[key];
    if (Array.isArray(values) && values.length !== columns.length) {
      problems.push(`${path}.${key}: expected ${columns.length} values (one per entry of columns), got ${values.length}`);
    }
  }
}

/** Per step: the checks between its fields. A step without cross-field rules has no entry. */
const STEP_RULES: Readonly<Partial<Record<StepName, (options: Raw, path: string, problems: string[]) => void>>> = {
  impute: (options, path, problems) => sameLengths(options, path, ['values'], problems),
  standardize: (options, path, problems) => sameLengths(options, path, ['mean', 'scale'], problems),
  min_max: (options, path, problems) => {
    sameLengths(options, path, ['min', 'max'], problems);
    const [min, max] = [numbers(options['min']), numbers(options['max'])];
    min?.forEach((value, i) => {
      if (value === max?.[i]) problems.push(`${path}.max[${i}]: expected a number different from min[${i}], got ${value}`);
    });
  },
  clip: (options, path, problems) => {
    const { min, max } = options;
    if (typeof min === 'number' && typeof max === 'number' && min > max) problems.push(`${path}: expected min <= max, got min ${min} > max ${max}`);
  },
  bucketize: (options, path, problems) => {
    numbers(options['edges'])?.forEach((edge, i, edges) => {
      if (i > 0 && edge <= (edges[i - 1] as number)) problems.push(`${path}.edges[${i}]: expected edges in increasing order, got ${edge} after ${edges[i - 1]}`);
    });
  },
  image: (options, path, problems) => {
    const channels = options['color'] === 'grayscale' ? 1 : 3;
    for (const key of ['mean', 'std']) {
      const values = numbers(options[key]);
      if (values !== undefined && values.length !== channels) problems.push(`${path}.${key}: expected ${channels} values (one per channel), got ${values.length}`);
    }
    numbers(options['std'])?.forEach((value, i) => {
      if (value === 0) problems.push(`${path}.std[${i}]: expected a non-zero number, got 0`);
    });
    // Every row must come out the same size: the shorter-side resize needs a crop.
    if (isRecord(options['resize']) && options['resize']['shortest_edge'] !== undefined && options['crop'] === undefined) {
      problems.push(`${path}.crop: required with resize.shortest_edge (every image must come out the same size), but missing`);
    }
  },
  one_hot: (options, path, problems) => {
    // One-hot columns are named by category text, so '1' and 1 would write the same column.
    const seen = new Map<string, unknown>();
    for (const category of Array.isArray(options['categories']) ? options['categories'] : []) {
      const name = typeof category === 'number' ? formatFloat64(category) : String(category);
      const previous = seen.get(name);
      if (seen.has(name) && previous !== category) problems.push(`${path}.categories: ${JSON.stringify(previous)} and ${JSON.stringify(category)} would both write the column '${name}'`);
      seen.set(name, category);
    }
  },
};

const SHAPES = new Map<string, InputSpec['shape']>([
  ['[N,K]', 'matrix'],
  ['[N,1]', 'column'],
  ['[N]', 'vector'],
]);

/** '[N, K]', ' [N,K] ' and the YAML list [N, K] alike, as '[N,K]'. */
function shapeText(shape: unknown): string {
  return JSON.stringify(shape).replaceAll('"', '').replaceAll(' ', '');
}

function semanticProblems(value: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(value)) return problems;
  const steps = Array.isArray(value['steps']) ? value['steps'] : [];
  steps.forEach((step, index) => {
    if (!isRecord(step)) return;
    for (const [name, options] of Object.entries(step)) {
      const rule = Object.hasOwn(STEP_RULES, name) ? STEP_RULES[name as StepName] : undefined;
      if (rule !== undefined && isRecord(options)) rule(options, `steps[${index}].${name}`, problems);
    }
  });
  for (const [name, input] of Object.entries(isRecord(value['inputs']) ? value['inputs'] : {})) {
    // The shape must fit the number of columns.
    if (!isRecord(input) || input['shape'] === undefined || !Array.isArray(input['columns'])) continue;
    const shape = SHAPES.get(shapeText(input['shape']));
    const count = input['columns'].length;
    if (count > 1 && (shape === 'column' || shape === 'vector')) problems.push(`inputs.${name}.shape: a ${shapeText(input['shape'])} input takes one column, got ${count}`);
  }
  return problems;
}

/** Defaults that name another field: an output column defaults to the step's input column. */
function withDefaults(step: Raw): Step {
  const [name, options] = Object.entries(step)[0] as [string, Raw];
  const column = options['column'];
  if (name === 'ordinal' || name === 'bucketize') return { [name]: { ...options, output: options['output'] ?? column } } as unknown as Step;
  if (name === 'date_parts') return { [name]: { ...options, prefix: options['prefix'] ?? column } } as unknown as Step;
  if (name === 'image') {
    // Per-channel defaults: as many as the colour mode has channels.
    const channels = options['color'] === 'grayscale' ? 1 : 3;
    return { image: { ...options, mean: options['mean'] ?? new Array<number>(channels).fill(0), std: options['std'] ?? new Array<number>(channels).fill(1) } } as unknown as Step;
  }
  return step as unknown as Step;
}

function toInput(input: Raw): InputSpec {
  return {
    columns: input['columns'] as string[],
    dtype: input['dtype'] as InputSpec['dtype'],
    shape: input['shape'] === undefined ? undefined : SHAPES.get(shapeText(input['shape'])),
  };
}

function toOutput(output: Raw): OutputSpec {
  const labels = output['labels'] as string[] | undefined;
  const threshold = output['threshold'] as Raw | undefined;
  const topK = output['top_k'] as { k: number; prefix: string } | undefined;
  return {
    labels,
    argmax: output['argmax'] as string | undefined,
    threshold: threshold && {
      value: threshold['value'] as number,
      column: threshold['column'] as string,
      // The threshold tests the last column, so its label is the positive one.
      positive: (threshold['positive'] as string | undefined) ?? labels?.[labels.length - 1] ?? '1',
      negative: (threshold['negative'] as string | undefined) ?? labels?.[0] ?? '0',
    },
    top_k: topK && { k: topK.k, prefix: topK.prefix },
  };
}

const SECTIONS = ['the spec', 'version', 'steps', 'inputs', 'outputs'];

/** Problems in the order of the spec's sections and steps, whichever check found them. */
function inSpecOrder(problems: readonly string[]): string[] {
  const key = (problem: string): [number, number] => {
    const match = /^(the spec|[a-z]+)(?:\[(\d+)\])?/.exec(problem);
    return [SECTIONS.indexOf(match?.[1] ?? ''), Number(match?.[2] ?? -1)];
  };
  return [...problems].sort((a, b) => {
    const [sectionA, indexA] = key(a);
    const [sectionB, indexB] = key(b);
    return sectionA - sectionB || indexA - indexB;
  });
}

/** Validates a parsed spec; throws one CONFIG_INVALID error listing every problem. */
export function readSpec(value: unknown, origin: string): PipelineSpec {
  // The schema fills its defaults in; the caller's value stays as it was parsed.
  const spec = structuredClone(value);
  const problems = inSpecOrder([...schemaProblems(spec), ...semanticProblems(spec)]);
  if (problems.length > 0) {
    throw new UsageError('CONFIG_INVALID', `Invalid pipeline spec ${origin}:\n  - ${problems.join('\n  - ')}`, {
      context: { file: origin },
      hint: 'see the README section "Preprocessing" for the step catalogue, or schema/pipeline.schema.json',
    });
  }
  // Past the schema, the shapes below hold.
  const checked = spec as { steps?: Raw[]; inputs: Record<string, Raw>; outputs?: Record<string, Raw> };
  const mapValues = <T>(record: Record<string, Raw>, as: (item: Raw) => T): Record<string, T> => Object.fromEntries(Object.entries(record).map(([key, item]) => [key, as(item)]));
  return {
    version: 1,
    steps: (checked.steps ?? []).map(withDefaults),
    inputs: mapValues(checked.inputs, toInput),
    outputs: mapValues(checked.outputs ?? {}, toOutput),
  };
}
