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

/** y = x after a Loop whose condition never turns false: inference never ends. */
export function endlessLoopModel(path: string): Promise<string> {
  const BOOL = onnx.TensorProto.DataType.BOOL;
  const INT64 = onnx.TensorProto.DataType.INT64;
  const scalar = (name: string, elemType: number): onnxProto.onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType, shape: { dim: [] } } } });
  const body: onnxProto.onnx.IGraphProto = {
    name: 'body',
    node: [
      { opType: 'Identity', input: ['cond_in'], output: ['cond_out'] },
      { opType: 'Identity', input: ['v_in'], output: ['v_out'] },
    ],
    input: [scalar('iteration', INT64), scalar('cond_in', BOOL), tensor('v_in', ['N', 1])],
    output: [scalar('cond_out', BOOL), tensor('v_out', ['N', 1])],
  };
  return save(
    path,
    [
      { opType: 'Constant', output: ['always'], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dataType: BOOL, dims: [], int32Data: [1] } }] },
      { opType: 'Loop', input: ['', 'always', 'x'], output: ['y'], attribute: [{ name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: body }] },
    ],
    [tensor('y', ['N', 1])],
  );
}

/** y = x, through a Reshape to [2, -1] that ONNX Runtime refuses when the batch has an odd number of rows. */
export function failsOnOddBatchModel(path: string): Promise<string> {
  const INT64 = onnx.TensorProto.DataType.INT64;
  const shape = (name: string, values: number[]): Node => ({
    opType: 'Constant',
    output: [name],
    attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dataType: INT64, dims: [values.length], int64Data: values } }],
  });
  return save(
    path,
    [
      shape('pairs', [2, -1]),
      shape('column', [-1, 1]),
      { opType: 'Reshape', input: ['x', 'pairs'], output: ['paired'] },
      { opType: 'Reshape', input: ['paired', 'column'], output: ['y'] },
    ],
    [tensor('y', ['N', 1])],
  );
}


/** y = |x|: defined for every finite x, one output column per row. */
export function absModel(path: string): Promise<string> {
  return save(path, [{ opType: 'Abs', input: ['x'], output: ['y'] }], [tensor('y', ['N', 1])]);
}
