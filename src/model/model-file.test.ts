import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { readModelFile } from './model-file.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
/** A model file whose graph has initializers of the given shapes (contents are zeros). */
async function modelWithWeights(shapes: number[][]): Promise<string> {
  const directory = await tempDir('onnx-batch-model-file-');
  const value = (name: string): onnxProto.onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 15 }],
    graph: {
      name: 'g',
      node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
      initializer: shapes.map((dims, i) => ({ name: `w${i}`, dims, dataType: FLOAT, rawData: new Uint8Array(4 * dims.reduce((a, b) => a * b, 1)) })),
      input: [value('x')],
      output: [value('y')],
    },
  });
  const path = join(directory, 'model.onnx');
  await writeFile(path, onnx.ModelProto.encode(model).finish());
  return path;
}

describe('readModelFile: widestLayer', () => {
  it('is the largest dimension after the first among the weights, or a bias length', async () => {
    assert.equal((await readModelFile(await modelWithWeights([[32, 128], [128], [128, 2], [2]]))).widestLayer, 128);
    // An embedding's first dimension is its vocabulary, not a layer's width.
    assert.equal((await readModelFile(await modelWithWeights([[50_000, 16], [16]]))).widestLayer, 16);
    assert.equal((await readModelFile(await modelWithWeights([[300]]))).widestLayer, 300);
  });

  it('is 0 for a model without weights', async () => {
    assert.equal((await readModelFile(await modelWithWeights([]))).widestLayer, 0);
  });
});

describe('readModelFile: classLabels', () => {
  it("takes the labels of the ai.onnx.ml classifier whose scores reach an output through a Normalizer", async () => {
    const directory = await tempDir('onnx-batch-model-file-');
    const value = (name: string, dims: number[]): onnxProto.onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, ...dims.map((dimValue) => ({ dimValue }))] } } } });
    const labels = ['<=50K', '>50K'].map((label) => new TextEncoder().encode(label));
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 15 }, { domain: 'ai.onnx.ml', version: 1 }],
      graph: {
        name: 'g',
        node: [
          { opType: 'LinearClassifier', domain: 'ai.onnx.ml', input: ['x'], output: ['label', 'raw'], attribute: [{ name: 'classlabels_strings', type: onnx.AttributeProto.AttributeType.STRINGS, strings: labels }] },
          { opType: 'Normalizer', domain: 'ai.onnx.ml', input: ['raw'], output: ['probabilities'] },
          { opType: 'Identity', input: ['x'], output: ['copy'] },
        ],
        input: [value('x', [3])],
        output: [value('label', []), value('probabilities', [2]), value('copy', [3])],
      },
    });
    const path = join(directory, 'classifier.onnx');
    await writeFile(path, onnx.ModelProto.encode(model).finish());
    assert.deepEqual((await readModelFile(path)).classLabels, { probabilities: ['<=50K', '>50K'] });
  });
});
