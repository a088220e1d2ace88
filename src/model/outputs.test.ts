import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ModelError } from '../errors.js';
import type { Column } from '../shared/chunk.js';
import type { ModelFile, SkippedOutput, ZipMapRewrite } from './model-file.js';
import { declaredColumnNames, planOutputs, toPredictionColumns, type OutputEntry, type OutputPlan } from './outputs.js';
import type { ElementType, TensorData, TensorSignature } from './session.js';

function modelFile(declaredOutputs: string[], zipMaps: ZipMapRewrite[] = [], skippedOutputs: SkippedOutput[] = [], classLabels: Record<string, string[]> = {}): ModelFile {
  return {
    path: 'model.onnx',
    bytes: 123,
    sha256: '0'.repeat(64),
    irVersion: 8,
    producer: 'test',
    opsets: { 'ai.onnx': 17 },
    metadata: {},
    declaredOutputs,
    zipMaps,
    classLabels,
    skippedOutputs,
    widestLayer: 0,
    missingValues: {},
    rewritten: undefined,
  };
}

function signature(name: string, type: ElementType | undefined, shape: (number | string)[] = ['N']): TensorSignature {
  return { name, isTensor: type !== undefined, type, shape };
}

function entry(name: string, labels?: string[]): OutputEntry {
  return { fetch: name, column: name, labels };
}

function planOf(...entries: OutputEntry[]): OutputPlan {
  return { entries, skipped: [] };
}

function tensor(type: ElementType, data: TensorData['data'], dims: number[]): TensorData {
  return { type, data, dims };
}

function values(column: Column | undefined): unknown[] {
  assert.ok(column !== undefined, 'column exists');
  return [...column.values];
}

describe('planOutputs', () => {
  it('fetches every declared tensor output, in declared order, named after itself', () => {
    const outputs = [signature('probabilities', 'float32', ['N', 3]), signature('label', 'int64')];
    const plan = planOutputs(outputs, modelFile(['label', 'probabilities']));
    assert.deepEqual(plan.entries, [
      { fetch: 'label', column: 'label', labels: undefined },
      { fetch: 'probabilities', column: 'probabilities', labels: undefined },
    ]);
    assert.deepEqual(plan.skipped, []);
  });

  it('fetches the probability tensor behind a ZipMap output, with its class labels', () => {
    const zipMap = { output: 'output_probability', tensor: 'probabilities', labels: ['setosa', 'versicolor', 'virginica'] };
    const outputs = [signature('output_label', 'int64'), signature('output_probability', undefined, []), signature('probabilities', 'float32', ['N', 3])];
    const plan = planOutputs(outputs, modelFile(['output_label', 'output_probability'], [zipMap]));
    assert.deepEqual(plan.entries, [
      { fetch: 'output_label', column: 'output_label', labels: undefined },
      { fetch: 'probabilities', column: 'output_probability', labels: ['setosa', 'versicolor', 'virginica'] },
    ]);
  });

  it("names a classifier's probability tensor after the classifier's labels, and a spec's labels win", () => {
    const outputs = [signature('label', 'string'), signature('probabilities', 'float32', ['N', 2])];
    const file = modelFile(['label', 'probabilities'], [], [], { probabilities: ['<=50K', '>50K'] });
    assert.deepEqual(planOutputs(outputs, file).entries[1], { fetch: 'probabilities', column: 'probabilities', labels: ['<=50K', '>50K'] });
    assert.deepEqual(planOutputs(outputs, file, { probabilities: ['low', 'high'] }).entries[1]?.labels, ['low', 'high']);
  });

  it('leaves out runtime outputs that the file does not declare (added by the rewrite)', () => {
    const outputs = [signature('y', 'float32'), signature('extra', 'float32')];
    assert.deepEqual(planOutputs(outputs, modelFile(['y'])).entries.map((e) => e.fetch), ['y']);
  });

  it('skips non-tensor outputs and reports them', () => {
    const skipped = [{ name: 'seq', reason: "output 'seq' is a sequence, which onnxruntime-node cannot return" }];
    const outputs = [signature('y', 'float32'), signature('seq', undefined, [])];
    const plan = planOutputs(outputs, modelFile(['y', 'seq'], [], skipped));
    assert.deepEqual(plan.entries.map((e) => e.fetch), ['y']);
    assert.deepEqual(plan.skipped, skipped);
  });

  it('refuses a model with no fetchable output with MODEL_SIGNATURE giving the reasons', () => {
    const skipped = [{ name: 'seq', reason: "output 'seq' is a sequence, which onnxruntime-node cannot return" }];
    assert.throws(
      () => planOutputs([signature('seq', undefined, [])], modelFile(['seq'], [], skipped)),
      (error: unknown) => error instanceof ModelError && error.code === 'MODEL_SIGNATURE' && /sequence/.test(error.message),
    );
  });
});

describe('declaredColumnNames', () => {
  it('names one column after an [N] or [N,1] output', () => {
    assert.deepEqual(declaredColumnNames(entry('y'), signature('y', 'float32', ['N'])), ['y']);
    assert.deepEqual(declaredColumnNames(entry('y'), signature('y', 'float32', ['N', 1])), ['y']);
  });

  it('names K columns after an [N,K] output', () => {
    assert.deepEqual(declaredColumnNames(entry('p'), signature('p', 'float32', ['N', 3])), ['p_0', 'p_1', 'p_2']);
  });

  it('names columns after class labels', () => {
    assert.deepEqual(declaredColumnNames(entry('p', ['a', 'b']), signature('p', 'float32', ['N', 'K'])), ['p_a', 'p_b']);
  });

  it('names one column when the width is symbolic', () => {
    assert.deepEqual(declaredColumnNames(entry('p'), signature('p', 'float32', ['N', 'K'])), ['p']);
  });
});

describe('toPredictionColumns', () => {
  it('turns an [N] output into one column named after the output', () => {
    const columns = toPredictionColumns(planOf(entry('y')), { y: tensor('float32', Float32Array.from([0.5, 1.5]), [2]) }, 2);
    assert.deepEqual([...columns.keys()], ['y']);
    assert.equal(columns.get('y')?.type, 'float32');
    assert.deepEqual(values(columns.get('y')), [0.5, 1.5]);
  });

  it('decodes a float16 output (bit patterns) into float32 numbers, column by column', () => {
    // 1, -2, 0.099975586 (0.1 as float16), 65504, Infinity, NaN
    const halves = Uint16Array.from([0x3c00, 0xc000, 0x2e66, 0x7bff, 0x7c00, 0x7e00]);
    const columns = toPredictionColumns(planOf(entry('h')), { h: tensor('float16', halves, [3, 2]) }, 3);
    assert.deepEqual([...columns.keys()], ['h_0', 'h_1']);
    assert.deepEqual(columns.get('h_0'), { type: 'float32', values: Float32Array.from([1, Math.fround(0.0999755859375), Infinity]) });
    const second = columns.get('h_1');
    assert.equal(second?.type, 'float32');
    assert.deepEqual([...(second?.values as Float32Array)], [-2, 65504, NaN]);
  });

  it('turns an [N,1] output into one column named after the output', () => {
    const columns = toPredictionColumns(planOf(entry('y')), { y: tensor('float32', Float32Array.from([0.5, 1.5, 2.5]), [3, 1]) }, 3);
    assert.deepEqual([...columns.keys()], ['y']);
    assert.deepEqual(values(columns.get('y')), [0.5, 1.5, 2.5]);
  });

  it('turns an [N,K] output into columns name_0..name_{K-1}, one value per row each', () => {
    const data = Float32Array.from([0.1, 0.2, 0.7, 0.6, 0.3, 0.1].map(Math.fround));
    const columns = toPredictionColumns(planOf(entry('p')), { p: tensor('float32', data, [2, 3]) }, 2);
    assert.deepEqual([...columns.keys()], ['p_0', 'p_1', 'p_2']);
    assert.deepEqual(values(columns.get('p_0')), [Math.fround(0.1), Math.fround(0.6)]);
    assert.deepEqual(values(columns.get('p_1')), [Math.fround(0.2), Math.fround(0.3)]);
    assert.deepEqual(values(columns.get('p_2')), [Math.fround(0.7), Math.fround(0.1)]);
  });

  it('names the columns of an [N,K] output after its class labels', () => {
    const columns = toPredictionColumns(
      planOf({ fetch: 'probabilities', column: 'output_probability', labels: ['cat', 'dog'] }),
      { probabilities: tensor('float32', Float32Array.from([0.25, 0.75, 1, 0]), [2, 2]) },
      2,
    );
    assert.deepEqual([...columns.keys()], ['output_probability_cat', 'output_probability_dog']);
    assert.deepEqual(values(columns.get('output_probability_dog')), [0.75, 0]);
  });

  it('refuses an output whose width differs from the number of class labels', () => {
    assert.throws(
      () => toPredictionColumns(planOf(entry('p', ['a', 'b', 'c'])), { p: tensor('float32', new Float32Array(4), [2, 2]) }, 2),
      (error: unknown) => error instanceof ModelError && error.code === 'MODEL_SIGNATURE',
    );
  });

  it('drops padding rows beyond rowCount', () => {
    const columns = toPredictionColumns(
      planOf(entry('y'), entry('p')),
      {
        y: tensor('float32', Float32Array.from([1, 2, 0, 0]), [4]),
        p: tensor('float32', Float32Array.from([1, 2, 3, 4, 0, 0, 0, 0]), [4, 2]),
      },
      2,
    );
    assert.deepEqual(values(columns.get('y')), [1, 2]);
    assert.deepEqual(values(columns.get('p_0')), [1, 3]);
    assert.deepEqual(values(columns.get('p_1')), [2, 4]);
  });

  it('keeps int64 outputs as int64 columns', () => {
    const columns = toPredictionColumns(planOf(entry('label')), { label: tensor('int64', BigInt64Array.from([2n, -1n, 2n ** 62n]), [3]) }, 3);
    const label = columns.get('label');
    assert.equal(label?.type, 'int64');
    assert.ok(label?.values instanceof BigInt64Array);
    assert.deepEqual([...label.values], [2n, -1n, 2n ** 62n]);
  });

  it('keeps string outputs as string columns', () => {
    const columns = toPredictionColumns(planOf(entry('label')), { label: tensor('string', ['setosa', 'virginica', 'pad'], [3]) }, 2);
    assert.deepEqual(columns.get('label'), { type: 'string', values: ['setosa', 'virginica'] });
  });

  it('keeps int32 and bool outputs with their types, and widens float64 and small integers to float64', () => {
    const columns = toPredictionColumns(
      planOf(entry('i'), entry('b'), entry('d'), entry('u')),
      {
        i: tensor('int32', Int32Array.from([-3, 4]), [2]),
        b: tensor('bool', Uint8Array.from([1, 0]), [2]),
        d: tensor('float64', Float64Array.from([0.1, 0.2]), [2]),
        u: tensor('uint8', Uint8Array.from([255, 7]), [2]),
      },
      2,
    );
    assert.equal(columns.get('i')?.type, 'int32');
    assert.deepEqual(values(columns.get('i')), [-3, 4]);
    assert.equal(columns.get('b')?.type, 'bool');
    assert.deepEqual(values(columns.get('b')), [1, 0]);
    assert.equal(columns.get('d')?.type, 'float64');
    assert.deepEqual(values(columns.get('d')), [0.1, 0.2]);
    assert.equal(columns.get('u')?.type, 'float64');
    assert.deepEqual(values(columns.get('u')), [255, 7]);
  });

  it('keeps columns of several outputs in plan order', () => {
    const columns = toPredictionColumns(
      planOf(entry('label'), entry('p')),
      { p: tensor('float32', new Float32Array(2), [1, 2]), label: tensor('int64', BigInt64Array.from([1n]), [1]) },
      1,
    );
    assert.deepEqual([...columns.keys()], ['label', 'p_0', 'p_1']);
  });

  it('refuses an output whose first dimension is smaller than the row count with a ModelError', () => {
    assert.throws(
      () => toPredictionColumns(planOf(entry('y')), { y: tensor('float32', Float32Array.from([1]), [1]) }, 3),
      (error: unknown) => error instanceof ModelError && error.code === 'MODEL_SIGNATURE' && /'y'/.test(error.message),
    );
  });

  it('refuses a scalar output with a ModelError', () => {
    assert.throws(
      () => toPredictionColumns(planOf(entry('y')), { y: tensor('float32', Float32Array.from([1]), []) }, 1),
      ModelError,
    );
  });

  it('refuses a missing output with MODEL_RUN_FAILED', () => {
    assert.throws(
      () => toPredictionColumns(planOf(entry('y')), {}, 1),
      (error: unknown) => error instanceof ModelError && error.code === 'MODEL_RUN_FAILED',
    );
  });
});
