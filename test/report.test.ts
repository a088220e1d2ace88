// End to end: reports of succeeded and failed runs validate against the published JSON Schema.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { FIXTURES, ROOT, runCli, tempDir } from './helpers/cli.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, validateFormats: false }).compile(schema);

describe('report schema', () => {
  it('a succeeded run (ZipMap model, Arrow input) writes a valid report', async () => {
    const dir = join(FIXTURES, 'zipmap');
    const out = join(await tempDir(), 'out.csv');
    const args = readFileSync(join(dir, 'args'), 'utf8').split('\n').filter((line) => line !== '');
    const result = await runCli(['score', '-m', join(dir, 'model.onnx'), '-i', join(dir, 'input.arrow'), '-o', out, ...args]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(readFileSync(`${out}.report.json`, 'utf8')) as { feeds: { mapping: string; batchSize: number } };
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.equal(report.feeds.mapping, 'features');
    // --batch-size auto (the default) picks a power of two for the model, and the report says which.
    assert.ok(Number.isInteger(Math.log2(report.feeds.batchSize)) && report.feeds.batchSize >= 64 && report.feeds.batchSize <= 16384, String(report.feeds.batchSize));
  });

  it('a failed run writes a valid report with the error and its location', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'in.csv'), 'a,b,c,d\n1,2,3,4\n1,2,oops,4\n');
    const result = await runCli(['score', '-m', join(FIXTURES, 'iris-csv', 'model.onnx'), '-i', 'in.csv', '-o', 'out.csv', '-b', '100'], { cwd: dir });
    assert.equal(result.code, 3);
    const report = JSON.parse(readFileSync(join(dir, 'out.csv.report.json'), 'utf8')) as { status: string; feeds: { batchSize: number }; error: { code: string; context: object } };
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.equal(report.status, 'failed');
    assert.equal(report.feeds.batchSize, 100);
    assert.equal(report.error.code, 'BAD_VALUE');
    assert.deepEqual(report.error.context, { file: 'in.csv', line: 3, column: 'c' });
  });
});

describe('report schema with rejects', () => {
  it('a run that skips bad rows writes a valid report with its rejects', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'in.csv'), 'a,b,c,d\n1,2,3,4\n1,2,oops,4\n');
    const result = await runCli(['score', '-m', join(FIXTURES, 'iris-csv', 'model.onnx'), '-i', 'in.csv', '-o', 'out.csv', '--on-error', 'skip', '--max-errors', '1'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(readFileSync(join(dir, 'out.csv.report.json'), 'utf8')) as { rejects: { count: number } };
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.equal(report.rejects.count, 1);
  });
});
