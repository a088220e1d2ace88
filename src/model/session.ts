// Model stage: the ONNX Runtime session (the only importer of onnxruntime-node).
import ort from 'onnxruntime-node';
import { ModelError } from '../errors.js';
import type { ModelFile } from './model-file.js';

/** Element types a tensor can have, as ONNX Runtime names them. */
export type ElementType = ort.Tensor.Type;

/** One model input or output as the runtime reports it. */
export interface TensorSignature {
  readonly name: string;
  readonly isTensor: boolean;
  /** Undefined for non-tensor values (sequences, maps). */
  readonly type: ElementType | undefined;
  /** Dimensions; a string is a symbolic (free) dimension. */
  readonly shape: readonly (number | string)[];
}

/** A tensor as plain data, so no other module needs the runtime's types. */
export interface TensorData {
  readonly type: ElementType;
  readonly data: ort.Tensor.DataType;
  readonly dims: readonly number[];
}

/** Execution providers the tool can ask for. */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;

/** An execution provider and, for GPUs, the device index ('cuda:1'). */
export interface ExecutionProvider {
  readonly name: (typeof EXECUTION_PROVIDERS)[number];
  readonly deviceId: number | undefined;
}

export interface SessionOptions {
  readonly threads: number | undefined;
  /** Tried in order; a later one is used only when the earlier ones cannot be created. */
  readonly executionProviders: readonly ExecutionProvider[];
  /** Told about each provider that could not be used before a later one worked. */
  readonly onFallback: (message: string) => void;
}

/** 'cuda:1' style name of a provider. */
export function providerLabel(provider: ExecutionProvider): string {
  return provider.deviceId === undefined ? provider.name : `${provider.name}:${provider.deviceId}`;
}

/** A loaded model, ready to run batches. */
export interface ModelSession {
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  readonly runtimeVersion: string;
  /** The execution provider the session runs on. */
  readonly executionProvider: string;
  run(feeds: Readonly<Record<string, TensorData>>, fetches: readonly string[]): Promise<Record<string, TensorData>>;
  close(): Promise<void>;
}

// The runtime's own logger writes to stderr before our error says the same thing more clearly.
ort.env.logLevel = 'fatal';

/** Version of the ONNX Runtime binding in use. */
export const runtimeVersion: string = ort.env.versions.common ?? 'unknown';

/** Creates an ONNX Runtime session for a checked model file, on the first provider that works. */
export async function createSession(file: ModelFile, options: SessionOptions): Promise<ModelSession> {
  const providers = options.executionProviders;
  let session: ort.InferenceSession | undefined;
  let used: ExecutionProvider | undefined;
  for (const [index, provider] of providers.entries()) {
    try {
      session = await createWith(file, provider, options.threads);
      used = provider;
      break;
    } catch (error) {
      const reason = (error as Error).message ?? String(error);
      const next = providers[index + 1];
      if (provider.name === 'cpu') {
        throw new ModelError('MODEL_LOAD_FAILED', `ONNX Runtime cannot load model ${file.path}: ${reason}`, {
          hint: 'check that the model uses opsets that ONNX Runtime 1.29 supports; `onnx-batch inspect` shows what the file declares',
          cause: error,
        });
      }
      if (next === undefined) {
        throw new ModelError('DEVICE_UNAVAILABLE', `Execution provider '${providerLabel(provider)}' is not available: ${reason}`, {
          hint: 'use --ep cpu (or --ep cuda,cpu to fall back), or see the README section "CUDA" for what the CUDA provider needs',
          cause: error,
        });
      }
      options.onFallback(`execution provider '${providerLabel(provider)}' is not available (${firstLine(reason)}); falling back to '${providerLabel(next)}'`);
    }
  }
  if (session === undefined || used === undefined) throw new ModelError('DEVICE_UNAVAILABLE', 'No execution provider was given');
  return {
    inputs: session.inputMetadata.map(toSignature),
    outputs: session.outputMetadata.map(toSignature),
    runtimeVersion,
    executionProvider: providerLabel(used),
    run: async (feeds, fetches) => {
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, feed] of Object.entries(feeds)) tensors[name] = new ort.Tensor(feed.type, feed.data, feed.dims);
      const results = await session.run(tensors, [...fetches]);
      const plain: Record<string, TensorData> = {};
      for (const [name, tensor] of Object.entries(results)) {
        plain[name] = { type: tensor.type, data: tensor.data, dims: tensor.dims };
      }
      return plain;
    },
    close: () => session.release(),
  };
}

function toSignature(metadata: ort.InferenceSession.ValueMetadata): TensorSignature {
  if (!metadata.isTensor) return { name: metadata.name, isTensor: false, type: undefined, shape: [] };
  return { name: metadata.name, isTensor: true, type: metadata.type, shape: [...metadata.shape] };
}

function createWith(file: ModelFile, provider: ExecutionProvider, threads: number | undefined): Promise<ort.InferenceSession> {
  const config: ort.InferenceSession.ExecutionProviderConfig =
    provider.name === 'cuda' ? { name: 'cuda', ...(provider.deviceId === undefined ? {} : { deviceId: provider.deviceId }) } : 'cpu';
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [config],
    logSeverityLevel: 3,
    ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
  };
  return file.rewritten === undefined
    ? ort.InferenceSession.create(file.path, sessionOptions)
    : ort.InferenceSession.create(file.rewritten, sessionOptions);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
