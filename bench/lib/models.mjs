// The benchmark models, built in JS with onnx-proto and deterministic weights:
// an MLP F -> 128 -> 64 -> 2 (ReLU, softmax) and a logistic regression F -> 1 (sigmoid),
// both with a dynamic batch axis "N", input "x" (float32 [N,F]), as in make_models.py.
import onnxProto from 'onnx-proto';
import { lcg, normal } from './rng.mjs';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** A float32 matrix (rows x cols, row-major) or vector (rows only) of Normal(0, sd) draws. */
export function randomTensor(draw, sd, rows, cols) {
  const size = cols === undefined ? rows : rows * cols;
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = draw(0, sd);
  return { values, dims: cols === undefined ? [rows] : [rows, cols] };
}

/** MLP weights: W1 [F,128], b1, W2 [128,64], b2, W3 [64,2], b3 (float32, as stored in the model). */
export function mlpWeights(features, seed = 7) {
  const draw = normal(lcg(seed));
  return {
    W1: randomTensor(draw, 0.2, features, 128), b1: randomTensor(draw, 0.1, 128),
    W2: randomTensor(draw, 0.2, 128, 64), b2: randomTensor(draw, 0.1, 64),
    W3: randomTensor(draw, 0.2, 64, 2), b3: randomTensor(draw, 0.1, 2),
  };
}

/** Logistic regression weights: W [F,1], b [1]. */
export function logregWeights(features, seed = 11) {
  const draw = normal(lcg(seed));
  return { W: randomTensor(draw, 0.3, features, 1), b: randomTensor(draw, 0.1, 1) };
}

export function initializer(name, { values, dims }) {
  return { name, dataType: FLOAT, dims, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

export function valueInfo(name, dims) {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

export function encodeModel(name, nodes, inputs, outputs, weights) {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'onnx-batch bench',
    opsetImport: [{ domain: '', version: 15 }],
    graph: {
      name, node: nodes, input: inputs, output: outputs,
      initializer: Object.entries(weights).map(([key, tensor]) => initializer(key, tensor)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The MLP as ONNX bytes; output "probabilities" [N,2]. */
export function mlpModel(weights, features) {
  const nodes = [
    { opType: 'Gemm', input: ['x', 'W1', 'b1'], output: ['h1'] },
    { opType: 'Relu', input: ['h1'], output: ['a1'] },
    { opType: 'Gemm', input: ['a1', 'W2', 'b2'], output: ['h2'] },
    { opType: 'Relu', input: ['h2'], output: ['a2'] },
    { opType: 'Gemm', input: ['a2', 'W3', 'b3'], output: ['z'] },
    { opType: 'Softmax', input: ['z'], output: ['probabilities'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
  ];
  return encodeModel('mlp', nodes, [valueInfo('x', ['N', features])], [valueInfo('probabilities', ['N', 2])], weights);
}

/** The logistic regression as ONNX bytes; output "score" [N,1]. */
export function logregModel(weights, features) {
  const nodes = [
    { opType: 'Gemm', input: ['x', 'W', 'b'], output: ['z'] },
    { opType: 'Sigmoid', input: ['z'], output: ['score'] },
  ];
  return encodeModel('logreg', nodes, [valueInfo('x', ['N', features])], [valueInfo('score', ['N', 1])], weights);
}
