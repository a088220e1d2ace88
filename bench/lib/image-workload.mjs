// The images workload (`--only images`): a folder of JPEG images listed in a CSV (`id,path`), scored
// through an image step (decode in worker threads, x/255, mean/std 0.5, NCHW) by the small CNN of
// models.mjs, with --decode-workers 1 and 2, beside ONNX Runtime alone on the same images decoded
// beforehand (the ceiling). Images, tensors and model are generated here, deterministically.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { bytesFile, cached } from './data.mjs';
import { cnnModel } from './models.mjs';
import { formatTable, summarizeJob } from './report.mjs';
import { lcg } from './rng.mjs';
import { compareCsv } from './gpu-workloads.mjs';
import { lastJson, runNode } from './spawn.mjs';

/** Logits go through the same float32 ops in both: only batch sizes and thread splits move the last bits. */
const TOLERANCE = 1e-5;

/**
 * `count` JPEG images of `size` x `size` (quality 90) and `images.csv` listing them: each a smooth
 * colour field (two gradients and a ripple, from a seeded generator) with a little noise, so that
 * they compress and decode like photos rather than like noise.
 */
function writeImages(dir, count, size) {
  return cached(join(dir, `images-${count}x${size}`, 'images.csv'), { kind: 'images', count, size }, async (tmp) => {
    const folder = join(dir, `images-${count}x${size}`);
    mkdirSync(join(folder, 'img'), { recursive: true });
    const random = lcg(23);
    const lines = ['id,path'];
    for (let i = 0; i < count; i++) {
      const [base, dx, dy, ripple] = [[0, 0, 0].map(() => random() * 255), [0, 0, 0].map(() => random() * 4 - 2), [0, 0, 0].map(() => random() * 4 - 2), random() * 0.5];
      const pixels = Buffer.alloc(size * size * 3);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          for (let c = 0; c < 3; c++) {
            const value = base[c] + (dx[c] * x + dy[c] * y) * (32 / size) + 40 * Math.sin(ripple * (x + c * y)) + (random() - 0.5) * 16;
            pixels[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(value)));
          }
        }
      }
      const name = `img/${String(i).padStart(5, '0')}.jpg`;
      await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(folder, name));
      lines.push(`${i},${name}`);
    }
    writeFileSync(tmp, `${lines.join('\n')}\n`);
  });
}

/** The images decoded as the image step decodes them (sharp, ICC and orientation ignored), as float32 NCHW, (x/255 - 0.5)/0.5. */
function writeTensors(dir, images, count, size) {
  return cached(join(dir, `images-${count}x${size}.f32`), { kind: 'f32', count, size }, async (tmp) => {
    const folder = join(images.path, '..');
    const paths = readFileSync(images.path, 'utf8').trim().split('\n').slice(1).map((line) => join(folder, line.split(',')[1]));
    const values = new Float32Array(count * 3 * size * size);
    for (const [i, path] of paths.entries()) {
      const { data, info } = await sharp(path, { ignoreIcc: true, failOn: 'error', autoOrient: false }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      if (info.channels !== 3 || info.width !== size || info.height !== size) throw new Error(`${path}: expected ${size}x${size} RGB, got ${info.width}x${info.height}x${info.channels}`);
      const plane = size * size;
      for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) values[i * 3 * plane + c * plane + p] = (data[p * 3 + c] / 255 - 0.5) / 0.5;
    }
    writeFileSync(tmp, new Uint8Array(values.buffer));
  });
}

/** The spec the onnx-batch jobs score with (an image step as examples/images/cifar10.pipeline.yaml, input x). */
function specText(size) {
  return [
    'version: 1', 'steps:', '  - image:', '      column: path', '      color: rgb', `      resize: { height: ${size}, width: ${size} }`,
    '      interpolation: bilinear', '      scale: 0.00392156862745098', '      mean: [0.5, 0.5, 0.5]', '      std: [0.5, 0.5, 0.5]',
    '      layout: nchw', '      dtype: float32', '      output: pixels', 'inputs:', '  x: { columns: [pixels] }', '',
  ].join('\n');
}

/** Model, images, decoded tensors and spec of the images workload. */
export async function prepareImageAssets(o, track) {
  const { images: count, imageSize: size } = o;
  const images = await track(`${count} JPEG images ${size}x${size}`, () => writeImages(o.dir, count, size));
  return {
    images,
    tensors: await track('the images decoded to float32 NCHW', () => writeTensors(o.dir, images, count, size)),
    model: await track(`CNN 3x${size}x${size}`, () => bytesFile(o.dir, `cnn-image-${size}.onnx`, { size }, () => cnnModel(19, { input: 'image', size }))),
    spec: await track('image spec', () => bytesFile(o.dir, `images-${size}.pipeline.yaml`, { size }, () => Buffer.from(specText(size)))),
  };
}

/** The logits (probabilities) ONNX Runtime gives on the decoded tensors, written as onnx-batch writes them, for the check. */
async function referenceCsv(asset, o, path) {
  const ort = (await import('onnxruntime-node')).default;
  const session = await ort.InferenceSession.create(asset.model.path);
  const bytes = readFileSync(asset.tensors.path);
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const plane = 3 * o.imageSize * o.imageSize;
  const lines = [`id,${Array.from({ length: 10 }, (_, k) => `probabilities_${k}`).join(',')}`];
  for (let start = 0; start < o.images; start += 256) {
    const n = Math.min(256, o.images - start);
    const result = await session.run({ x: new ort.Tensor('float32', values.subarray(start * plane, (start + n) * plane), [n, 3, o.imageSize, o.imageSize]) });
    const out = result.probabilities.data;
    for (let r = 0; r < n; r++) lines.push(`${start + r},${Array.from(out.subarray(r * 10, r * 10 + 10)).join(',')}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** onnx-batch score over the image CSV with `workers` decode workers, the whole process timed. */
function scoreJob(o, repo, asset, outDir, workers, batches) {
  const output = join(outDir, `images-${workers}.csv`);
  const args = [join(repo, 'bin/onnx-batch.js'), 'score', '-m', asset.model.path, '-p', asset.spec.path, '-i', asset.images.path, '-o', output,
    '--keep', 'id', '--decode-workers', String(workers), '-q', '--no-progress', '--no-stats'];
  if (o.batchSize) args.push('-b', String(o.batchSize));
  if (o.threads) args.push('--threads', String(o.threads));
  const files = [output, `${output}.report.json`];
  return {
    id: `images/onnx-batch/${workers}`, kind: 'onnx-batch', label: `onnx-batch --decode-workers ${workers}`, rows: o.images, bytes: asset.images.bytes,
    async run(round) {
      for (const path of files) rmSync(path, { force: true });
      const { wallMs, peakRssMB, cpuMs } = await runNode(args, { cwd: repo });
      const report = JSON.parse(readFileSync(`${output}.report.json`, 'utf8'));
      if (report.feeds?.batchSize) batches.push(report.feeds.batchSize);
      let verification;
      if (round === 0 && o.verify) {
        const reference = join(outDir, 'images-reference.csv');
        await referenceCsv(asset, o, reference);
        verification = await compareCsv(reference, output, TOLERANCE);
        rmSync(reference, { force: true });
      }
      for (const path of files) rmSync(path, { force: true });
      return { ms: wallMs, wallMs, peakRssMB, cpuMs, timings: report.timings, verification };
    },
  };
}

/** raw-ort.mjs over the decoded tensors, with the batch size onnx-batch picked: inference alone. */
function ceilingJob(o, repo, asset, batches) {
  return {
    id: 'images/ceiling', kind: 'ceiling', label: 'raw ORT on the decoded tensors (ceiling)', rows: o.images, bytes: asset.images.bytes,
    async run() {
      const batch = o.batchSize ?? batches.at(-1) ?? 4096;
      const args = [join(repo, 'bench/limits/raw-ort.mjs'), asset.model.path, String(o.images), `3x${o.imageSize}x${o.imageSize}`, String(batch), o.threads ? String(o.threads) : '-', 'cpu', asset.tensors.path];
      const { wallMs, peakRssMB, stdout } = await runNode(args, { cwd: repo });
      return { ms: lastJson(stdout).ms, wallMs, peakRssMB, feeds: { batchSize: batch } };
    },
  };
}

/** The images workload: onnx-batch with 1 and 2 decode workers, then the ceiling (which takes their batch size). */
export function buildImageWorkload(o, asset, repo, outDir) {
  const batches = [];
  const jobs = [scoreJob(o, repo, asset, outDir, 1, batches), scoreJob(o, repo, asset, outDir, 2, batches), ceilingJob(o, repo, asset, batches)];
  return { name: 'IMAGES', title: `${o.images} JPEG images ${o.imageSize}x${o.imageSize} listed in a CSV -> image step -> CNN -> CSV (10 probabilities)`, jobs };
}

/** Images/s of each job and the ratios: 2 decode workers against 1, each against the ceiling. */
export function summarizeImageWorkload(workload, results) {
  const [one, two, ceiling] = workload.jobs.map((job) => summarizeJob(job, results.get(job.id)));
  const verification = results.get(workload.jobs[0].id)[0]?.verification ?? null;
  return {
    name: workload.name, title: workload.title, jobs: [one, two, ceiling],
    ratios: { twoVsOne: two.rowsPerSec / one.rowsPerSec, oneVsCeiling: one.rowsPerSec / ceiling.rowsPerSec, twoVsCeiling: two.rowsPerSec / ceiling.rowsPerSec },
    verification,
  };
}

export function formatImageText(summary) {
  const num = (v, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const rows = summary.jobs.map((job, i) => [i === 0 ? summary.name : '', job.label, num(job.rows), num(job.ms / 1000, 2), num(job.rowsPerSec), job.cpuMs ? num(job.cpuMs / 1000, 2) : '-', job.peakRssMB ? num(job.peakRssMB) : '-']);
  const { twoVsOne, oneVsCeiling, twoVsCeiling } = summary.ratios;
  const v = summary.verification;
  return [
    `  ${summary.name}: ${summary.title}`, '',
    formatTable(['workload', 'measure', 'images', 'time s', 'images/s', 'CPU s', 'peak RSS MB'], rows),
    '',
    `images/s: --decode-workers 2 is ${twoVsOne.toFixed(2)}x --decode-workers 1; against ORT alone on the decoded tensors: ${oneVsCeiling.toFixed(3)}x (1 worker), ${twoVsCeiling.toFixed(3)}x (2 workers)`,
    v ? (v.ok ? `images predictions: OK, ${num(v.rows)} rows match ORT on the images decoded by the bench (sharp) within ${TOLERANCE} (max |diff| ${v.maxAbsDiff.toExponential(2)})` : `images predictions: MISMATCH: ${v.reason ?? `${v.mismatches} of ${num(v.rows)} rows differ; first: ${JSON.stringify(v.firstMismatch)}`}`) : '',
    'time: onnx-batch = wall clock of the whole process (start-up, model load, decoding, inference, writing; median); ceiling = its own timed loop.',
  ].filter((line) => line !== '').join('\n');
}
