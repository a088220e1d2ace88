// Test helper: tiny ONNX models built in code (with onnx-proto), for behaviours that need an odd graph.
import { writeFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

type Node = onnxProto.onnx.INodeProto;

function tensor(name: string, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) } } },
  };
}

async function save(path: string, nodes: Node[], outputs: onnxProto.onnx.IValueInfoProto[]): Promise<string> {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'onnx-batch tests',
    opsetImport: [{ domain: '', version: 15 }],
    graph: { name: 'test', node: nodes, input: [tensor('x', ['N', 1])], output: outputs },
  });
  await writeFile(path, onnx.ModelProto.encode(model).finish());
  return path;
}

/** y = log(x): NaN for negative x, so a model can emit NaN without failing. */
export function logModel(path: string): Promise<string> {
  return save(path, [{ opType: 'Log', input: ['x'], output: ['y'] }], [tensor('y', ['N', 1])]);
}

/** y = x, plus a sequence output `parts` that ONNX Runtime for Node cannot return. */
export function sequenceOutputModel(path: string): Promise<string> {
  return save(
    path,
    [
      { opType: 'Identity', input: ['x'], output: ['y'] },
      { opType: 'SequenceConstruct', input: ['x'], output: ['parts'] },
    ],
    [tensor('y', ['N', 1]), { name: 'parts', type: { sequenceType: { elemType: { tensorType: { elemType: FLOAT } } } } }],
  );
}
