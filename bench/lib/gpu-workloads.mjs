// The GPU workloads of `npm run bench -- --ep cuda`: the same models end to end and raw, on the CPU and on
// CUDA in the same rounds, and a copy probe that splits CUDA's raw time into host-to-device copies and compute.
//   G1: CSV rows x 32 features -> MLP 32-4096-4096-2 -> CSV
//   G2: Arrow rows x 3072 float32 (3x32x32 images) -> CNN -> CSV (10 probabilities)
import { copyFileSync, createReadStream, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { arrowFile, bytesFile, csvFile, featureNames } from './data.mjs';
import { copyProbeModel, wideMlpModel } from './gpu-models.mjs';
import { CNN_FEATURES, cnnModel } from './models.mjs';
import { lastJson, runNode } from './spawn.mjs';

const limitScript = (name, repo) => join(repo, 'bench/limits', name);
/** CUDA outputs may differ from the CPU's in the last bits, and by TF32 matmuls (about 1e-3 relative). */
export const GPU_TOLERANCE = 2e-3;
/** Rows per raw call when onnx-batch's own run did not say (it failed, or ran in another process). */
const FALLBACK_BATCH = 4096;

/** Models and data of the chosen G workloads. */
export async function prepareGpuAssets(o, track) {
  const assets = {};
  if (o.workloads.includes('g1')) {
    const F = o.features, H = o.gpuHidden;
    assets.g1 = {
      model: await track(`MLP ${F}-${H}-${H}-2`, () => bytesFile(o.dir, `mlp-${F}-${H}.onnx`, { F, H }, () => wideMlpModel(F, H))),
      probe: await track(`copy probe ${F}`, () => bytesFile(o.dir, `probe-${F}.onnx`, { F }, () => copyProbeModel(F))),
      data: await track('G1 CSV', () => csvFile(o.dir, 'g1', o.gpuRows, F)),
      F,
    };
  }
  if (o.workloads.includes('g2')) {
    const F = CNN_FEATURES;
    assets.g2 = {
      model: await track('CNN 3x32x32', () => bytesFile(o.dir, 'cnn-3x32x32.onnx', {}, () => cnnModel())),
      probe: await track(`copy probe ${F}`, () => bytesFile(o.dir, `probe-${F}.onnx`, { F }, () => copyProbeModel(F))),
      data: await track('G2 Arrow', () => arrowFile(o.dir, 'g2', o.cnnRows, F)),
      F,
    };
  }
  return assets;
}

function readReport(output) {
  try { return JSON.parse(readFileSync(`${output}.report.json`, 'utf8')); } catch { return null; }
}

function cleanup(output) {
  for (const path of [output, `${output}.report.json`]) rmSync(path, { force: true });
}

/** onnx-batch score on one provider, as a whole process; round 0's output is kept for the comparison. */
function scoreJob(o, repo, { id, ep, asset, output, rows, reference, batches }) {
  const args = [join(repo, 'bin/onnx-batch.js'), 'score', '-m', asset.model.path, '-i', asset.data.path, '-o', output, '--keep', 'id',
    '--features', featureNames(asset.F).join(','), '--ep', ep, '-q', '--no-progress', '--no-stats'];
  if (o.batchSize) args.push('-b', String(o.batchSize));
  if (o.threads) args.push('--threads', String(o.threads));
  return {
    id, kind: 'onnx-batch', label: `onnx-batch --ep ${ep}`, ep, rows, bytes: asset.data.bytes,
    async run(round) {
      cleanup(output);
      const { wallMs, peakRssMB } = await runNode(args, { cwd: repo });
      const report = readReport(output);
      // The raw runs on this provider use the batch size onnx-batch picked, so they bound the same work.
      if (report?.feeds?.batchSize) batches.set(ep, report.feeds.batchSize);
      let verification;
      if (round === 0 && ep === 'cpu') copyFileSync(output, reference);
      else if (round === 0) verification = await compareCsv(reference, output, GPU_TOLERANCE);
      cleanup(output);
      return { ms: wallMs, wallMs, peakRssMB, timings: report?.timings, executionProvider: report?.executionProvider, feeds: report?.feeds, verification };
    },
  };
}

/** raw-ort.mjs on one provider: the model alone over pre-built tensors, its own timed loop. */
function rawJob(o, repo, { id, label, kind, ep, model, rows, F, bytes, batches }) {
  return {
    id, kind, label, ep, rows, bytes,
    async run() {
      const batch = o.batchSize ?? batches.get(ep) ?? FALLBACK_BATCH;
      const args = [limitScript('raw-ort.mjs', repo), model, String(rows), String(F), String(batch), o.threads ? String(o.threads) : '-', ep];
      const { wallMs, peakRssMB, stdout } = await runNode(args, { cwd: repo });
      return { ms: lastJson(stdout).ms, wallMs, peakRssMB, feeds: { batchSize: batch } };
    },
  };
}

function gpuWorkload(o, repo, name, title, asset, rows, outDir) {
  const output = join(outDir, `${name.toLowerCase()}.csv`);
  const reference = join(outDir, `${name.toLowerCase()}.cpu-reference.csv`);
  const batches = new Map();
  const common = { asset, output, rows, reference, batches };
  const raw = (ep, model, kind, label) => rawJob(o, repo, { id: `${name}/${kind}/${ep}`, label, kind, ep, model, rows, F: asset.F, bytes: asset.data.bytes, batches });
  const jobs = [scoreJob(o, repo, { id: `${name}/onnx-batch/cpu`, ep: 'cpu', ...common }), raw('cpu', asset.model.path, 'ceiling', 'raw ORT cpu (ceiling)')];
  for (const ep of o.eps.filter((ep) => ep !== 'cpu')) {
    jobs.push(scoreJob(o, repo, { id: `${name}/onnx-batch/${ep}`, ep, ...common }));
    jobs.push(raw(ep, asset.model.path, 'ceiling', `raw ORT ${ep} (ceiling)`));
    jobs.push(raw(ep, asset.probe.path, 'copy-probe', `copy probe ${ep} (to device and back)`));
  }
  return { name, title, gpu: true, jobs, reference };
}

/** The G workloads chosen, each a list of jobs (CPU first: its output is the reference). */
export function buildGpuWorkloads(o, assets, repo, outDir) {
  const list = [];
  if (assets.g1) list.push(gpuWorkload(o, repo, 'G1', `CSV ${o.gpuRows} x ${o.features} -> MLP ${o.features}-${o.gpuHidden}-${o.gpuHidden}-2 -> CSV`, assets.g1, o.gpuRows, outDir));
  if (assets.g2) list.push(gpuWorkload(o, repo, 'G2', `Arrow ${o.cnnRows} x 3072 (3x32x32 images) -> CNN -> CSV`, assets.g2, o.cnnRows, outDir));
  return list;
}

function csvLines(path) {
  return createInterface({ input: createReadStream(path), crlfDelay: Infinity })[Symbol.asyncIterator]();
}

/** Compares two onnx-batch CSV outputs (id, numbers...) cell by cell: same ids, numbers within `tolerance`. */
export async function compareCsv(expectedPath, actualPath, tolerance) {
  const expected = csvLines(expectedPath), actual = csvLines(actualPath);
  const header = [(await expected.next()).value, (await actual.next()).value];
  if (header[0] !== header[1]) return { ok: false, reason: `headers differ: ${header[0]} / ${header[1]}` };
  let rows = 0, maxAbsDiff = 0, mismatches = 0, firstMismatch;
  for (;;) {
    const [e, a] = [await expected.next(), await actual.next()];
    if (e.done || a.done) {
      if (e.done !== a.done) return { ok: false, reason: `row counts differ after ${rows} rows` };
      break;
    }
    const [ef, af] = [e.value.split(','), a.value.split(',')];
    if (ef[0] !== af[0]) return { ok: false, reason: `row ${rows}: id ${af[0]}, expected ${ef[0]}` };
    for (let i = 1; i < ef.length; i++) {
      const diff = Math.abs(Number(ef[i]) - Number(af[i]));
      if (!(diff <= tolerance)) { mismatches++; firstMismatch ??= { row: rows, column: i, expected: ef[i], actual: af[i] }; }
      if (diff > maxAbsDiff) maxAbsDiff = diff;
    }
    rows++;
  }
  return { ok: mismatches === 0 && rows > 0, rows, tolerance, maxAbsDiff, mismatches, ...(firstMismatch ? { firstMismatch } : {}) };
}
