// Runs a Node script as a child process and measures it from outside: wall clock from spawn to
// exit (start-up included), peak RSS and CPU time (user + system, all threads), from GNU
// `/usr/bin/time -v` when it works, else from process.resourceUsage() inside the child
// (rss-probe.mjs loaded with --import).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TIME = '/usr/bin/time';
const PROBE = fileURLToPath(new URL('./rss-probe.mjs', import.meta.url));

function gnuTimeWorks() {
  if (!existsSync(TIME)) return false;
  const file = join(tmpdir(), `bench-time-check-${process.pid}`);
  const result = spawnSync(TIME, ['-v', '-o', file, process.execPath, '-e', '0']);
  const ok = result.status === 0 && existsSync(file) && /Maximum resident set size/.test(readFileSync(file, 'utf8'));
  rmSync(file, { force: true });
  return ok;
}

/** How peak RSS is measured in this run: 'gnu-time' or 'resource-usage' (forced with BENCH_RSS=resource-usage). */
export const rssMethod = process.env.BENCH_RSS !== 'resource-usage' && gnuTimeWorks() ? 'gnu-time' : 'resource-usage';

function commandLine(nodeArgs, rssFile) {
  if (rssMethod === 'gnu-time') return [TIME, ['-v', '-o', rssFile, process.execPath, ...nodeArgs], {}];
  return [process.execPath, ['--import', PROBE, ...nodeArgs], { BENCH_RSS_FILE: rssFile }];
}

/** Peak RSS (MB) and CPU time (ms) from the measurement file; null where it has none. */
function usageOf(rssFile) {
  if (!existsSync(rssFile)) return { peakRssMB: null, cpuMs: null };
  const text = readFileSync(rssFile, 'utf8');
  let kb;
  let cpuMs;
  if (rssMethod === 'gnu-time') {
    kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(text)?.[1]);
    cpuMs = 1000 * (Number(/User time \(seconds\): ([\d.]+)/.exec(text)?.[1]) + Number(/System time \(seconds\): ([\d.]+)/.exec(text)?.[1]));
  } else {
    const [rss, micros] = text.trim().split(' ').map(Number);
    kb = rss;
    cpuMs = micros / 1000;
  }
  return { peakRssMB: Number.isFinite(kb) && kb > 0 ? kb / 1024 : null, cpuMs: Number.isFinite(cpuMs) ? cpuMs : null };
}

/** Spawns `node ...nodeArgs`; resolves { wallMs, peakRssMB, cpuMs, stdout, stderr }, rejects on a non-zero exit. */
export function runNode(nodeArgs, { cwd } = {}) {
  const rssFile = join(tmpdir(), `bench-rss-${process.pid}-${Date.now()}`);
  const [command, args, env] = commandLine(nodeArgs, rssFile);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      const { peakRssMB, cpuMs } = usageOf(rssFile);
      rmSync(rssFile, { force: true });
      // A 3072-name --features list would bury the reason: long arguments are shortened.
      const shown = nodeArgs.map((arg) => (arg.length > 200 ? `${arg.slice(0, 100)}...(${arg.length} chars)` : arg));
      if (code !== 0) reject(new Error(`${shown.join(' ')} exited with ${code ?? signal}\n${stderr.trim()}`));
      else resolve({ wallMs, peakRssMB, cpuMs, stdout, stderr });
    });
  });
}

/** The last JSON line a limit script printed. */
export function lastJson(stdout) {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
