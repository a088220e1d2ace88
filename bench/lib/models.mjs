// The benchmark models, built in JS with onnx-proto and deterministic weights:
// an MLP F -> 128 -> 64 -> 2 (ReLU, softmax) and a logistic regression F -> 1 (sigmoid),
// both with a dynamic batch axis "N", input "x" (float32 [N,F]), as in make_models.py; and a small
// CNN over CIFAR-size images (Conv 3->32, 32->64 with MaxPool, 64->128, global average pool,
// Gemm 128->10, softmax), for G2 (rows of pixels) and the images workload (decoded images).
import onnxProto from 'onnx-proto';
import { lcg, normal } from './rng.mjs';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT = onnx.AttributeProto.AttributeType.INT;
const ints = (name, values) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });

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

/** Pixels per CIFAR-size image row (3 x 32 x 32). */
export const CNN_FEATURES = 3 * 32 * 32;

/**
 * The CNN as ONNX bytes; output "probabilities" [N,10]. Input "x": float32 [N,3072] (`rows`, one image per
 * row, reshaped in the graph) or [N,3,S,S] (`image`, as an image step feeds it; any S: the pooling is global).
 */
export function cnnModel(seed = 19, { input = 'rows', size = 32 } = {}) {
  const draw = normal(lcg(seed));
  const conv = (out, inp) => randomTensor(draw, Math.sqrt(2 / (inp * 9)), out * inp * 9);
  const shaped = (tensor, dims) => ({ values: tensor.values, dims });
  const weights = {
    C1: shaped(conv(32, 3), [32, 3, 3, 3]), c1: randomTensor(draw, 0.01, 32),
    C2: shaped(conv(64, 32), [64, 32, 3, 3]), c2: randomTensor(draw, 0.01, 64),
    C3: shaped(conv(128, 64), [128, 64, 3, 3]), c3: randomTensor(draw, 0.01, 128),
    F: randomTensor(draw, Math.sqrt(1 / 128), 128, 10), f: randomTensor(draw, 0.01, 10),
  };
  const imageShape = { name: 'image_shape', dataType: onnx.TensorProto.DataType.INT64, dims: [4], int64Data: [-1, 3, 32, 32] };
  const convNode = (input, w, b, output) => ({ opType: 'Conv', input: [input, w, b], output: [output], attribute: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])] });
  const pool = (input, output) => ({ opType: 'MaxPool', input: [input], output: [output], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] });
  const nodes = [
    ...(input === 'rows' ? [{ opType: 'Reshape', input: ['x', 'image_shape'], output: ['image'] }] : []),
    convNode(input === 'rows' ? 'image' : 'x', 'C1', 'c1', 'h1'), { opType: 'Relu', input: ['h1'], output: ['a1'] }, pool('a1', 'p1'),
    convNode('p1', 'C2', 'c2', 'h2'), { opType: 'Relu', input: ['h2'], output: ['a2'] }, pool('a2', 'p2'),
    convNode('p2', 'C3', 'c3', 'h3'), { opType: 'Relu', input: ['h3'], output: ['a3'] },
    { opType: 'GlobalAveragePool', input: ['a3'], output: ['g'] },
    { opType: 'Flatten', input: ['g'], output: ['flat'] },
    { opType: 'Gemm', input: ['flat', 'F', 'f'], output: ['z'] },
    { opType: 'Softmax', input: ['z'], output: ['probabilities'], attribute: [{ name: 'axis', type: INT, i: 1 }] },
  ];
  if (input !== 'rows') return encodeModel('cnn', nodes, [valueInfo('x', ['N', 3, size, size])], [valueInfo('probabilities', ['N', 10])], weights);
  const bytes = encodeModel('cnn', nodes, [valueInfo('x', ['N', CNN_FEATURES])], [valueInfo('probabilities', ['N', 10])], weights);
  return withInitializer(bytes, imageShape);
}

/** Adds a non-float initializer (encodeModel takes float32 tensors only). */
function withInitializer(bytes, tensor) {
  const model = onnx.ModelProto.decode(bytes);
  model.graph.initializer.push(onnx.TensorProto.create(tensor));
  return onnx.ModelProto.encode(model).finish();
}
