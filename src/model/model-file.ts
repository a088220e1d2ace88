// Model stage: reads the ONNX file itself (the only importer of onnx-proto), checks it, describes it,
// and rewrites ZipMap outputs, which onnxruntime-node cannot return, into plain probability tensors.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { ModelError } from '../errors.js';
import { missingValueSupport, type GraphNode, type MissingValueSupport } from './missing-values.js';

const { onnx } = onnxProto;

/** A ZipMap output served from the probability tensor that feeds it. */
export interface ZipMapRewrite {
  /** The model's declared output (a sequence of maps). */
  readonly output: string;
  /** The tensor exposed as an extra graph output instead. */
  readonly tensor: string;
  /** Class labels in the tensor's column order. */
  readonly labels: readonly string[];
}

/** A non-tensor output that cannot be fetched, and why. */
export interface SkippedOutput {
  readonly name: string;
  readonly reason: string;
}

/** What the file itself says about the model, beyond what the runtime reports. */
export interface ModelFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly irVersion: number;
  readonly producer: string;
  readonly opsets: Readonly<Record<string, number>>;
  readonly metadata: Readonly<Record<string, string>>;
  /** The graph's outputs as declared, before any rewrite. */
  readonly declaredOutputs: readonly string[];
  readonly zipMaps: readonly ZipMapRewrite[];
  /**
   * Class labels of tensor outputs that carry an `ai.onnx.ml` classifier's scores (its second output,
   * possibly through a Normalizer, Cast or Identity), in column order: what a ZipMap would have named.
   */
  readonly classLabels: Readonly<Record<string, readonly string[]>>;
  readonly skippedOutputs: readonly SkippedOutput[];
  /**
   * The widest layer the weights suggest: the largest dimension of an initializer after its first
   * (a matrix's output width, a bias's length). A rough number of activations per row.
   */
  readonly widestLayer: number;
  /** Per graph input: whether the graph handles a NaN fed to it (see missing-values.ts). */
  readonly missingValues: Readonly<Record<string, MissingValueSupport>>;
  /** The bytes to load when the graph had to be rewritten; undefined means load the path itself. */
  readonly rewritten: Uint8Array | undefined;
}

/** Reads, checks and describes an ONNX model file. */
export async function readModelFile(path: string): Promise<ModelFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ModelError(code === 'ENOENT' ? 'MODEL_NOT_FOUND' : 'MODEL_LOAD_FAILED', `Cannot read model ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`, {
      hint: code === 'ENOENT' ? 'check the model path' : 'check that the model file is readable',
      cause: error,
    });
  }
  if (bytes.length === 0) {
    throw new ModelError('MODEL_LOAD_FAILED', `Model ${path} is empty (0 bytes)`, {
      hint: 'the file was not written completely; export or download the model again',
    });
  }
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    const message = (error as Error).message;
    const reason = /index out of range/.test(message) ? `it ends in the middle of a record (${bytes.length} bytes; truncated?)` : message;
    throw new ModelError('MODEL_LOAD_FAILED', `Model ${path} is not a valid ONNX file: ${reason}`, {
      hint: 'the file may be truncated or not an ONNX model; export or download it again',
      cause: error,
    });
  }
  const graph = model.graph;
  if (graph === null || graph === undefined || graph.output === null || graph.output === undefined || graph.output.length === 0) {
    throw new ModelError('MODEL_LOAD_FAILED', `Model ${path} is not a valid ONNX file: it has no graph or no outputs`, {
      hint: 'the file may be truncated or not an ONNX model; export or download it again',
    });
  }
  refuseBfloat16(path, graph);
  const outputs = graph.output;
  const declaredOutputs = outputs.map((output) => output.name ?? '');
  const { zipMaps, skippedOutputs } = findNonTensorOutputs(graph);
  const missingValues = missingValuesOf(graph, declaredOutputs);
  for (const zipMap of zipMaps) outputs.push(tensorOutput(zipMap.tensor));
  return {
    path,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    irVersion: Number(model.irVersion),
    producer: [model.producerName, model.producerVersion].filter((part) => part !== '').join(' '),
    opsets: Object.fromEntries(model.opsetImport.map((opset) => [opset.domain === '' || opset.domain == null ? 'ai.onnx' : opset.domain, Number(opset.version)])),
    metadata: Object.fromEntries(model.metadataProps.map((entry) => [entry.key ?? '', entry.value ?? ''])),
    declaredOutputs,
    zipMaps,
    classLabels: classLabelsOf(graph, declaredOutputs),
    skippedOutputs,
    widestLayer: widestLayer(graph),
    missingValues,
    rewritten: zipMaps.length === 0 ? undefined : onnx.ModelProto.encode(model).finish(),
  };
}

/**
 * onnxruntime-node 1.29 has no bfloat16 tensors: a session whose graph takes or returns one fails to
 * load with "Unsupported data type: 16". Said here by name, with what to do instead.
 */
function refuseBfloat16(path: string, graph: onnxProto.onnx.IGraphProto): void {
  const weights = new Set((graph.initializer ?? []).map((initializer) => initializer.name ?? ''));
  const values = [...(graph.input ?? []).filter((input) => !weights.has(input.name ?? '')).map((input) => ['input', input] as const), ...(graph.output ?? []).map((output) => ['output', output] as const)];
  const found = values.find(([, value]) => value.type?.tensorType?.elemType === onnx.TensorProto.DataType.BFLOAT16);
  if (found === undefined) return;
  const [kind, value] = found;
  throw new ModelError('MODEL_SIGNATURE', `Model ${kind} '${value.name ?? ''}' of ${path} has type bfloat16, which onnxruntime-node 1.29 cannot pass in or out (it has no bfloat16 tensors)`, {
    ...(kind === 'input' ? { context: { modelInput: value.name ?? '' } } : {}),
    hint: 'export the model with float16 or float32 inputs and outputs (bfloat16 inside the graph is fine: put a Cast next to each of them)',
  });
}

function widestLayer(graph: onnxProto.onnx.IGraphProto): number {
  let widest = 0;
  for (const initializer of graph.initializer ?? []) {
    const dims = (initializer.dims ?? []).map(Number);
    for (const dim of dims.length === 1 ? dims : dims.slice(1)) if (dim > widest) widest = dim;
  }
  return widest;
}

function missingValuesOf(graph: onnxProto.onnx.IGraphProto, outputs: readonly string[]): Record<string, MissingValueSupport> {
  const nodes: GraphNode[] = (graph.node ?? []).map((node) => ({
    opType: node.opType ?? '',
    inputs: node.input ?? [],
    outputs: node.output ?? [],
    ...(node.opType === 'Imputer' ? { replacesNaN: Number.isNaN((node.attribute ?? []).find((attribute) => attribute.name === 'replaced_value_float')?.f ?? 0) } : {}),
  }));
  const weights = new Set((graph.initializer ?? []).map((initializer) => initializer.name ?? ''));
  const inputs = (graph.input ?? []).map((input) => input.name ?? '').filter((name) => !weights.has(name));
  return Object.fromEntries(inputs.map((name) => [name, missingValueSupport(name, nodes, outputs)]));
}

function findNonTensorOutputs(graph: onnxProto.onnx.IGraphProto): { zipMaps: ZipMapRewrite[]; skippedOutputs: SkippedOutput[] } {
  const zipMaps: ZipMapRewrite[] = [];
  const skippedOutputs: SkippedOutput[] = [];
  for (const output of graph.output ?? []) {
    const name = output.name ?? '';
    if (output.type?.tensorType !== null && output.type?.tensorType !== undefined) continue;
    const producer = (graph.node ?? []).find((node) => (node.output ?? []).includes(name));
    const input = producer?.input?.[0];
    if (producer?.opType === 'ZipMap' && input !== undefined) {
      zipMaps.push({ output: name, tensor: input, labels: labelsAttribute(producer) });
    } else {
      const kind = output.type?.sequenceType ? 'a sequence' : output.type?.mapType ? 'a map' : 'not a tensor';
      skippedOutputs.push({ name, reason: `output '${name}' is ${kind}, which onnxruntime-node cannot return` });
    }
  }
  return { zipMaps, skippedOutputs };
}

/** Ops between a classifier's scores and a graph output that keep one column per class. */
const PASS_THROUGH = new Set(['Normalizer', 'Cast', 'Identity', 'Softmax']);

function classLabelsOf(graph: onnxProto.onnx.IGraphProto, outputs: readonly string[]): Record<string, string[]> {
  const nodes = graph.node ?? [];
  const labels: Record<string, string[]> = {};
  for (const output of outputs) {
    let tensor = output;
    // A short walk back: scores pass through a few element-wise ops at most.
    for (let step = 0; step < 8; step++) {
      const producer = nodes.find((node) => (node.output ?? []).includes(tensor));
      if (producer === undefined) break;
      const op = producer.opType ?? '';
      if (producer.domain === 'ai.onnx.ml' && op.endsWith('Classifier') && producer.output?.[1] === tensor) {
        const found = labelsAttribute(producer);
        if (found.length > 0) labels[output] = found;
        break;
      }
      const input = producer.input?.[0];
      if (!PASS_THROUGH.has(op) || input === undefined) break;
      tensor = input;
    }
  }
  return labels;
}

function labelsAttribute(node: onnxProto.onnx.INodeProto): string[] {
  const attributes = node.attribute ?? [];
  const strings = attributes.find((attribute) => attribute.name === 'classlabels_strings')?.strings ?? [];
  if (strings.length > 0) return strings.map((label) => Buffer.from(label).toString('utf8'));
  const ints = attributes.find((attribute) => attribute.name === 'classlabels_int64s')?.ints ?? [];
  return ints.map((label) => String(label));
}

function tensorOutput(name: string): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } };
}
