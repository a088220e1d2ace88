// End to end: a CLI in a pipeline (issue 10): a reader that stops early (exit 5) or takes every row
// and then exits (exit 0, quietly), for CSV, JSON Lines and Arrow stream output; a full disk; and
// the errors commander raises itself, all with one documented exit code and no stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
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
  for (const format of ['csv', 'jsonl', 'arrows']) {
    it(`a reader that closes the pipe early (| head) ends the run with exit 5 and one line, no stack trace (${format})`, async () => {
      const dir = await tempDir();
      const input = await largeInput(dir);
      const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', input, '-o', '-', '--output-format', format], {
        cwd: dir,
        onSpawn: (child) => child.stdout?.once('data', () => child.stdout?.destroy()),
      });
      assert.equal(result.code, 5, result.stderr);
      assert.match(result.stderr, /^onnx-batch: error: Cannot write output stdout: the reader closed the pipe before all rows were written$/m);
      assert.doesNotMatch(result.stderr, STACK);
      assert.doesNotMatch(result.stderr, /internal error/);
    });
  }

  // The other half of the rule: a shell pipeline whose reader takes every row and then exits (as
  // `head` does once it has its lines or bytes, whether or not the writer is done) is a success.
  for (const [format, reader, count] of [
    ['csv', 'head -n 100000', (out: Buffer) => out.toString('utf8').trim().split('\n').length - 1],
    ['csv', 'head -n 15001', (out: Buffer) => out.toString('utf8').trim().split('\n').length - 1],
    ['jsonl', 'head -n 100000', (out: Buffer) => out.toString('utf8').trim().split('\n').length],
    ['arrows', 'head -c 100000000', (out: Buffer) => tableFromIPC(out).numRows],
  ] as const) {
    it(`sh -c '... -o - --output-format ${format} | ${reader}': a reader that takes every row, then exits: exit 0, no error`, async () => {
      const dir = await tempDir();
      const input = await largeInput(dir);
      const bin = join(ROOT, 'bin', 'onnx-batch.js');
      const script = `{ "${process.execPath}" "${bin}" score -m "${join(IRIS, 'model.onnx')}" -i "${input}" -o - --output-format ${format} 2>err.txt; echo $? >code.txt; } | ${reader} >out`;
      const shell = spawnSync('sh', ['-c', script], { cwd: dir });
      assert.equal(shell.status, 0, shell.stderr.toString());
      const stderr = readFileSync(join(dir, 'err.txt'), 'utf8');
      assert.equal(readFileSync(join(dir, 'code.txt'), 'utf8').trim(), '0', stderr);
      assert.doesNotMatch(stderr, /error|EPIPE/i);
      assert.match(stderr, /^onnx-batch: scored 15000 rows in .* -> stdout$/m);
      assert.equal(count(readFileSync(join(dir, 'out'))), 15000);
    });
  }

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
