// Model stage: what a load request asks of ONNX Runtime, as plain data (session-child.ts hands it to
// InferenceSession.create). onnxruntime-node 1.29 gives a CUDA provider only its device index
// (js/node/src/session_options_helper.cc fills OrtCUDAProviderOptionsV2.device_id and nothing else):
// the memory limit, the arena's growth and cuDNN's algorithm search stay ONNX Runtime's defaults,
// which cudaSettingsOf records for the report rather than claim settings that were never applied.
import type { ChildRequest } from './session-protocol.js';

type LoadRequest = Extract<ChildRequest, { kind: 'load' }>;

/** The subset of onnxruntime-common's SessionOptions the tool sets. */
export interface RuntimeSessionOptions {
  readonly executionProviders: readonly ('cpu' | { readonly name: 'cuda'; readonly deviceId: number })[];
  readonly logSeverityLevel: 2 | 4;
  readonly intraOpNumThreads?: number;
  readonly enableProfiling?: boolean;
  readonly profileFilePrefix?: string;
  readonly extra: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;
}

/** ONNX Runtime's options for a load request; `profilePrefix` turns on the first run's profile (node counts). */
export function sessionOptionsFor(request: LoadRequest, profilePrefix?: string): RuntimeSessionOptions {
  const { provider } = request;
  return {
    executionProviders: [provider.name === 'cuda' ? { name: 'cuda', deviceId: provider.deviceId ?? 0 } : 'cpu'],
    logSeverityLevel: request.logSeverity,
    // Idle ONNX Runtime threads spin for work by default: between batches they would take the
    // cores that reading and writing need (measured: 3 s of CPU per 1M rows for 0.4 s of inference).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    ...(request.threads === undefined ? {} : { intraOpNumThreads: request.threads }),
    ...(profilePrefix === undefined ? {} : { enableProfiling: true, profileFilePrefix: profilePrefix }),
  };
}

/** The CUDA provider's settings as they are in effect: the device asked for, the rest ONNX Runtime's defaults. */
export interface CudaSettings {
  readonly deviceId: number;
  /** No limit (ONNX Runtime's default, SIZE_MAX): the arena grows while the device has memory. */
  readonly gpuMemLimit: null;
  readonly arenaExtendStrategy: 'kNextPowerOfTwo';
  /** The first batch of each convolution shape tries every cuDNN algorithm; later ones reuse the fastest. */
  readonly cudnnConvAlgoSearch: 'EXHAUSTIVE';
}

export function cudaSettingsOf(deviceId: number): CudaSettings {
  return { deviceId, gpuMemLimit: null, arenaExtendStrategy: 'kNextPowerOfTwo', cudnnConvAlgoSearch: 'EXHAUSTIVE' };
}
