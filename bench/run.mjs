// `npm run bench`: onnx-batch end to end beside its limits, measured in the same run.
// See bench/README.md. Usage: node bench/run.mjs [--quick] [--json] [--out FILE] [--w4] ...
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseOptions, USAGE } from './lib/options.mjs';
import { buildWorkloads, jobsOf, prepareAssets, REPO } from './lib/workloads.mjs';
import { formatGpuText, summarizeGpuWorkload } from './lib/gpu-report.mjs';
import { formatImageText, summarizeImageWorkload } from './lib/image-workload.mjs';
import { formatText, summarizeWorkload } from './lib/report.mjs';
import { rssMethod } from './lib/spawn.mjs';

const log = (message) => process.stderr.write(`bench: ${message}\n`);

/**
 * Runs `rounds` rounds; each round runs every workload's jobs in turn, so that machine noise
 * spreads over all of them. A job shared by two workloads (the same ceiling) runs once a round.
 */
async function runRounds(workloads, rounds, results) {
  for (let round = 0; round < rounds; round++) {
    const done = new Set();
    for (const workload of workloads) {
      for (const job of jobsOf(workload)) {
        if (done.has(job.id)) continue;
        done.add(job.id);
        const result = await job.run(round);
        if (!results.has(job.id)) results.set(job.id, []);
        results.get(job.id).push(result);
        log(`round ${round + 1}/${rounds} ${workload.name} ${job.label}: ${(result.ms / 1000).toFixed(2)} s`);
      }
    }
  }
}

async function versions() {
  const ort = (await import('onnxruntime-node')).default;
  return { node: process.versions.node, onnxruntime: ort.env?.versions?.node ?? ort.env?.versions?.common ?? null };
}

async function main() {
  const o = parseOptions(process.argv.slice(2));
  if (o.help) { process.stdout.write(USAGE); return; }
  if (!existsSync(join(REPO, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: build first (npx tsc -p .)');
  const assets = await prepareAssets(o, log);
  const workloads = buildWorkloads(o, assets);
  const results = new Map();
  await runRounds([...workloads.main, ...workloads.gpu, ...workloads.images], o.rounds, results);
  await runRounds(workloads.w4, o.w4Rounds, results);
  const result = {
    meta: {
      date: new Date().toISOString(), rounds: o.rounds, w4Rounds: o.w4 ? o.w4Rounds : undefined, quick: o.quick,
      batchSize: o.batchSize, threads: o.threads ?? null, eps: o.eps, cpus: availableParallelism(), rssMethod, dir: o.dir,
      ...(await versions()),
    },
    workloads: workloads.main.map((w) => summarizeWorkload(w, results)),
    w4: workloads.w4.map((w) => summarizeWorkload(w, results)),
    gpu: workloads.gpu.map((w) => summarizeGpuWorkload(w, results)),
    images: workloads.images.map((w) => summarizeImageWorkload(w, results)),
  };
  const cpuText = result.workloads.length + result.w4.length > 0 ? formatText(result) : '';
  const gpuText = result.gpu.length > 0 ? `onnx-batch GPU bench (--ep ${o.eps.join(',')}): ${o.rounds} round(s), ${result.meta.cpus} CPUs, node ${result.meta.node}\n${formatGpuText(result.gpu)}` : '';
  const imageText = result.images.length > 0 ? `onnx-batch images bench: ${o.rounds} round(s), ${result.meta.cpus} CPUs, node ${result.meta.node}\n${result.images.map(formatImageText).join('\n\n')}` : '';
  const text = [cpuText, gpuText, imageText].filter(Boolean).join('\n\n');
  if (o.json) { process.stderr.write(`${text}\n`); process.stdout.write(`${JSON.stringify(result, null, 2)}\n`); }
  else process.stdout.write(`${text}\n`);
  if (o.out) { writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`); log(`results written to ${o.out}`); }
  const failed = [...result.workloads, ...result.w4, ...result.images].some((w) => w.verification && !w.verification.ok) || result.gpu.some((w) => w.devices.some((d) => d.verification && !d.verification.ok));
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  log(`error: ${error.message}`);
  process.exitCode = 2;
});
