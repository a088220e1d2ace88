// End to end: Arrow columns of every numeric kind, with nulls, over several record batches, score
// and are written exactly as the same rows given as CSV (empty fields for the nulls).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Bool, Field, Float32, Float64, Int32, Int64, RecordBatch, Schema, Struct, Table, makeData, tableToIPC, vectorFromArray, type DataType } from 'apache-arrow';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { Random } from './helpers/assertions.js';

const IRIS = join(FIXTURES, 'iris-csv');
const FEATURES = ['a', 'b', 'c', 'd'];

interface ColumnSpec {
  readonly name: string;
  readonly type: DataType;
  readonly value: (random: Random) => number | bigint | boolean;
  readonly text: (value: number | bigint | boolean) => string;
}

const COLUMNS: readonly ColumnSpec[] = [
  ...FEATURES.map((name) => ({ name, type: new Float32(), value: (random: Random) => Math.fround(random.int(80) / 10), text: String })),
  { name: 'f64', type: new Float64(), value: (random) => random.int(1000) / 8, text: String },
  { name: 'i32', type: new Int32(), value: (random) => random.int(2000) - 1000, text: String },
  { name: 'i64', type: new Int64(), value: (random) => BigInt(random.int(1 << 30)) * 8_000_000_000n, text: String },
  { name: 'flag', type: new Bool(), value: (random) => random.chance(0.5), text: String },
];

describe('Arrow columns', () => {
  it('reads floats, ints and booleans with nulls, batch after batch, as the same rows in CSV', async () => {
    const dir = await tempDir();
    const random = new Random(41);
    const schema = new Schema(COLUMNS.map((column) => new Field(column.name, column.type, true)));
    const batches: RecordBatch[] = [];
    const lines: string[] = [COLUMNS.map((column) => column.name).join(',')];
    // Batch sizes that are not multiples of 8, so validity and boolean bits start mid-byte in the file's rows.
    for (const rows of [13, 1, 70, 29]) {
      const cells = COLUMNS.map((column) => Array.from({ length: rows }, () => (random.chance(0.2) ? null : column.value(random))));
      const children = COLUMNS.map((column, c) => vectorFromArray(cells[c] as never[], column.type).data[0] as never);
      batches.push(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children })));
      for (let r = 0; r < rows; r++) lines.push(COLUMNS.map((column, c) => (cells[c]?.[r] === null ? '' : column.text(cells[c]?.[r] as number))).join(','));
    }
    await writeFile(join(dir, 'in.arrow'), tableToIPC(new Table(schema, batches), 'file'));
    await writeFile(join(dir, 'in.csv'), `${lines.join('\n')}\n`);
    const outputs: string[] = [];
    for (const input of ['in.arrow', 'in.csv']) {
      const output = `${input}.out.csv`;
      const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', input, '-o', output, '--features', FEATURES.join(','), '--keep', 'f64,i32,i64,flag', '-b', '16', '--on-error', 'skip', '--max-errors', '100%'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      outputs.push(await readFile(join(dir, output), 'utf8'));
    }
    const [fromArrow, fromCsv] = outputs as [string, string];
    // Rows with a null feature give NaN predictions, which are rejected (issue 10): the same rows in both.
    assert.ok(fromArrow.split('\n').length > 10);
    assert.ok(fromArrow.includes(',true,') && fromArrow.includes(',false,'), 'booleans are written as true and false');
    assert.equal(fromArrow, fromCsv);
  });
});
