import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { InputError } from '../errors.js';
import type { Column, ColumnChunk } from '../shared/chunk.js';
import { openCsv } from './csv-parse-reader.js';
import type { ChunkOptions, OpenedSource } from './source.js';

let directory = '';
let counter = 0;

before(async () => {
  directory = await tempDir('onnx-batch-csv-test-');
});

/** Writes `content` to a fresh file in the test directory and returns its path. */
async function file(content: string | Uint8Array, extension = 'csv'): Promise<string> {
  const path = join(directory, `input-${++counter}.${extension}`);
  await writeFile(path, content);
  return path;
}

function options(overrides: Partial<ChunkOptions> = {}): ChunkOptions {
  return { chunkRows: 1000, rowOffset: 0, numericColumns: new Set(), ...overrides };
}

async function readAll(source: OpenedSource, chunkOptions: ChunkOptions = options()): Promise<ColumnChunk[]> {
  const chunks: ColumnChunk[] = [];
  try {
    for await (const chunk of source.chunks(chunkOptions)) chunks.push(chunk);
  } finally {
    await source.close();
  }
  return chunks;
}

async function open(content: string | Uint8Array, delimiter = ','): Promise<OpenedSource> {
  return openCsv({ path: await file(content), delimiter });
}

/** Opens and reads a CSV text, returning the column names and all chunks. */
async function read(content: string, chunkOptions: ChunkOptions = options(), delimiter = ','): Promise<{ names: readonly string[]; chunks: ColumnChunk[] }> {
  const source = await open(content, delimiter);
  return { names: source.columnNames, chunks: await readAll(source, chunkOptions) };
}

function strings(chunk: ColumnChunk | undefined, name: string): readonly (string | null)[] {
  const column = chunk?.columns.get(name);
  assert.ok(column !== undefined && column.type === 'string', `column ${name} should be a string column`);
  return column.values;
}

function lines(chunks: readonly ColumnChunk[]): number[] {
  return chunks.flatMap((chunk) => [...(chunk.origin.lines ?? [])]);
}

/** An assert.throws/rejects matcher for an InputError with this code whose message matches every pattern. */
function inputError(code: string, ...patterns: RegExp[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  };
}

describe('openCsv header', () => {
  it('reads the column names from the header row', async () => {
    const source = await open('a,b,c\n1,2,3\n');
    assert.deepEqual(source.columnNames, ['a', 'b', 'c']);
    assert.equal(source.format, 'csv');
    await source.close();
  });

  it('refuses a header that names a column twice with CSV_MALFORMED naming the column', async () => {
    await assert.rejects(open('a,b,a\n1,2,3\n'), (error: unknown) => {
      inputError('CSV_MALFORMED', /'a'/, /twice/)(error);
      assert.equal((error as InputError).context.column, 'a');
      assert.equal((error as InputError).context.line, 1);
      return true;
    });
  });

  it("names an empty header field 'Unnamed: <i>' as pandas does", async () => {
    const source = await open(',a,\n0,1,2\n');
    assert.deepEqual(source.columnNames, ['Unnamed: 0', 'a', 'Unnamed: 2']);
    await source.close();
  });

  it('strips a UTF-8 byte order mark from the first column name', async () => {
    const { names, chunks } = await read('\uFEFFid,x\n1,2\n');
    assert.deepEqual(names, ['id', 'x']);
    assert.deepEqual(strings(chunks[0], 'id'), ['1']);
  });

  it('strips a UTF-8 byte order mark before a quoted first column name', async () => {
    const { names } = await read('\uFEFF"id",x\n1,2\n');
    assert.deepEqual(names, ['id', 'x']);
  });

  it('reads quoted header names with commas and quotes', async () => {
    const { names } = await read('"a,b","say ""hi""",c\n1,2,3\n');
    assert.deepEqual(names, ['a,b', 'say "hi"', 'c']);
  });

  it('refuses a zero-byte file with CSV_MALFORMED saying it is empty', async () => {
    await assert.rejects(open(''), inputError('CSV_MALFORMED', /empty/));
  });

  it('refuses a file of blank lines with CSV_MALFORMED saying it is empty', async () => {
    await assert.rejects(open('\n\n\n'), inputError('CSV_MALFORMED', /empty/));
  });

  it('refuses a UTF-16 LE file (byte order mark FF FE) with INPUT_UNREADABLE', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]);
    await assert.rejects(
      (async () => readAll(await open(bytes)))(),
      inputError('INPUT_UNREADABLE', /UTF-16/),
    );
  });

  it('refuses a UTF-16 BE file (byte order mark FE FF) with INPUT_UNREADABLE', async () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('a,b\n1,2\n', 'utf16le').swap16()]);
    await assert.rejects(
      (async () => readAll(await open(bytes)))(),
      inputError('INPUT_UNREADABLE', /UTF-16/),
    );
  });

  it('reports a missing file as INPUT_NOT_FOUND', async () => {
    await assert.rejects(openCsv({ path: join(directory, 'no-such-file.csv'), delimiter: ',' }), inputError('INPUT_NOT_FOUND'));
  });
});

describe('openCsv rows', () => {
  it('gives no chunks for a header-only file', async () => {
    const { names, chunks } = await read('a,b\n');
    assert.deepEqual(names, ['a', 'b']);
    assert.deepEqual(chunks, []);
  });

  it('gives no chunks for a header without a final newline', async () => {
    const { chunks } = await read('a,b');
    assert.deepEqual(chunks, []);
  });

  it('reads text columns as strings, with empty fields as null', async () => {
    const { chunks } = await read('name,city\nann,\n,paris\nbob,rome\n');
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0]?.rowCount, 3);
    assert.deepEqual(strings(chunks[0], 'name'), ['ann', null, 'bob']);
    assert.deepEqual(strings(chunks[0], 'city'), [null, 'paris', 'rome']);
  });

  it('reads a file without a final newline', async () => {
    const { chunks } = await read('a,b\n1,2\n3,4');
    assert.deepEqual(strings(chunks[0], 'a'), ['1', '3']);
    assert.deepEqual(lines(chunks), [2, 3]);
  });

  it('reads CRLF line endings without keeping the carriage return', async () => {
    const { names, chunks } = await read('a,b\r\n1,x\r\n2,y\r\n');
    assert.deepEqual(names, ['a', 'b']);
    assert.deepEqual(strings(chunks[0], 'b'), ['x', 'y']);
    assert.deepEqual(lines(chunks), [2, 3]);
  });

  it('reads quoted fields holding commas, doubled quotes and CRLF newlines', async () => {
    const { chunks } = await read('id,text\r\n1,"a, b"\r\n2,"he said ""no"""\r\n3,"two\r\nlines"\r\n4,plain\r\n');
    assert.deepEqual(strings(chunks[0], 'text'), ['a, b', 'he said "no"', 'two\r\nlines', 'plain']);
    assert.deepEqual(strings(chunks[0], 'id'), ['1', '2', '3', '4']);
  });

  it('numbers rows by physical line, counting a quoted CRLF newline as one line', async () => {
    const { chunks } = await read('id,text\r\n1,"two\r\nlines"\r\n2,x\r\n3,"three\r\nline\r\nfield"\r\n4,y\r\n');
    assert.deepEqual(strings(chunks[0], 'id'), ['1', '2', '3', '4']);
    assert.deepEqual(lines(chunks), [2, 4, 5, 8]);
  });

  it('numbers rows by physical line after a quoted LF newline', async () => {
    const { chunks } = await read('id,text\n1,"two\nlines"\n2,x\n');
    assert.deepEqual(lines(chunks), [2, 4]);
  });

  it('numbers rows by physical line across blank lines', async () => {
    const { chunks } = await read('a,b\n\n1,2\n\n\n3,4\n5,6\n\n');
    assert.deepEqual(strings(chunks[0], 'a'), ['1', '3', '5']);
    assert.deepEqual(lines(chunks), [3, 6, 7]);
  });

  it('numbers rows by physical line across blank lines before the header', async () => {
    const { names, chunks } = await read('\n\na,b\n1,2\n');
    assert.deepEqual(names, ['a', 'b']);
    assert.deepEqual(lines(chunks), [4]);
  });

  it('numbers rows by physical line across CRLF blank lines and a quoted CRLF newline', async () => {
    const { chunks } = await read('a,b\r\n\r\n1,"x\r\ny"\r\n\r\n2,z\r\n3,w\r\n');
    assert.deepEqual(strings(chunks[0], 'a'), ['1', '2', '3']);
    assert.deepEqual(lines(chunks), [3, 6, 7]);
  });

  it('numbers rows by physical line when the header itself spans two lines', async () => {
    const { names, chunks } = await read('"a\nb",c\n1,2\n3,4\n');
    assert.deepEqual(names, ['a\nb', 'c']);
    assert.deepEqual(lines(chunks), [3, 4]);
  });

  it('keeps line numbers right across chunk boundaries', async () => {
    const { chunks } = await read('a,b\n1,"x\ny"\n\n2,z\n3,w\n4,v\n', options({ chunkRows: 2 }));
    assert.deepEqual(chunks.map((chunk) => [...(chunk.origin.lines ?? [])]), [
      [2, 5],
      [6, 7],
    ]);
  });

  it('refuses a row with too many fields with CSV_MALFORMED at its line', async () => {
    const content = 'a,b\n1,2\n\n3,"x\ny"\n4,5,6\n';
    await assert.rejects(
      (async () => readAll(await open(content)))(),
      (error: unknown) => {
        inputError('CSV_MALFORMED', /line 6\b/, /expected 2 fields/, /got 3/)(error);
        assert.equal((error as InputError).context.line, 6);
        return true;
      },
    );
  });

  it('refuses a row with too few fields with CSV_MALFORMED at its line', async () => {
    await assert.rejects(
      (async () => readAll(await open('a,b,c\n1,2,3\n4,5\n')))(),
      inputError('CSV_MALFORMED', /line 3\b/, /got 2/),
    );
  });

  it('refuses an unterminated quote with CSV_MALFORMED', async () => {
    await assert.rejects(
      (async () => readAll(await open('a,b\n1,2\n3,"never closed\n4,5\n')))(),
      inputError('CSV_MALFORMED', /quoted field is not closed/),
    );
  });

  it('refuses an unterminated quote in the header with CSV_MALFORMED', async () => {
    await assert.rejects(open('a,"b\n1,2\n'), inputError('CSV_MALFORMED'));
  });

  it('delivers chunks of chunkRows rows, the last one shorter', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => `${i},v${i}`).join('\n');
    const { chunks } = await read(`a,b\n${rows}\n`, options({ chunkRows: 3 }));
    assert.deepEqual(chunks.map((chunk) => chunk.rowCount), [3, 3, 1]);
    assert.deepEqual(chunks.map((chunk) => strings(chunk, 'a')), [['0', '1', '2'], ['3', '4', '5'], ['6']]);
  });

  it('delivers exactly full chunks when the row count is a multiple of chunkRows', async () => {
    const { chunks } = await read('a\n1\n2\n3\n4\n', options({ chunkRows: 2 }));
    assert.deepEqual(chunks.map((chunk) => chunk.rowCount), [2, 2]);
  });

  it('numbers chunks from rowOffset and counts firstRowInSource from 0', async () => {
    const { chunks } = await read('a\n1\n2\n3\n4\n5\n', options({ chunkRows: 2, rowOffset: 40 }));
    assert.deepEqual(chunks.map((chunk) => chunk.rowOffset), [40, 42, 44]);
    assert.deepEqual(chunks.map((chunk) => chunk.origin.firstRowInSource), [0, 2, 4]);
    for (const chunk of chunks) assert.ok(chunk.origin.source.endsWith('.csv'));
  });

  it('reads fields separated by semicolons', async () => {
    const { names, chunks } = await read('a;b\n1,5;"x;y"\n', options(), ';');
    assert.deepEqual(names, ['a', 'b']);
    assert.deepEqual(strings(chunks[0], 'a'), ['1,5']);
    assert.deepEqual(strings(chunks[0], 'b'), ['x;y']);
  });

  it('reads fields separated by tabs', async () => {
    const { names, chunks } = await read('a\tb c\n1,5\tx y\n', options(), '\t');
    assert.deepEqual(names, ['a', 'b c']);
    assert.deepEqual(strings(chunks[0], 'a'), ['1,5']);
    assert.deepEqual(strings(chunks[0], 'b c'), ['x y']);
  });

  it('counts the bytes read', async () => {
    const content = 'a,b\n1,2\n3,4\n';
    const source = await open(content);
    await readAll(source);
    assert.equal(source.bytesRead(), Buffer.byteLength(content));
  });
});

describe('openCsv columns', () => {
  it('leaves out the columns no stage reads, still checking every row has all its fields', async () => {
    const { chunks } = await read('x,skip me,y\n1,"a, b",u\n2,c,v\n', options({ numericColumns: new Set(['x']), columns: new Set(['x', 'y']) }));
    assert.deepEqual([...(chunks[0]?.columns.keys() ?? [])], ['x', 'y']);
    assert.deepEqual((chunks[0]?.columns.get('y') as Column).values, ['u', 'v']);
    const source = await openCsv({ path: await file('x,skip me,y\n1,2\n'), delimiter: ',' });
    await assert.rejects(readAll(source, options({ numericColumns: new Set(['x']), columns: new Set(['x']) })), /expected 3 fields as in the header, got 2/);
  });
});

describe('openCsv numeric columns', () => {
  it('parses numericColumns into Float64Array with nulls for empty fields', async () => {
    const { chunks } = await read('x,y,s\n1.5,-2,a\n,1e3,b\n NaN ,inf,\n', options({ numericColumns: new Set(['x', 'y']) }));
    const x = chunks[0]?.columns.get('x') as Column;
    const y = chunks[0]?.columns.get('y') as Column;
    assert.equal(x.type, 'float64');
    assert.ok(x.values instanceof Float64Array);
    assert.ok(x.type === 'float64' && y.type === 'float64');
    assert.deepEqual([...x.values], [1.5, Number.NaN, Number.NaN]);
    assert.deepEqual([...(x.nulls ?? [])], [0, 1, 0]);
    assert.deepEqual([...y.values], [-2, 1000, Number.POSITIVE_INFINITY]);
    assert.deepEqual([...(y.nulls ?? [])], [0, 0, 0]);
    assert.deepEqual(strings(chunks[0], 's'), ['a', 'b', null]);
  });

  for (const bad of ['abc', '0x1A', ' ']) {
    it(`refuses ${JSON.stringify(bad)} in a numeric column with BAD_VALUE naming file, line and column`, async () => {
      const path = await file(`id,x\n1,2\n\n2,${bad}\n`);
      const source = await openCsv({ path, delimiter: ',' });
      await assert.rejects(readAll(source, options({ numericColumns: new Set(['x']) })), (error: unknown) => {
        inputError('BAD_VALUE', /line 4\b/, /'x'/, new RegExp(JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))(error);
        assert.ok((error as InputError).message.includes(path), 'the message names the file');
        assert.deepEqual((error as InputError).context, { file: path, line: 4, column: 'x' });
        return true;
      });
    });
  }

  it('leaves a column that is not numeric as text even when it holds numbers', async () => {
    const { chunks } = await read('x,y\n1,2\n', options({ numericColumns: new Set(['y']) }));
    assert.deepEqual(strings(chunks[0], 'x'), ['1']);
    assert.equal(chunks[0]?.columns.get('y')?.type, 'float64');
  });
});
