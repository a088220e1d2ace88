// Model stage: the doctor's smoke test. One batch of the built-in model on a provider, compared with
// the CPU provider's result: a session that loads but computes nonsense (or nothing) is caught here.
import { ModelError, OnnxBatchError } from '../errors.js';
import type { ModelFile } from './model-file.js';
import { createSession, providerLabel, type ExecutionProvider } from './session.js';
import { SMOKE_OUTPUT, SMOKE_ROWS, smokeFeeds, smokeModelBytes } from './smoke-model.js';

/** What one provider did with the smoke test. */
export interface SmokeResult {
  readonly ok: boolean;
  /** The largest difference from the CPU result (for the CPU itself: from rows summing to 1). */
  readonly maxAbsDiff: number | null;
  /** Why it failed: the session could not be created, the run failed, or the numbers differ. */
  readonly error: string | null;
  /** Graph nodes per provider, as ONNX Runtime placed them (e.g. { cuda: 5, cpu: 1 }). */
  readonly nodes: Readonly<Record<string, number>> | null;
}

/**
 * Largest difference allowed from the CPU. GPUs compute float32 convolutions and matrix products
 * in other orders (and in TF32 on recent NVIDIA GPUs, 10 bits of mantissa): about 1e-3 on these numbers.
 */
const TOLERANCE = 5e-3;

function smokeFile(): ModelFile {
  const bytes = smokeModelBytes();
  return {
    path: '(built-in smoke-test model)',
    bytes: bytes.length,
    sha256: '',
    irVersion: 8,
    producer: 'onnx-batch doctor',
    opsets: { 'ai.onnx': 15 },
    metadata: {},
    declaredOutputs: [SMOKE_OUTPUT],
    zipMaps: [],
    classLabels: {},
    skippedOutputs: [],
    widestLayer: 32,
    missingValues: {},
    rewritten: bytes,
  };
}

async function runOn(provider: ExecutionProvider): Promise<{ values: Float32Array; nodes: Record<string, number> | null }> {
  const session = await createSession(smokeFile(), { threads: 1, executionProviders: [provider], onFallback: () => undefined, killable: false, countNodes: true });
  try {
    const results = await session.run(smokeFeeds(), [SMOKE_OUTPUT]);
    const output = results[SMOKE_OUTPUT];
    if (output === undefined || !(output.data instanceof Float32Array)) throw new ModelError('MODEL_RUN_FAILED', 'the smoke-test model returned no float32 output');
    return { values: output.data, nodes: session.placement() };
  } finally {
    await session.close();
  }
}

/** Runs the smoke test on a provider (and on the CPU, as the reference). Never throws for a provider problem. */
export async function smokeTest(provider: ExecutionProvider): Promise<SmokeResult> {
  let reference: Float32Array;
  try {
    reference = (await runOn({ name: 'cpu', deviceId: undefined })).values;
  } catch (error) {
    return { ok: false, maxAbsDiff: null, error: `the CPU reference failed: ${messageOf(error)}`, nodes: null };
  }
  if (provider.name === 'cpu') {
    const { values, nodes } = await runOn(provider);
    let worst = 0;
    for (let row = 0; row < SMOKE_ROWS; row++) worst = Math.max(worst, Math.abs((values[row * 3] ?? 0) + (values[row * 3 + 1] ?? 0) + (values[row * 3 + 2] ?? 0) - 1));
    const ok = worst <= 1e-5 && values.every(Number.isFinite);
    return { ok, maxAbsDiff: worst, error: ok ? null : `probabilities do not sum to 1 (off by ${worst})`, nodes };
  }
  let result: { values: Float32Array; nodes: Record<string, number> | null };
  try {
    result = await runOn(provider);
  } catch (error) {
    return { ok: false, maxAbsDiff: null, error: messageOf(error), nodes: null };
  }
  let worst = 0;
  for (const [i, expected] of reference.entries()) worst = Math.max(worst, Math.abs((result.values[i] ?? NaN) - expected) || (Number.isNaN(result.values[i]) ? Infinity : 0));
  const ok = worst <= TOLERANCE;
  return { ok, maxAbsDiff: worst, error: ok ? null : `${providerLabel(provider)} differs from the CPU by ${worst} (more than ${TOLERANCE})`, nodes: result.nodes };
}

function messageOf(error: unknown): string {
  return error instanceof OnnxBatchError || error instanceof Error ? error.message : String(error);
}
