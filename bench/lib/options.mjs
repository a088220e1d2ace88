// Command-line options of `npm run bench` (node bench/run.mjs).
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const USAGE = `Usage: npm run bench -- [options]

Measures onnx-batch end to end (the whole CLI process, start-up included) beside the limits
measured in the same run: raw ONNX Runtime (inference ceiling), read + count newlines (I/O floor),
csv-parse alone (reference point), onnx-batch's parser alone with 1 and 2 workers; and images decoded
by an image step with 1 and 2 decode workers against raw ORT on the decoded tensors. Prints a table,
and JSON with --json or --out.

  --quick                 small sizes (W1/W2 50,000 rows, W3 5,000 rows), under a minute
  --rows N                W1/W2 rows (default 1000000, the size the targets are set at)
  --features N            W1/W2 feature columns (default 32)
  --wide-rows N           W3 rows (default 50000)
  --wide-features N       W3 feature columns (default 500)
  --only LIST             workloads to run, e.g. w1,w3 (default w1,w2,w3,w5,images; w4 only with --w4; with --ep: g1,g2)
  --images N              images workload: JPEG images scored with --decode-workers 1 and 2 (default 5000; --quick 500)
  --image-size S          their width and height in pixels (default 32, as CIFAR-10)
  --ep LIST               GPU workloads G1 (wide MLP) and G2 (CNN) on the CPU and on these providers, in
                          the same rounds: --ep cuda (or cuda:1); --ep cpu runs them on the CPU alone
  --gpu-rows N            G1 rows (default 200000; --quick 5000)
  --gpu-hidden N          G1 hidden width (default 4096)
  --cnn-rows N            G2 images (default 16384; --quick 512)
  --w4                    also run W4, memory at scale: CSV of 1,000,000 and 5,000,000 rows (long)
  --w4-rows LIST          W4 sizes (implies --w4), e.g. 1000000,5000000
  --w4-rounds N           rounds of W4 (default 1)
  --rounds N              rounds; each round runs every workload once, in turn (default 3; median reported)
  --batch-size N          rows per inference call, for onnx-batch and raw ORT alike (default: onnx-batch
                          picks its own with auto; raw ORT and csv-parse use 4096)
  --threads N             ONNX Runtime intra-op threads for both (default: ONNX Runtime decides)
  --no-verify             skip checking W1's predictions against the MLP computed in plain JS
  --dir PATH              data, models and outputs (default ${join(tmpdir(), 'onnx-batch-bench')})
  --json                  print the results as JSON on stdout (the table goes to stderr)
  --out FILE              also write the results as JSON to FILE
  -h, --help              this text
`;

const SPEC = {
  quick: { type: 'boolean', default: false },
  rows: { type: 'string' },
  features: { type: 'string' },
  'wide-rows': { type: 'string' },
  'wide-features': { type: 'string' },
  only: { type: 'string' },
  ep: { type: 'string' },
  'gpu-rows': { type: 'string' },
  'gpu-hidden': { type: 'string' },
  'cnn-rows': { type: 'string' },
  images: { type: 'string' },
  'image-size': { type: 'string' },
  w4: { type: 'boolean', default: false },
  'w4-rows': { type: 'string' },
  'w4-rounds': { type: 'string' },
  rounds: { type: 'string' },
  'batch-size': { type: 'string' },
  threads: { type: 'string' },
  'no-verify': { type: 'boolean', default: false },
  dir: { type: 'string' },
  json: { type: 'boolean', default: false },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
};

function positiveInt(name, text, fallback) {
  if (text === undefined) return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

function list(text) {
  return text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
}

/** Parsed options with defaults applied, or { help: true }. Throws on bad values. */
export function parseOptions(argv) {
  const { values: v } = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false });
  if (v.help) return { help: true };
  const quick = v.quick;
  const w4Rows = v['w4-rows'] ? list(v['w4-rows']).map((s) => positiveInt('w4-rows', s)) : [1_000_000, 5_000_000];
  const w4 = v.w4 || v['w4-rows'] !== undefined;
  const eps = v.ep === undefined ? [] : list(v.ep);
  for (const ep of eps) if (!/^(cpu|cuda(:\d+)?)$/.test(ep)) throw new Error(`--ep: expected cpu, cuda or cuda:N, got ${ep}`);
  const only = v.only ? list(v.only) : eps.length > 0 ? ['g1', 'g2'] : ['w1', 'w2', 'w3', 'w5', 'images'];
  for (const name of only) if (!['w1', 'w2', 'w3', 'w4', 'w5', 'g1', 'g2', 'images'].includes(name)) throw new Error(`--only: unknown workload ${name}`);
  if (eps.length === 0 && only.some((name) => name.startsWith('g'))) throw new Error('--only g1/g2 needs --ep (cuda, or cpu)');
  return {
    quick,
    rows: positiveInt('rows', v.rows, quick ? 50_000 : 1_000_000),
    features: positiveInt('features', v.features, 32),
    wideRows: positiveInt('wide-rows', v['wide-rows'], quick ? 5_000 : 50_000),
    wideFeatures: positiveInt('wide-features', v['wide-features'], 500),
    workloads: only.filter((w) => w !== 'w4'),
    // The CPU is always measured: it is what the GPU is compared with.
    eps: eps.length > 0 ? ['cpu', ...eps.filter((ep) => ep !== 'cpu')] : [],
    gpuRows: positiveInt('gpu-rows', v['gpu-rows'], quick ? 5_000 : 200_000),
    gpuHidden: positiveInt('gpu-hidden', v['gpu-hidden'], 4096),
    cnnRows: positiveInt('cnn-rows', v['cnn-rows'], quick ? 512 : 16_384),
    images: positiveInt('images', v.images, quick ? 500 : 5_000),
    imageSize: positiveInt('image-size', v['image-size'], 32),
    w4: w4 || only.includes('w4'),
    w4Rows,
    w4Rounds: positiveInt('w4-rounds', v['w4-rounds'], 1),
    rounds: positiveInt('rounds', v.rounds, 3),
    batchSize: v['batch-size'] === undefined ? undefined : positiveInt('batch-size', v['batch-size'], 4096),
    threads: v.threads === undefined ? undefined : positiveInt('threads', v.threads),
    verify: !v['no-verify'],
    dir: v.dir ?? join(tmpdir(), 'onnx-batch-bench'),
    json: v.json,
    out: v.out,
  };
}
