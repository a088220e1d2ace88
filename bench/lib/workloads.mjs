// The workloads and the jobs they are made of. A job is one measured child process:
// onnx-batch itself, or a limit (raw ORT ceiling, read floor, csv-parse alone, onnx-batch's parser alone).
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arrowFile, bytesFile, csvFile, featureNames } from './data.mjs';
import { formatCopy } from './formats.mjs';
import { npz } from './npz.mjs';
import { buildGpuWorkloads, prepareGpuAssets } from './gpu-workloads.mjs';
import { buildImageWorkload, prepareImageAssets } from './image-workload.mjs';
import { logregModel, logregWeights, mlpModel, mlpWeights } from './models.mjs';
import { lastJson, runNode } from './spawn.mjs';
import { verifyMlpOutput } from './verify.mjs';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'bin/onnx-batch.js');
const limitScript = (name) => join(REPO, 'bench/limits', name);
/** Rows per call for the limits when --batch-size is not given (onnx-batch then picks its own). */
const LIMIT_BATCH = 4096;

/** Writes (or reuses) the models and data files the chosen workloads need. */
export async function prepareAssets(o, log) {
  mkdirSync(join(o.dir, 'out'), { recursive: true });
  const assets = { outDir: join(o.dir, 'out'), generated: [], reused: [] };
  const track = async (what, make) => {
    const t0 = performance.now();
    const { path, reused } = await make();
    (reused ? assets.reused : assets.generated).push(path);
    log(`${reused ? 'reusing' : 'generated'} ${what}: ${path}${reused ? '' : ` (${((performance.now() - t0) / 1000).toFixed(1)} s)`}`);
    return { path, bytes: statSync(path).size };
  };
  const wants = (name) => o.workloads.includes(name);
  if (wants('w1') || wants('w2') || wants('w5') || o.w4) {
    const weights = mlpWeights(o.features);
    const F = o.features;
    const model = await track('MLP model', () => bytesFile(o.dir, `mlp-${F}.onnx`, { F }, () => mlpModel(weights, F)));
    await track('MLP weights for pandas_peer.py', () => bytesFile(o.dir, `mlp-${F}.weights.npz`, { F }, () => npz(weights)));
    assets.mlp = { ...model, weights };
  }
  if (wants('w1') || wants('w5')) {
    assets.csv = await track('W1 CSV', () => csvFile(o.dir, 'w1', o.rows, o.features));
    assets.baseline = await track('W1 baseline (onnx-batch profile of the W1 CSV)', () => profileFile(o, assets.mlp.path, assets.csv));
  }
  if (wants('w2') || wants('w5')) assets.arrow = await track('W2 Arrow', () => arrowFile(o.dir, 'w2', o.rows, o.features));
  if (wants('w5')) {
    assets.formats = { csv: assets.csv, arrow: assets.arrow };
    for (const kind of ['parquet', 'jsonl', 'csv.gz', 'csv.zst']) assets.formats[kind] = await track(`W5 ${kind} (the W1 CSV converted by DuckDB)`, () => formatCopy(assets.csv.path, kind));
  }
  if (wants('w3')) {
    const F = o.wideFeatures;
    assets.logreg = await track('logistic regression model', () => bytesFile(o.dir, `logreg-${F}.onnx`, { F }, () => logregModel(logregWeights(F), F)));
    assets.wide = await track('W3 wide CSV', () => csvFile(o.dir, 'w3', o.wideRows, F));
  }
  assets.gpu = await prepareGpuAssets(o, track);
  if (wants('images')) assets.images = await prepareImageAssets(o, track);
  if (o.w4) {
    assets.w4 = [];
    for (const rows of o.w4Rows) assets.w4.push(await track(`W4 CSV ${rows} rows`, () => csvFile(o.dir, 'w4', rows, o.features)));
  }
  return assets;
}

/** `onnx-batch profile` of a CSV (the --baseline of W1's monitored run), reused while newer than the CSV. */
async function profileFile(o, model, csv) {
  const path = `${csv.path}.baseline.json`;
  const fresh = (() => { try { return statSync(path).mtimeMs > statSync(csv.path).mtimeMs; } catch { return false; } })();
  if (!fresh) await runNode([CLI, 'profile', '-m', model, '-i', csv.path, '--features', featureNames(o.features).join(','), '-o', path, '-q'], { cwd: REPO });
  return { path, reused: fresh };
}

function cleanup(output) {
  for (const path of [output, `${output}.report.json`, `${output}.rejects.csv`]) rmSync(path, { force: true });
}

function readReport(output) {
  try { return JSON.parse(readFileSync(`${output}.report.json`, 'utf8')); } catch { return null; }
}

/** onnx-batch score, timed as a whole process; `verify(output)` runs after the first round. */
function onnxBatchJob(o, { id, model, input, output, F, rows, bytes, verify, extraArgs = [], label = 'onnx-batch' }) {
  const args = [CLI, 'score', '-m', model, '-i', input, '-o', output, '--keep', 'id',
    '--features', featureNames(F).join(','), '-q', '--no-progress', ...extraArgs];
  if (o.batchSize) args.push('-b', String(o.batchSize));
  if (o.threads) args.push('--threads', String(o.threads));
  return {
    id, kind: 'onnx-batch', label, rows, bytes,
    async run(round) {
      cleanup(output);
      const { wallMs, peakRssMB, cpuMs } = await runNode(args, { cwd: REPO });
      const report = readReport(output);
      const verification = verify && round === 0 ? await verify(output) : undefined;
      cleanup(output);
      return { ms: wallMs, wallMs, peakRssMB, cpuMs, timings: report?.timings, verification };
    },
  };
}

/** A limit script: its own in-process time (`ms` in its JSON line) is the time that counts. */
function limitJob({ id, kind, label, rows, bytes, args }) {
  return {
    id, kind, label, rows, bytes,
    async run() {
      const { wallMs, peakRssMB, stdout } = await runNode(args, { cwd: REPO });
      return { ms: lastJson(stdout).ms, wallMs, peakRssMB };
    },
  };
}

function ceilingJob(o, model, modelName, rows, F, bytes) {
  const args = [limitScript('raw-ort.mjs'), model, String(rows), String(F), String(o.batchSize ?? LIMIT_BATCH)];
  if (o.threads) args.push(String(o.threads));
  return limitJob({ id: `ceiling/${modelName}/${rows}x${F}`, kind: 'ceiling', label: 'raw ORT (ceiling)', rows, bytes, args });
}

function readFloorJob(id, file, rows) {
  return limitJob({ id, kind: 'read-floor', label: 'read + count lines (floor)', rows, bytes: file.bytes, args: [limitScript('read-floor.mjs'), file.path] });
}

function csvParseJob(o, id, file, rows, F) {
  const args = [limitScript('csv-parse-floor.mjs'), file.path, String(F), String(o.batchSize ?? LIMIT_BATCH)];
  return limitJob({ id, kind: 'csv-parse', label: 'csv-parse alone', rows, bytes: file.bytes, args });
}

/** onnx-batch's CSV reader alone, with `workers` parse workers (0: the main thread). */
function parseOnlyJob(id, file, rows, F, workers) {
  const args = [limitScript('parse-only.mjs'), file.path, String(F), String(workers)];
  return limitJob({ id, kind: 'parse-only', label: `onnx-batch parse only, ${workers} worker${workers === 1 ? '' : 's'}`, rows, bytes: file.bytes, args });
}

function w1(o, a) {
  const { rows, features: F } = o;
  const output = join(a.outDir, 'w1.csv');
  const verify = o.verify
    ? (out) => verifyMlpOutput({ inputCsv: a.csv.path, outputCsv: out, weights: a.mlp.weights, F })
    : undefined;
  return {
    name: 'W1', title: `CSV ${rows} x ${F} -> MLP -> CSV`,
    main: onnxBatchJob(o, { id: 'w1/onnx-batch', model: a.mlp.path, input: a.csv.path, output, F, rows, bytes: a.csv.bytes, verify }),
    // The statistics' cost, in the same rounds: without them, and with drift and evaluation on top.
    // The W1 data has no label, so region (text, 4 values) stands in for one: the work is the same.
    noStats: onnxBatchJob(o, { id: 'w1/no-stats', model: a.mlp.path, input: a.csv.path, output, F, rows, bytes: a.csv.bytes, extraArgs: ['--no-stats'], label: 'onnx-batch --no-stats' }),
    monitored: onnxBatchJob(o, {
      id: 'w1/monitored', model: a.mlp.path, input: a.csv.path, output, F, rows, bytes: a.csv.bytes,
      extraArgs: ['--baseline', a.baseline.path, '--label-column', 'region'], label: 'onnx-batch --baseline --label-column',
    }),
    ceiling: ceilingJob(o, a.mlp.path, 'mlp', rows, F, a.csv.bytes),
    readFloor: readFloorJob('w1/read-floor', a.csv, rows),
    csvParse: csvParseJob(o, 'w1/csv-parse', a.csv, rows, F),
    parse1: parseOnlyJob('w1/parse-1', a.csv, rows, F, 1),
    parse2: parseOnlyJob('w1/parse-2', a.csv, rows, F, 2),
  };
}

function w2(o, a) {
  const { rows, features: F } = o;
  const output = join(a.outDir, 'w2.arrow');
  return {
    name: 'W2', title: `Arrow ${rows} x ${F} (float32) -> MLP -> Arrow`,
    main: onnxBatchJob(o, { id: 'w2/onnx-batch', model: a.mlp.path, input: a.arrow.path, output, F, rows, bytes: a.arrow.bytes }),
    ceiling: ceilingJob(o, a.mlp.path, 'mlp', rows, F, a.arrow.bytes),
    readFloor: readFloorJob('w2/read-floor', a.arrow, rows),
  };
}

function w3(o, a) {
  const { wideRows: rows, wideFeatures: F } = o;
  const output = join(a.outDir, 'w3.csv');
  return {
    name: 'W3', title: `wide CSV ${rows} x ${F} -> logistic regression -> CSV`,
    main: onnxBatchJob(o, { id: 'w3/onnx-batch', model: a.logreg.path, input: a.wide.path, output, F, rows, bytes: a.wide.bytes }),
    ceiling: ceilingJob(o, a.logreg.path, 'logreg', rows, F, a.wide.bytes),
    readFloor: readFloorJob('w3/read-floor', a.wide, rows),
    csvParse: csvParseJob(o, 'w3/csv-parse', a.wide, rows, F),
  };
}

function w4(o, a, rows, file) {
  const F = o.features;
  const output = join(a.outDir, `w4-${rows}.csv`);
  return {
    name: `W4 ${rows}`, title: `memory: CSV ${rows} x ${F} -> MLP -> CSV`,
    main: onnxBatchJob(o, { id: `w4/${rows}/onnx-batch`, model: a.mlp.path, input: file.path, output, F, rows, bytes: file.bytes }),
    readFloor: readFloorJob(`w4/${rows}/read-floor`, file, rows),
  };
}

/** onnx-batch's reader alone on one format of the W1 rows (kind: csv, csv.gz, csv.zst, jsonl, parquet, arrow). */
function readOnlyJob(kind, file, rows, F) {
  const format = kind.startsWith('csv') ? 'csv' : kind;
  const args = [limitScript('read-only.mjs'), format, file.path, String(F)];
  return limitJob({ id: `w5/read-${kind}`, kind: 'read-only', label: `onnx-batch reader alone, ${kind}`, rows, bytes: file.bytes, args });
}

/** The W1 rows as Parquet scored as W1 scores the CSV (the same job, same rounds), and each format's reader alone. */
function w5(o, a) {
  const { rows, features: F } = o;
  const verify = o.verify ? (out) => verifyMlpOutput({ inputCsv: a.csv.path, outputCsv: out, weights: a.mlp.weights, F }) : undefined;
  return {
    name: 'W5', title: `the W1 rows in each input format (converted by DuckDB) -> MLP -> CSV`,
    main: onnxBatchJob(o, { id: 'w5/parquet', model: a.mlp.path, input: a.formats.parquet.path, output: join(a.outDir, 'w5.csv'), F, rows, bytes: a.formats.parquet.bytes, verify, label: 'onnx-batch, Parquet input' }),
    // W1's own job (one run a round when W1 runs too).
    csvPath: onnxBatchJob(o, { id: 'w1/onnx-batch', model: a.mlp.path, input: a.csv.path, output: join(a.outDir, 'w1.csv'), F, rows, bytes: a.csv.bytes, label: 'onnx-batch, CSV input (W1)' }),
    reads: Object.entries(a.formats).map(([kind, file]) => readOnlyJob(kind, file, rows, F)),
  };
}

const BUILDERS = { w1, w2, w3, w5 };

/** The main workloads (W1-W3, as chosen), the GPU and images workloads, and, separately, W4 (one per size). */
export function buildWorkloads(o, assets) {
  return {
    main: o.workloads.filter((name) => name in BUILDERS).map((name) => BUILDERS[name](o, assets)),
    gpu: buildGpuWorkloads(o, assets.gpu, REPO, assets.outDir),
    images: assets.images ? [buildImageWorkload(o, assets.images, REPO, assets.outDir)] : [],
    w4: o.w4 ? o.w4Rows.map((rows, i) => w4(o, assets, rows, assets.w4[i])) : [],
  };
}

/** The jobs of a workload, in the order they run within a round. */
export function jobsOf(workload) {
  if (workload.jobs) return workload.jobs;
  if (workload.reads) return [workload.main, workload.csvPath, ...workload.reads];
  return [workload.main, workload.noStats, workload.monitored, workload.ceiling, workload.readFloor, workload.csvParse, workload.parse1, workload.parse2].filter(Boolean);
}
