// Half precision end to end: float16 model inputs fed from numeric columns (rounded as numpy's
// astype(float16) rounds), float16 outputs written as numbers, overflow refused by row, and bfloat16
// refused by name. The reference bits come from numpy (fixtures/float16/make_float16.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { toFloat16Bits } from '../src/shared/half-float.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const HALF = join(FIXTURES, 'float16');
const expected = JSON.parse(readFileSync(join(HALF, 'expected.json'), 'utf8')) as Record<'x_echo' | 'y' | 'z' | 'w', number[][]>;

/** The output CSV as header and rows of cells. */
async function scored(model: string, extra: readonly string[] = [], input = join(HALF, 'input.csv')): Promise<{ header: string[]; rows: string[][]; out: string }> {
  const out = join(await tempDir(), 'out.csv');
  const result = await runCli(['score', '-m', join(HALF, model), '-i', input, '-o', out, '--keep', 'none', ...extra]);
  assert.equal(result.code, 0, result.stderr);
  const [header = '', ...lines] = (await readFile(out, 'utf8')).trim().split('\n');
  return { header: header.split(','), rows: lines.map((line) => line.split(',')), out };
}

/** The float16 bits of written cells: each is a float32's shortest text, and every float16 is a float32. */
function bitsOf(rows: string[][], from: number, width: number): number[][] {
  return rows.map((row) => row.slice(from, from + width).map((cell) => toFloat16Bits(Math.fround(Number(cell)))));
}

describe('float16 models', () => {
  it('feeds numeric columns to a float16 input rounded as numpy does, bit for bit, and writes float16 outputs as numbers', async () => {
    const { header, rows } = await scored('model.onnx');
    assert.deepEqual(header, ['y_0', 'y_1', 'x_echo_0', 'x_echo_1', 'x_echo_2', 'x_echo_3']);
    assert.deepEqual(bitsOf(rows, 2, 4), expected.x_echo, 'x_echo: the input as the model received it');
    assert.deepEqual(bitsOf(rows, 0, 2), expected.y, 'y: float32 arithmetic cast to float16');
    // The first row holds 0.1, 1000, -2^-24 and 1/3; written as the float16 values they became.
    assert.deepEqual(rows[0]?.slice(2), ['0.099975586', '1000', '-5.9604645e-8', '0.33325195']);
  });

  it('runs a graph that is float16 throughout (no Cast) bit for bit as numpy', async () => {
    const { header, rows } = await scored('direct.onnx');
    assert.deepEqual(header, ['z_0', 'z_1', 'z_2', 'z_3', 'w_0', 'w_1', 'w_2', 'w_3']);
    assert.deepEqual(bitsOf(rows, 0, 4), expected.z, 'z = x * s');
    assert.deepEqual(bitsOf(rows, 4, 4), expected.w, 'w = x + t');
  });

  it('a value beyond the float16 range is a bad row naming the model input and the value', async () => {
    const dir = await tempDir();
    const input = join(dir, 'input.csv');
    await writeFile(input, 'a,b,c,d\n1,2,3,4\n0,-65519.99,0,65519.99\n1,70000,2,3\n-1e6,0,0,0\n');
    const failed = await runCli(['score', '-m', join(HALF, 'direct.onnx'), '-i', input, '-o', join(dir, 'fail.csv')]);
    assert.equal(failed.code, 3, failed.stderr);
    // Columns are converted one after the other: column a's bad value (line 5) is met before b's (line 4).
    assert.match(failed.stderr.split('\n')[0] ?? '', /line 5, column 'a' \(model input 'x', float16\): out of float16 range \(the largest float16 is 65504\), got "-1000000"/);
    const { rows, out } = await scored('direct.onnx', ['--on-error', 'skip', '--max-errors', '2'], input);
    // 65519.99 still rounds to the largest float16 (65504), as numpy rounds it; 70000 and -1e6 do not fit.
    assert.equal(rows.length, 2);
    const rejects = await readFile(`${out}.rejects.csv`, 'utf8');
    assert.match(rejects, /,4,2,b,"out of float16 range \(the largest float16 is 65504\) \(model input 'x', float16\)","1,70000,2,3"/);
    assert.match(rejects, /,5,3,a,"out of float16 range .*","-1e6,0,0,0"/);
  });

  it('a missing value in a float16 input makes the row bad (--missing auto), naming the input', async () => {
    const dir = await tempDir();
    const input = join(dir, 'input.csv');
    await writeFile(input, 'a,b,c,d\n1,2,3,4\n1,,3,4\n');
    const refused = await runCli(['score', '-m', join(HALF, 'direct.onnx'), '-i', input, '-o', join(dir, 'refused.csv')]);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr.split('\n')[0] ?? '', /line 3, column 'b' \(model input 'x', float16\): (a missing value|NaN), which the model does not handle here \(--missing auto\)/);
  });

  it('refuses a bfloat16 input by name (exit 4): onnxruntime-node has no bfloat16 tensors', async () => {
    const dir = await tempDir();
    const input = join(dir, 'input.csv');
    await writeFile(input, 'a,b\n1,2\n');
    const result = await runCli(['score', '-m', join(HALF, 'bfloat16.onnx'), '-i', input, '-o', join(dir, 'out.csv')]);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr.split('\n')[0] ?? '', /Model input 'x' of .*bfloat16\.onnx has type bfloat16, which onnxruntime-node 1\.29 cannot pass in or out/);
    assert.match(result.stderr, /hint: export the model with float16 or float32 inputs and outputs/);
  });
});
