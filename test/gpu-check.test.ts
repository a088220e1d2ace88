// scripts/gpu-check.sh where it can be run without a GPU: its usage, its refusal of bad arguments before
// writing anything, and its clear stop on a machine with no NVIDIA GPU (with the reason in summary.txt).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from './helpers/cli.js';

const SCRIPT = join(ROOT, 'scripts', 'gpu-check.sh');
const gpuHere = existsSync('/proc/driver/nvidia/gpus') ? 'this machine has an NVIDIA GPU: run the script itself' : false;

function runScript(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // PATH without nvidia-smi's usual folders would not be enough on a GPU machine, hence the skip above.
    const child = spawn('bash', [SCRIPT, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function outDir(): Promise<string> {
  return join(await tempDir(), 'logs');
}

describe('scripts/gpu-check.sh', () => {
  it('--help prints the options and exits 0', async () => {
    const result = await runScript(['--help']);
    assert.equal(result.code, 0, result.stderr);
    for (const option of ['--provider FILE', '--node PATH', '--cuda-libs DIR', '--out DIR', '--quick', '--skip-bench']) assert.ok(result.stdout.includes(option), option);
  });

  it('refuses an unknown option, a missing value and missing files with exit 2, writing no logs', async () => {
    const out = await outDir();
    const cases: [string[], RegExp][] = [
      [['--bogus'], /unknown option '--bogus'/],
      [['--out'], /--out needs a value/],
      [['--provider', join(ROOT, 'no-such.tgz'), '--out', out], /--provider .*no-such\.tgz: no such file/],
      [['--cuda-libs', join(ROOT, 'no-such-dir'), '--out', out], /--cuda-libs .*no-such-dir: no such folder/],
      [['--node', join(ROOT, 'README.md'), '--out', out], /--node .*README\.md: not an executable file/],
    ];
    for (const [args, message] of cases) {
      const result = await runScript(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    assert.equal(existsSync(out), false);
  });

  it('stops with exit 3 on a machine without an NVIDIA GPU, saying so in summary.txt', { skip: gpuHere }, async () => {
    const out = await outDir();
    const result = await runScript(['--out', out, '--node', process.execPath]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /gpu-check: no NVIDIA GPU is visible .*run this on a GPU machine/);
    const summary = readFileSync(join(out, 'summary.txt'), 'utf8');
    assert.match(summary, new RegExp(`node {6}${process.execPath.replaceAll('/', '\\/')} \\(v\\d+`));
    assert.match(summary, /stopped: no NVIDIA GPU is visible/);
  });
});
