// Model stage: the rows per inference call that --batch-size auto picks from the model's size.
import type { InputFeed } from './feed-plan.js';
import type { ModelFile } from './model-file.js';
import type { ElementType, TensorSignature } from './session-protocol.js';

/**
 * The most input and output bytes one batch takes. Measured on 2 cores: W1 (32 float32 in, 2
 * out: 136 B a row) is fastest at 4096 rows, slower at 1024 (+12%) and 16384 (+30%); W3 (500
 * float32 in, 1 out: 2 KB a row) is flat from 256 to 2048 rows, and 10-25% slower with 30-60%
 * more memory at 4096-16384. The largest power of two within 1 MiB gives 4096 and 512.
 */
const TARGET_BATCH_BYTES = 1 << 20;
const MIN_ROWS = 64;
const MAX_ROWS = 16384;

/**
 * The most that one batch's widest layer may take (float32). Measured with a 200 MB model whose
 * hidden layer is 1.5M wide, 2000 rows: 256 rows a batch peaked at 2.2 GB (4.2 s), 32 rows at
 * 1 GB (3.8 s), 8 rows at 0.7 GB (5.6 s: each call streams all the weights for fewer rows).
 */
const ACTIVATION_BYTES = 256 << 20;

/**
 * Large weights mean much work per row, which a few rows already amortise the call over, and
 * activations that grow with every row: such models get smaller batches whatever their signature.
 */
const HEAVY_MODELS: readonly { readonly weightBytes: number; readonly maxRows: number }[] = [
  { weightBytes: 256 << 20, maxRows: 32 },
  { weightBytes: 16 << 20, maxRows: 256 },
];

/**
 * On a GPU each call costs a host-to-device copy, kernel launches and a synchronisation whatever
 * its size, and the device has memory to spare: batches take up to 16 MiB of tensors, 65536 rows
 * and 1 GiB of activations, and large weights do not shrink them (they stay on the device).
 */
const GPU_LIMITS = { batchBytes: 16 << 20, maxRows: 65536, activationBytes: 1 << 30 } as const;
const CPU_LIMITS = { batchBytes: TARGET_BATCH_BYTES, maxRows: MAX_ROWS, activationBytes: ACTIVATION_BYTES } as const;

/** Bytes of one element; a string is counted as a short text. */
const ELEMENT_BYTES: Readonly<Record<ElementType, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  bool: 1,
  string: 32,
  int4: 1,
  uint4: 1,
};

/**
 * The batch size for a model: the largest power of two of rows whose tensors fit
 * TARGET_BATCH_BYTES (on a GPU, GPU_LIMITS). Inputs count as fed (one element per column); outputs as declared.
 */
export function autoBatchRows(
  file: Pick<ModelFile, 'bytes' | 'widestLayer'>,
  feeds: readonly Pick<InputFeed, 'type' | 'columns'>[],
  outputs: readonly TensorSignature[],
  device: 'cpu' | 'gpu' = 'cpu',
): number {
  const limits = device === 'gpu' ? GPU_LIMITS : CPU_LIMITS;
  const inputBytes = feeds.reduce((sum, feed) => sum + ELEMENT_BYTES[feed.type] * feed.columns.length, 0);
  const rowBytes = Math.max(1, outputs.reduce((sum, tensor) => sum + bytesPerRow(tensor), inputBytes));
  let rows = MIN_ROWS;
  while (rows * 2 <= limits.maxRows && rows * 2 * rowBytes <= limits.batchBytes) rows *= 2;
  const heavy = device === 'gpu' ? undefined : HEAVY_MODELS.find((model) => file.bytes >= model.weightBytes);
  if (heavy !== undefined) rows = Math.min(rows, heavy.maxRows);
  // Even below MIN_ROWS: a batch whose activations do not fit memory fails, however fast.
  while (rows > 1 && rows * 4 * file.widestLayer > limits.activationBytes) rows /= 2;
  return rows;
}

/** Bytes one row takes in a tensor: its element size times its dimensions after the first (a free one counts 1). */
function bytesPerRow(tensor: TensorSignature): number {
  if (!tensor.isTensor || tensor.type === undefined) return 0;
  const perRow = tensor.shape.slice(1).reduce<number>((product, dim) => product * (typeof dim === 'number' && dim > 0 ? dim : 1), 1);
  return ELEMENT_BYTES[tensor.type] * perRow;
}
