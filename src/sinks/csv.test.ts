import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Random } from '../../test/helpers/assertions.js';
import { tempDir } from '../../test/helpers/temp-dir.js';
import type { Column } from '../shared/chunk.js';
import { formatFloat32, formatFloat64 } from '../shared/values.js';
import { openCsvSink, quoteField } from './csv.js';

let root = '';
let counter = 0;

before(async () => {
  root = await tempDir('onnx-batch-sink-test-');
});

/** A fresh empty directory for one test, so its listing shows only what the sink left. */
async function freshDirectory(): Promise<string> {
  return mkdtemp(join(root, `case-${++counter}-`));
}

function batch(columns: Record<string, Column>): Map<string, Column> {
  return new Map(Object.entries(columns));
}

/** Writes the batches through a sink and returns the committed file's text. */
async function writeCsv(batches: { columns: Map<string, Column>; rows: number }[], columnNames: string[] = []): Promise<string> {
  const path = join(await freshDirectory(), 'out.csv');
  const sink = await openCsvSink({ path, columnNames });
  for (const { columns, rows } of batches) await sink.write(columns, rows);
  await sink.commit();
  return readFile(path, 'utf8');
}

describe('quoteField', () => {
  it('leaves plain text as it is', () => {
    assert.equal(quoteField('hello world'), 'hello world');
    assert.equal(quoteField(''), '');
    assert.equal(quoteField(' padded '), ' padded ');
    assert.equal(quoteField("it's"), "it's");
  });

  it('quotes a field holding a comma', () => {
    assert.equal(quoteField('a,b'), '"a,b"');
  });

  it('quotes a field holding a quote, doubling the quote', () => {
    assert.equal(quoteField('say "hi"'), '"say ""hi"""');
    assert.equal(quoteField('"'), '""""');
  });

  it('quotes a field holding a line feed or a carriage return', () => {
    assert.equal(quoteField('two\nlines'), '"two\nlines"');
    assert.equal(quoteField('two\r\nlines'), '"two\r\nlines"');
    assert.equal(quoteField('cr\r'), '"cr\r"');
  });
});

describe('openCsvSink', () => {
  it('writes a header row and one line per row', async () => {
    const text = await writeCsv([
      {
        columns: batch({ id: { type: 'string', values: ['a', 'b'] }, score: { type: 'float64', values: Float64Array.from([0.5, 2]) } }),
        rows: 2,
      },
    ]);
    assert.equal(text, 'id,score\na,0.5\nb,2\n');
  });

  it('writes the header only once across batches', async () => {
    const text = await writeCsv([
      { columns: batch({ x: { type: 'int32', values: Int32Array.from([1]) } }), rows: 1 },
      { columns: batch({ x: { type: 'int32', values: Int32Array.from([2, 3]) } }), rows: 2 },
    ]);
    assert.equal(text, 'x\n1\n2\n3\n');
  });

  it('quotes header names and string values that need it', async () => {
    const text = await writeCsv([
      { columns: batch({ 'a,b': { type: 'string', values: ['x,y', 'say "hi"', 'two\nlines', 'plain'] } }), rows: 4 },
    ]);
    assert.equal(text, '"a,b"\n"x,y"\n"say ""hi"""\n"two\nlines"\nplain\n');
  });

  it('writes missing values as empty fields', async () => {
    const nulls = Uint8Array.from([0, 1]);
    const text = await writeCsv([
      {
        columns: batch({
          s: { type: 'string', values: [null, 'b'] },
          f32: { type: 'float32', values: Float32Array.from([1, 0]), nulls },
          f64: { type: 'float64', values: Float64Array.from([1, 0]), nulls },
          i64: { type: 'int64', values: BigInt64Array.from([1n, 0n]), nulls },
          i32: { type: 'int32', values: Int32Array.from([1, 0]), nulls },
          b: { type: 'bool', values: Uint8Array.from([1, 0]), nulls },
        }),
        rows: 2,
      },
    ]);
    assert.equal(text, 's,f32,f64,i64,i32,b\n,1,1,1,1,true\nb,,,,,\n');
  });

  it('writes float32 values in their shortest round-tripping text', async () => {
    const values = Float32Array.from([0.1, 1 / 3, 1e-8, 3.4e38, -2.5, Number.NaN, Number.POSITIVE_INFINITY]);
    const text = await writeCsv([{ columns: batch({ p: { type: 'float32', values } }), rows: values.length }]);
    assert.equal(text, 'p\n0.1\n0.33333334\n1e-8\n3.4e+38\n-2.5\nNaN\nInfinity\n');
  });

  it('writes float64 values in their shortest round-tripping text', async () => {
    const text = await writeCsv([{ columns: batch({ p: { type: 'float64', values: Float64Array.from([0.1, 1 / 3, 1e21]) } }), rows: 3 }]);
    assert.equal(text, 'p\n0.1\n0.3333333333333333\n1e+21\n');
  });

  it('writes int64 values exactly, beyond 2^53', async () => {
    const values = BigInt64Array.from([2n ** 62n + 1n, -(2n ** 63n), 0n]);
    const text = await writeCsv([{ columns: batch({ label: { type: 'int64', values } }), rows: 3 }]);
    assert.equal(text, 'label\n4611686018427387905\n-9223372036854775808\n0\n');
  });

  it('writes bool values as true and false', async () => {
    const text = await writeCsv([{ columns: batch({ ok: { type: 'bool', values: Uint8Array.from([1, 0, 1]) } }), rows: 3 }]);
    assert.equal(text, 'ok\ntrue\nfalse\ntrue\n');
  });

  it('writes only rowCount rows of a batch', async () => {
    const text = await writeCsv([{ columns: batch({ x: { type: 'int32', values: Int32Array.from([1, 2, 3]) } }), rows: 2 }]);
    assert.equal(text, 'x\n1\n2\n');
  });

  it('writes just the header from columnNames when no batch arrives', async () => {
    const text = await writeCsv([], ['id', 'p,q']);
    assert.equal(text, 'id,"p,q"\n');
  });

  it('reports the path, format, rows and bytes at commit', async () => {
    const path = join(await freshDirectory(), 'out.csv');
    const sink = await openCsvSink({ path, columnNames: ['x'] });
    await sink.write(batch({ x: { type: 'string', values: ['é', 'b'] } }), 2);
    const summary = await sink.commit();
    const bytes = (await readFile(path)).length;
    const sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
    assert.deepEqual(summary, { path, format: 'csv', rows: 2, bytes, sha256 });
    assert.equal(bytes, Buffer.byteLength('x\né\nb\n'));
  });

  it('creates the file under its final name only at commit', async () => {
    const directory = await freshDirectory();
    const path = join(directory, 'out.csv');
    const sink = await openCsvSink({ path, columnNames: ['x'] });
    await sink.write(batch({ x: { type: 'int32', values: Int32Array.from([1]) } }), 1);
    assert.deepEqual((await readdir(directory)).filter((name) => name === 'out.csv'), [], 'no file under the final name before commit');
    await sink.commit();
    assert.deepEqual(await readdir(directory), ['out.csv'], 'only the final file after commit');
    assert.equal(await readFile(path, 'utf8'), 'x\n1\n');
  });

  it('leaves nothing behind on abort', async () => {
    const directory = await freshDirectory();
    const path = join(directory, 'out.csv');
    const sink = await openCsvSink({ path, columnNames: ['x'] });
    await sink.write(batch({ x: { type: 'int32', values: Int32Array.from([1, 2]) } }), 2);
    await sink.abort();
    assert.deepEqual(await readdir(directory), []);
  });

  it('leaves an existing file untouched on abort', async () => {
    const directory = await freshDirectory();
    const path = join(directory, 'out.csv');
    const first = await openCsvSink({ path, columnNames: ['x'] });
    await first.write(batch({ x: { type: 'int32', values: Int32Array.from([7]) } }), 1);
    await first.commit();
    const second = await openCsvSink({ path, columnNames: ['x'] });
    await second.write(batch({ x: { type: 'int32', values: Int32Array.from([8]) } }), 1);
    await second.abort();
    assert.deepEqual(await readdir(directory), ['out.csv']);
    assert.equal(await readFile(path, 'utf8'), 'x\n7\n');
  });
});

describe('openCsvSink on random batches', () => {
  const PIECES = ['a', 'Z', '7', ' ', ',', '"', '\n', '\r', '\r\n', 'é', '中', '😀', '=', '+', '-', '@', '\t', "'"];

  function randomText(random: Random): string | null {
    if (random.chance(0.1)) return null;
    return Array.from({ length: random.int(6) }, () => random.pick(PIECES)).join('');
  }

  /** What a cell should read, built with strings: the writer of before this sink wrote bytes. */
  function expectedCell(column: Column, i: number, csvSafe: boolean): string {
    if (column.type === 'string') {
      const text = column.values[i] ?? null;
      if (text === null) return '';
      return quoteField(csvSafe && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
    }
    if (column.nulls?.[i] === 1) return '';
    if (column.type === 'float32') return formatFloat32(column.values[i] as number);
    if (column.type === 'float64') return formatFloat64(column.values[i] as number);
    if (column.type === 'bool') return column.values[i] === 1 ? 'true' : 'false';
    return String(column.values[i]);
  }

  it('writes what string building writes, for every column type, nulls, quoting and UTF-8', async () => {
    const random = new Random(23);
    for (const csvSafe of [false, true]) {
      const batches: { columns: Map<string, Column>; rows: number }[] = [];
      let expected = 'text,f32,f64,i32,i64,flag\n';
      for (const rows of [0, 1, 17, 300]) {
        const nulls = Uint8Array.from({ length: rows }, () => (random.chance(0.15) ? 1 : 0));
        const bits = Uint32Array.from({ length: 2 * rows }, () => random.int(4294967296));
        const columns = batch({
          text: { type: 'string', values: Array.from({ length: rows }, () => randomText(random)) },
          f32: { type: 'float32', values: new Float32Array(bits.buffer, 0, rows), nulls },
          f64: { type: 'float64', values: Float64Array.from({ length: rows }, () => (random.int(2000) - 1000) / 7) },
          i32: { type: 'int32', values: Int32Array.from({ length: rows }, () => random.int(4294967296) | 0), nulls },
          i64: { type: 'int64', values: BigInt64Array.from({ length: rows }, () => BigInt(random.int(4294967296)) * 3_000_000_007n) },
          flag: { type: 'bool', values: Uint8Array.from({ length: rows }, () => random.int(2)), nulls },
        });
        batches.push({ columns, rows });
        for (let i = 0; i < rows; i++) expected += `${[...columns.values()].map((column) => expectedCell(column, i, csvSafe)).join(',')}\n`;
      }
      const path = join(await freshDirectory(), 'out.csv');
      const sink = await openCsvSink({ path, columnNames: ['text', 'f32', 'f64', 'i32', 'i64', 'flag'], csvSafe });
      for (const { columns, rows } of batches) await sink.write(columns, rows);
      await sink.commit();
      assert.equal(await readFile(path, 'utf8'), expected, `csvSafe ${csvSafe}`);
    }
  });
});

