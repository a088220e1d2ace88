import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import { STEP_NAMES } from './compile.js';
import { readSpec } from './read-spec.js';
import { configInvalid } from '../../test/helpers/assertions.js';
import { ROOT } from '../../test/helpers/cli.js';

/** A valid spec with one input; `extra` replaces or adds top-level keys. */
function spec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { version: 1, steps: [], inputs: { x: { columns: ['a'] } }, ...extra };
}

/** A valid spec whose only step is `step`. */
function withStep(step: unknown): Record<string, unknown> {
  return spec({ steps: [step] });
}

/** A valid spec whose only output is `y`, as given. */
function withOutput(output: unknown): Record<string, unknown> {
  return spec({ outputs: { y: output } });
}

interface Case {
  readonly name: string;
  readonly value: unknown;
  /** Fragments of the message: the path, what was expected, and what was found. */
  readonly fragments: readonly string[];
}

const CASES: readonly Case[] = [
  // Top level.
  { name: 'a missing version', value: { steps: [], inputs: { x: { columns: ['a'] } } }, fragments: ['version: required, but missing'] },
  { name: 'version 2', value: spec({ version: 2 }), fragments: ['version: expected 1, got number 2'] },
  { name: 'version as the text "1"', value: spec({ version: '1' }), fragments: ['version: expected 1, got string "1"'] },
  { name: 'an unknown top-level key', value: spec({ step: [] }), fragments: ["unknown key 'step'", 'version, steps, inputs, outputs'] },
  { name: 'a spec that is not a mapping', value: ['version', 1], fragments: ['the spec: expected a mapping, got a list of 2'] },
  { name: 'an empty document (null)', value: null, fragments: ['the spec: expected a mapping, got an empty document'] },
  { name: 'steps as a mapping instead of a list', value: spec({ steps: { log1p: { columns: ['a'] } } }), fragments: ['steps: expected a list, got a mapping'] },
  { name: 'steps: null', value: spec({ steps: null }), fragments: ['steps: expected a list, got null'] },

  // Step shape.
  {
    name: 'a step with two names',
    value: withStep({ log1p: { columns: ['a'] }, clip: { columns: ['a'], min: 0 } }),
    fragments: ['steps[0]: expected exactly one step name', 'got log1p, clip'],
  },
  { name: 'a step with no name', value: withStep({}), fragments: ['steps[0]: expected exactly one step name', 'got none'] },
  { name: 'a step that is a bare string', value: withStep('log1p'), fragments: ['steps[0]: expected a mapping, got string "log1p"'] },
  {
    name: "an unknown step name ('standardise')",
    value: withStep({ standardise: { columns: ['a'], mean: [0], scale: [1] } }),
    fragments: ["steps[0]: unknown step 'standardise'", 'expected one of select, rename, cast', 'standardize'],
  },
  {
    name: "an unknown key in a step ('colums')",
    value: withStep({ log1p: { colums: ['a'] } }),
    fragments: ["steps[0].log1p: unknown key 'colums' (expected columns)", 'steps[0].log1p.columns: required, but missing'],
  },
  { name: 'step options that are null', value: withStep({ log1p: null }), fragments: ['steps[0].log1p: expected a mapping, got null'] },

  // Columns lists.
  { name: 'an empty columns list', value: withStep({ log1p: { columns: [] } }), fragments: ['steps[0].log1p.columns: expected a non-empty list, got a list of 0'] },
  { name: 'a column listed twice', value: withStep({ log1p: { columns: ['a', 'a'] } }), fragments: ['steps[0].log1p.columns: "a" appears twice'] },
  { name: 'an empty column name', value: withStep({ log1p: { columns: [''] } }), fragments: ['steps[0].log1p.columns[0]: expected a non-empty string, got string ""'] },
  { name: 'a numeric column name', value: withStep({ select: { columns: [3] } }), fragments: ['steps[0].select.columns[0]: expected a non-empty string, got number 3'] },

  // impute, standardize, min_max.
  {
    name: 'impute with fewer values than columns',
    value: withStep({ impute: { columns: ['a', 'b'], values: [1] } }),
    fragments: ['steps[0].impute.values: expected 2 values (one per entry of columns), got 1'],
  },
  { name: 'impute without values', value: withStep({ impute: { columns: ['a'] } }), fragments: ['steps[0].impute.values: required, but missing'] },
  {
    name: 'impute with an unknown strategy',
    value: withStep({ impute: { columns: ['a'], values: [1], strategy: 'avg' } }),
    fragments: ['steps[0].impute.strategy: expected one of constant, mean, median, most_frequent, got string "avg"'],
  },
  {
    name: 'standardize with a zero scale',
    value: withStep({ standardize: { columns: ['a', 'b'], mean: [0, 0], scale: [1, 0] } }),
    fragments: ['steps[0].standardize.scale[1]: expected a non-zero number, got number 0'],
  },
  { name: 'standardize with a NaN mean (YAML .nan)', value: withStep({ standardize: { columns: ['a'], mean: [Number.NaN], scale: [1] } }), fragments: ['steps[0].standardize.mean[0]: expected a finite number, got number NaN'] },
  { name: "an input named 'toString' without columns", value: spec({ inputs: { toString: {} } }), fragments: ['inputs.toString.columns: required, but missing'] },
  { name: 'inputs as an empty mapping', value: spec({ inputs: {} }), fragments: ['inputs: expected at least one entry, got none'] },
  {
    name: 'standardize with a text mean',
    value: withStep({ standardize: { columns: ['a'], mean: ['x'], scale: [1] } }),
    fragments: ['steps[0].standardize.mean[0]: expected a finite number, got string "x"'],
  },
  {
    name: 'standardize with a scale list of the wrong length',
    value: withStep({ standardize: { columns: ['a'], mean: [0], scale: [1, 2] } }),
    fragments: ['steps[0].standardize.scale: expected 1 values (one per entry of columns), got 2'],
  },
  {
    name: 'min_max with max equal to min',
    value: withStep({ min_max: { columns: ['a'], min: [3], max: [3] } }),
    fragments: ['steps[0].min_max.max[0]: expected a number different from min[0], got 3'],
  },
  {
    name: 'min_max with a range of three numbers',
    value: withStep({ min_max: { columns: ['a'], min: [0], max: [1], range: [0, 1, 2] } }),
    fragments: ['steps[0].min_max.range: expected two numbers [low, high], got a list of 3'],
  },

  // clip, cast.
  { name: 'clip with min > max', value: withStep({ clip: { columns: ['a'], min: 5, max: 1 } }), fragments: ['steps[0].clip: expected min <= max, got min 5 > max 1'] },
  { name: 'clip with neither min nor max', value: withStep({ clip: { columns: ['a'] } }), fragments: ['steps[0].clip: expected min, max or both, got neither'] },
  { name: 'clip with a text min', value: withStep({ clip: { columns: ['a'], min: 'low' } }), fragments: ['steps[0].clip.min: expected a finite number, got string "low"'] },
  { name: 'cast to an unknown type', value: withStep({ cast: { columns: ['a'], to: 'int' } }), fragments: ['steps[0].cast.to: expected one of float64, string, got string "int"'] },
  { name: 'cast without to', value: withStep({ cast: { columns: ['a'] } }), fragments: ['steps[0].cast.to: required, but missing'] },
  { name: 'rename to an empty name', value: withStep({ rename: { columns: { a: '' } } }), fragments: ['steps[0].rename.columns.a: expected a non-empty string, got string ""'] },

  // one_hot, ordinal.
  { name: 'one_hot with empty categories', value: withStep({ one_hot: { column: 'a', categories: [] } }), fragments: ['steps[0].one_hot.categories: expected a non-empty list, got a list of 0'] },
  { name: 'one_hot with a duplicated category', value: withStep({ one_hot: { column: 'a', categories: ['x', 'y', 'x'] } }), fragments: ['steps[0].one_hot.categories: "x" appears twice'] },
  { name: 'one_hot with a numeric category listed twice', value: withStep({ one_hot: { column: 'a', categories: [1, 2, 1] } }), fragments: ['steps[0].one_hot.categories: 1 appears twice'] },
  {
    name: 'one_hot with a category that is a mapping',
    value: withStep({ one_hot: { column: 'a', categories: ['x', { y: 1 }] } }),
    fragments: ['steps[0].one_hot.categories[1]: expected a string or a finite number, got a mapping'],
  },
  { name: 'one_hot with a null category', value: withStep({ one_hot: { column: 'a', categories: ['x', null] } }), fragments: ['steps[0].one_hot.categories[1]: expected a string or a finite number, got null'] },
  {
    name: "one_hot with unknown: 'drop'",
    value: withStep({ one_hot: { column: 'a', categories: ['x'], unknown: 'drop' } }),
    fragments: ['steps[0].one_hot.unknown: expected one of ignore, error, extra, got string "drop"'],
  },
  {
    name: "one_hot with nulls: 'zero'",
    value: withStep({ one_hot: { column: 'a', categories: ['x'], nulls: 'zero' } }),
    fragments: ['steps[0].one_hot.nulls: expected one of ignore, error, category, got string "zero"'],
  },
  { name: 'one_hot without column', value: withStep({ one_hot: { categories: ['x'] } }), fragments: ['steps[0].one_hot.column: required, but missing'] },
  { name: "one_hot with 'columns' instead of 'column'", value: withStep({ one_hot: { columns: ['a'], categories: ['x'] } }), fragments: ["steps[0].one_hot: unknown key 'columns'", 'steps[0].one_hot.column: required, but missing'] },
  {
    name: 'ordinal with a text unknown_value',
    value: withStep({ ordinal: { column: 'a', categories: ['x'], unknown_value: 'other' } }),
    fragments: ['steps[0].ordinal.unknown_value: expected a finite number, got string "other"'],
  },

  // bucketize, date_parts.
  {
    name: 'bucketize edges not increasing',
    value: withStep({ bucketize: { column: 'a', edges: [1, 5, 1] } }),
    fragments: ['steps[0].bucketize.edges[2]: expected edges in increasing order, got 1 after 5'],
  },
  { name: 'bucketize with a repeated edge', value: withStep({ bucketize: { column: 'a', edges: [1, 2, 2] } }), fragments: ['steps[0].bucketize.edges[2]: expected edges in increasing order, got 2 after 2'] },
  { name: 'bucketize without edges', value: withStep({ bucketize: { column: 'a' } }), fragments: ['steps[0].bucketize.edges: required, but missing'] },
  {
    name: 'date_parts with an unknown part',
    value: withStep({ date_parts: { column: 'a', parts: ['year', 'quarter'] } }),
    fragments: ['steps[0].date_parts.parts[1]: expected one of year, month, day, weekday, hour, minute, second, epoch, got string "quarter"'],
  },

  // inputs.
  { name: 'no inputs', value: { version: 1, steps: [] }, fragments: ['inputs: required, but missing'] },
  { name: 'inputs as a list', value: spec({ inputs: ['a'] }), fragments: ['inputs: expected a mapping, got a list of 1'] },
  { name: 'an input without columns', value: spec({ inputs: { x: { dtype: 'float32' } } }), fragments: ['inputs.x.columns: required, but missing'] },
  { name: "an input shape '[N,2,3]'", value: spec({ inputs: { x: { columns: ['a'], shape: '[N,2,3]' } } }), fragments: ['inputs.x.shape: expected [N,K], [N,1] or [N], got string "[N,2,3]"'] },
  { name: 'an input shape given as a list [N, 2, 3]', value: spec({ inputs: { x: { columns: ['a'], shape: ['N', 2, 3] } } }), fragments: ['inputs.x.shape: expected [N,K], [N,1] or [N], got a list of 3: ["N",2,3]'] },
  { name: 'a [N,1] input with two columns', value: spec({ inputs: { x: { columns: ['a', 'b'], shape: '[N,1]' } } }), fragments: ['inputs.x.shape: a [N,1] input takes one column, got 2'] },
  { name: 'a [N] input with three columns', value: spec({ inputs: { x: { columns: ['a', 'b', 'c'], shape: '[N]' } } }), fragments: ['inputs.x.shape: a [N] input takes one column, got 3'] },
  {
    name: 'an unknown input dtype',
    value: spec({ inputs: { x: { columns: ['a'], dtype: 'float16' } } }),
    fragments: ['inputs.x.dtype: expected one of float32, float64, int64, int32, string, bool, got string "float16"'],
  },
  { name: 'an unknown key in an input', value: spec({ inputs: { x: { columns: ['a'], type: 'float32' } } }), fragments: ["inputs.x: unknown key 'type'"] },

  // outputs.
  { name: 'top_k with k 0', value: withOutput({ top_k: { k: 0 } }), fragments: ['outputs.y.top_k.k: expected a whole number of at least 1, got number 0'] },
  { name: 'top_k with k 1.5', value: withOutput({ top_k: { k: 1.5 } }), fragments: ['outputs.y.top_k.k: expected a whole number of at least 1, got number 1.5'] },
  { name: 'top_k without k', value: withOutput({ top_k: { prefix: 'best' } }), fragments: ['outputs.y.top_k.k: required, but missing'] },
  { name: 'a threshold without value', value: withOutput({ threshold: { column: 'decision' } }), fragments: ['outputs.y.threshold.value: required, but missing'] },
  { name: 'a threshold without column', value: withOutput({ threshold: { value: 0.5 } }), fragments: ['outputs.y.threshold.column: required, but missing'] },
  { name: 'a threshold with a text value', value: withOutput({ threshold: { value: 'half', column: 'd' } }), fragments: ['outputs.y.threshold.value: expected a finite number, got string "half"'] },
  { name: 'duplicated output labels', value: withOutput({ labels: ['no', 'yes', 'no'] }), fragments: ['outputs.y.labels: "no" appears twice'] },
  { name: 'an unknown key in an output', value: withOutput({ arg_max: 'label' }), fragments: ["outputs.y: unknown key 'arg_max'"] },
];

describe('readSpec: malformed specs', () => {
  for (const { name, value, fragments } of CASES) {
    it(`rejects ${name}`, () => {
      assert.throws(() => readSpec(value, 'spec.yaml'), (error: unknown) => {
        configInvalid(...fragments)(error);
        // Every schema problem is worded by spec-schema.ts, never in ajv's own words ("must be ...").
        assert.doesNotMatch((error as Error).message, /\bmust\b/);
        return true;
      });
    });
  }

  it('reports every problem in one error, naming the spec, with a hint', () => {
    const value = {
      version: 2,
      steps: [
        { standardise: { columns: ['a'] } },
        { clip: { columns: ['a'], min: 3, max: 1 } },
        { one_hot: { column: 'c', categories: [] } },
      ],
      inputs: { x: { columns: ['a', 'b'], shape: '[N,1]' } },
      outputs: { y: { top_k: { k: 0 } } },
    };
    assert.throws(
      () => readSpec(value, 'model.pipeline.yaml'),
      (error: unknown) => {
        configInvalid(
          'model.pipeline.yaml',
          'version: expected 1, got number 2',
          "steps[0]: unknown step 'standardise'",
          'steps[1].clip: expected min <= max',
          'steps[2].one_hot.categories: expected a non-empty list',
          'inputs.x.shape: a [N,1] input takes one column, got 2',
          'outputs.y.top_k.k: expected a whole number of at least 1',
        )(error);
        const usage = error as UsageError;
        // One problem per line.
        assert.equal(usage.message.split('\n  - ').length - 1, 6, usage.message);
        assert.equal(usage.context.file, 'model.pipeline.yaml');
        assert.match(usage.hint ?? '', /Preprocessing/);
        return true;
      },
    );
  });

  it('reports problems in several steps and inputs, not only the first', () => {
    const value = spec({
      steps: [{ log1p: { colums: ['a'] } }, { bucketize: { column: 'a', edges: [3, 2] } }],
      inputs: { x: { columns: [] }, z: { columns: ['a'], dtype: 'half' } },
    });
    assert.throws(
      () => readSpec(value, 's.yaml'),
      configInvalid("steps[0].log1p: unknown key 'colums'", 'steps[1].bucketize.edges[1]', 'inputs.x.columns: expected a non-empty list', 'inputs.z.dtype'),
    );
  });

  // Regression (found while writing these tests).
  for (const name of ['toString', 'constructor', 'hasOwnProperty']) {
    it(`rejects the step name '${name}' (inherited from Object.prototype) as unknown`, () => {
      assert.throws(() => readSpec(withStep({ [name]: { columns: ['a'] } }), 'spec.yaml'), configInvalid(`steps[0]: unknown step '${name}'`));
    });
  }

  // Regression (found while writing these tests).
  for (const shape of ['constructor', 'toString']) {
    it(`rejects the input shape '${shape}'`, () => {
      assert.throws(() => readSpec(spec({ inputs: { x: { columns: ['a'], shape } } }), 'spec.yaml'), configInvalid('inputs.x.shape: expected [N,K], [N,1] or [N]'));
    });
  }

  // Regression (found while writing these tests).
  it("rejects one_hot categories '1' and 1, which name the same column c=1", () => {
    assert.throws(() => readSpec(withStep({ one_hot: { column: 'c', categories: ['1', 1] } }), 'spec.yaml'), configInvalid('steps[0].one_hot.categories'));
  });
});

describe('readSpec: valid specs', () => {
  it("accepts the README's example spec", async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const example = /## Preprocessing[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example !== undefined, 'README has a yaml block under "## Preprocessing"');
    const parsed = readSpec(parse(example), 'README.md');
    assert.deepEqual(parsed.steps.map((step) => Object.keys(step)[0]), ['impute', 'standardize', 'one_hot', 'one_hot', 'one_hot']);
  });

  it('parses the README contract example (impute, standardize, one_hot Sex, one_hot Pclass)', () => {
    const parsed = readSpec(
      {
        version: 1,
        steps: [
          { impute: { columns: ['Age', 'Fare'], values: [28.0, 14.45] } },
          { standardize: { columns: ['Age', 'Fare'], mean: [29.7, 32.2], scale: [13.0, 49.7] } },
          { one_hot: { column: 'Sex', categories: ['female', 'male'] } },
          { one_hot: { column: 'Pclass', categories: [1, 2, 3], unknown: 'ignore' } },
        ],
        inputs: {
          float_input: {
            columns: ['Age', 'Fare', 'SibSp', 'Parch', 'Sex=female', 'Sex=male', 'Pclass=1', 'Pclass=2', 'Pclass=3'],
            dtype: 'float32',
            shape: '[N,K]',
          },
        },
        outputs: { probabilities: { labels: ['died', 'survived'], argmax: 'prediction' } },
      },
      'titanic.pipeline.yaml',
    );
    assert.equal(parsed.version, 1);
    assert.equal(parsed.steps.length, 4);
    assert.deepEqual(parsed.steps[0], { impute: { columns: ['Age', 'Fare'], values: [28.0, 14.45] } });
    assert.deepEqual(parsed.steps[2], { one_hot: { column: 'Sex', categories: ['female', 'male'], unknown: 'error', nulls: 'ignore' } });
    assert.deepEqual(parsed.steps[3], { one_hot: { column: 'Pclass', categories: [1, 2, 3], unknown: 'ignore', nulls: 'ignore' } });
    const input = parsed.inputs['float_input'];
    assert.equal(input?.columns.length, 9);
    assert.equal(input?.dtype, 'float32');
    assert.equal(input?.shape, 'matrix');
    const output = parsed.outputs['probabilities'];
    assert.deepEqual(output?.labels, ['died', 'survived']);
    assert.equal(output?.argmax, 'prediction');
    assert.equal(output?.threshold, undefined);
    assert.equal(output?.top_k, undefined);
  });

  it('fills the documented defaults', () => {
    const parsed = readSpec(
      {
        version: 1,
        steps: [
          { min_max: { columns: ['a'], min: [0], max: [10] } },
          { ordinal: { column: 'g', categories: ['A', 'B'] } },
          { bucketize: { column: 'age', edges: [18, 65] } },
          { date_parts: { column: 'when', parts: ['year', 'epoch'] } },
          { clip: { columns: ['a'], min: 0 } },
        ],
        inputs: { x: { columns: ['a'] } },
        outputs: { y: { labels: ['no', 'yes'], threshold: { value: 0.5, column: 'decision' }, top_k: { k: 2 } } },
      },
      's.yaml',
    );
    const [minMax, ordinal, bucketize, dateParts, clip] = parsed.steps;
    assert.ok(minMax !== undefined && 'min_max' in minMax);
    assert.deepEqual(minMax.min_max.range, [0, 1]);
    assert.ok(ordinal !== undefined && 'ordinal' in ordinal);
    assert.equal(ordinal.ordinal.output, 'g');
    assert.equal(ordinal.ordinal.unknown_value, undefined);
    assert.ok(bucketize !== undefined && 'bucketize' in bucketize);
    assert.equal(bucketize.bucketize.output, 'age');
    assert.ok(dateParts !== undefined && 'date_parts' in dateParts);
    assert.equal(dateParts.date_parts.prefix, 'when');
    assert.ok(clip !== undefined && 'clip' in clip);
    assert.equal(clip.clip.min, 0);
    assert.equal(clip.clip.max, undefined);
    const input = parsed.inputs['x'];
    assert.equal(input?.dtype, undefined);
    assert.equal(input?.shape, undefined);
    const output = parsed.outputs['y'];
    assert.deepEqual(output?.threshold, { value: 0.5, column: 'decision', positive: 'yes', negative: 'no' });
    assert.deepEqual(output?.top_k, { k: 2, prefix: 'top' });
  });

  // Regression (found while writing these tests).
  it('defaults the positive label of a threshold to the label of the last column, which it tests', () => {
    const parsed = readSpec(withOutput({ labels: ['low', 'mid', 'high'], threshold: { value: 0.5, column: 'alert' } }), 's.yaml');
    assert.equal(parsed.outputs['y']?.threshold?.positive, 'high');
  });

  it("defaults a threshold's labels to '1' and '0' without labels", () => {
    const parsed = readSpec(withOutput({ threshold: { value: 0.3, column: 'flag' } }), 's.yaml');
    assert.deepEqual(parsed.outputs['y']?.threshold, { value: 0.3, column: 'flag', positive: '1', negative: '0' });
  });

  it('reads the three shapes, as text or as a YAML list, with or without spaces', () => {
    const shapes: [unknown, string][] = [
      ['[N,K]', 'matrix'],
      [' [N, K] ', 'matrix'],
      [['N', 'K'], 'matrix'],
      ['[N,1]', 'column'],
      [['N', 1], 'column'],
      ['[N]', 'vector'],
      [['N'], 'vector'],
    ];
    for (const [shape, expected] of shapes) {
      const parsed = readSpec(spec({ inputs: { x: { columns: ['a'], shape } } }), 's.yaml');
      assert.equal(parsed.inputs['x']?.shape, expected, JSON.stringify(shape));
    }
  });

  it('accepts a spec without steps or outputs', () => {
    const parsed = readSpec({ version: 1, inputs: { x: { columns: ['a', 'b'] } } }, 's.yaml');
    assert.deepEqual(parsed.steps, []);
    assert.deepEqual(parsed.outputs, {});
  });

  it('accepts every step of the catalogue', () => {
    const steps = [
      { select: { columns: ['a', 'b', 'c', 'd'] } },
      { rename: { columns: { d: 'when' } } },
      { cast: { columns: ['a'], to: 'float64' } },
      { impute: { columns: ['a'], values: [0], strategy: 'median' } },
      { standardize: { columns: ['a'], mean: [1], scale: [2] } },
      { min_max: { columns: ['a'], min: [0], max: [1], range: [-1, 1] } },
      { clip: { columns: ['a'], max: 5 } },
      { log1p: { columns: ['a'] } },
      { one_hot: { column: 'b', categories: ['x', 2.5], unknown: 'extra', nulls: 'category' } },
      { ordinal: { column: 'c', categories: ['lo', 'hi'], unknown_value: -1, output: 'c code' } },
      { bucketize: { column: 'a', edges: [-1, 0, 1], output: 'a band' } },
      { date_parts: { column: 'when', parts: ['year', 'month', 'day', 'weekday', 'hour', 'minute', 'second', 'epoch'], prefix: 't' } },
      { image: { column: 'path', resize: { shortest_edge: 36 }, crop: { height: 32, width: 32 }, color: 'bgr', layout: 'nhwc', dtype: 'float16' } },
      { tokenize: { column: 'text', tokenizer: 'tokenizer.json', max_length: 64, truncation: false, pad_token: '<pad>', prefix: 'q_' } },
    ];
    const parsed = readSpec(spec({ steps }), 's.yaml');
    assert.deepEqual(
      parsed.steps.map((step) => Object.keys(step)[0]),
      STEP_NAMES,
    );
    assert.deepEqual(parsed.steps[1], { rename: { columns: { d: 'when' } } });
    assert.deepEqual(parsed.steps[5], { min_max: { columns: ['a'], min: [0], max: [1], range: [-1, 1] } });
    assert.deepEqual(parsed.steps[12], {
      image: { column: 'path', color: 'bgr', resize: { shortest_edge: 36 }, crop: { height: 32, width: 32 }, interpolation: 'bilinear', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], layout: 'nhwc', dtype: 'float16', output: 'pixel_values' },
    });
    assert.deepEqual(parsed.steps[13], { tokenize: { column: 'text', tokenizer: 'tokenizer.json', max_length: 64, truncation: false, padding: 'max_length', pad_token: '<pad>', prefix: 'q_' } });
  });
});
