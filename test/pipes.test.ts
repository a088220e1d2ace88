// End to end: a CLI in a pipeline (issue 10): a reader that stops early, a full disk, and the
// errors commander raises itself, all with one documented exit code and no stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, runCli, tempDir } from './helpers/cli.js';

const IRIS = join(FIXTURES, 'iris-csv');
const STACK = /^\s+at .*:\d+:\d+\)?$/m;

/** The iris rows, repeated until the output is far larger than a pipe's buffer. */
async function largeInput(dir: string): Promise<string> {
  const [header, ...rows] = readFileSync(join(IRIS, 'input.csv'), 'utf8').trim().split('\n');
  const path = join(dir, 'big.csv');
  await writeFile(path, `${header}\n${Array.from({ length: 100 }, () => rows.join('\n')).join('\n')}\n`);
  return path;
}

describe('pipes and full disks', () => {
  it('a reader that closes the pipe early (| head) ends the run with exit 5 and one line, no stack trace', async () => {
    const dir = await tempDir();
    const input = await largeInput(dir);
    const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', input, '-o', '-'], {
      cwd: dir,
      onSpawn: (child) => child.stdout?.once('data', () => child.stdout?.destroy()),
    });
    assert.equal(result.code, 5, result.stderr);
    assert.match(result.stderr, /^onnx-batch: error: Cannot write output stdout: the reader closed the pipe before all rows were written$/m);
    assert.doesNotMatch(result.stderr, STACK);
    assert.doesNotMatch(result.stderr, /internal error/);
  });

  it('a reader that reads everything: exit 0', async () => {
    const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', join(IRIS, 'input.csv'), '-o', '-', '-q']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim().split('\n').length, 151);
  });

  it('stdout on a full disk (/dev/full) is exit 5 naming stdout, for score and for inspect', { skip: !existsSync('/dev/full') }, () => {
    const full = openSync('/dev/full', 'w');
    try {
      const bin = join(ROOT, 'bin', 'onnx-batch.js');
      const score = spawnSync(process.execPath, [bin, 'score', '-m', join(IRIS, 'model.onnx'), '-i', join(IRIS, 'input.csv'), '-o', '-'], { stdio: ['ignore', full, 'pipe'] });
      assert.equal(score.status, 5, score.stderr.toString());
      assert.match(score.stderr.toString(), /^onnx-batch: error: Cannot write output stdout: no space left on the device$/m);
      assert.doesNotMatch(score.stderr.toString(), STACK);
      const inspect = spawnSync(process.execPath, [bin, 'inspect', join(IRIS, 'model.onnx')], { stdio: ['ignore', full, 'pipe'] });
      assert.equal(inspect.status, 5, inspect.stderr.toString());
      assert.match(inspect.stderr.toString(), /^onnx-batch: error: cannot write to stdout: ENOSPC/m);
    } finally {
      closeSync(full);
    }
  });
});

describe("commander's own errors read like every other error", () => {
  for (const [what, args, message] of [
    ['a missing -m', ['score', '-i', 'in.csv', '-o', 'out.csv'], "required option '-m, --model <path>' not specified"],
    ['an unknown command', ['bogus'], "unknown command 'bogus'"],
    ['a value outside the choices', ['score', '-m', 'm.onnx', '-i', 'in.csv', '-o', 'o.csv', '--on-error', 'maybe'], "option '--on-error <mode>' argument 'maybe' is invalid"],
  ] as const) {
    it(`${what}: "onnx-batch: error:" first, a hint, exit 2`, async () => {
      const result = await runCli(args);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(result.stderr.startsWith(`onnx-batch: error: ${message}`), result.stderr);
      assert.match(result.stderr, /\n {2}hint: run `onnx-batch (score )?--help` for usage\n$/);
    });
  }
});
