// The three CSV readers (byte scanner, its parallel range workers, csv-parse) give the same error, and
// the same reject reasons, for the same bad input: their messages come from csv-errors.ts.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { OnnxBatchError } from '../errors.js';
import { RejectList } from '../shared/chunk.js';
import { openCsvFast } from './csv-fast.js';
import { openCsvParallel } from './csv-parallel.js';
import { openCsv } from './csv-parse-reader.js';
import type { OpenedSource } from './source.js';

const READERS: Readonly<Record<string, (path: string) => Promise<OpenedSource>>> = {
  scanner: (path) => openCsvFast({ path, delimiter: ',' }),
  // Ranges of a few bytes: the bad record is met by a worker, not by the first read.
  'parallel workers': (path) => openCsvParallel({ path, delimiter: ',', workers: 2, rangeBytes: 4 }),
  'csv-parse': (path) => openCsv({ path, delimiter: ',' }),
};

/** Everything a user sees of an error: class, code, exit code, message, hint and where. */
function seen(error: unknown): unknown {
  assert.ok(error instanceof OnnxBatchError, `expected the tool's own error, got ${String(error)}`);
  return { class: error.constructor.name, code: error.code, exitCode: error.exitCode, message: error.message, hint: error.hint, context: error.context };
}

/** Reads the whole file with numeric columns a and b; returns the error or the rejects. */
async function read(open: (path: string) => Promise<OpenedSource>, path: string, skip: boolean): Promise<{ error?: unknown; rejects?: unknown }> {
  const rejects = skip ? new RejectList() : undefined;
  try {
    const source = await open(path);
    try {
      for await (const chunk of source.chunks({ chunkRows: 2, rowOffset: 0, numericColumns: new Set(['a', 'b']), ...(rejects === undefined ? {} : { rejects }) })) {
        assert.ok(chunk.rowCount > 0);
      }
    } finally {
      await source.close();
    }
  } catch (error) {
    return { error: seen(error) };
  }
  return { rejects: rejects?.take(0, Number.MAX_SAFE_INTEGER).map(({ line, column, reason, value }) => ({ line, column, reason, value })) };
}

const BAD_INPUTS: readonly { readonly name: string; readonly text: string; readonly expected: RegExp }[] = [
  { name: 'a text cell in a numeric column', text: 'a,b\n1,2\nz,3\n', expected: /^Bad value in .*x\.csv at line 3, column 'a': expected a number, got "z"$/ },
  { name: 'a record with too few fields', text: 'a,b\n1,2\n3\n4,5\n', expected: /at line 3: expected 2 fields as in the header, got 1$/ },
  { name: 'a record with too many fields', text: 'a,b\n1,2\n3,4,5\n', expected: /at line 3: expected 2 fields as in the header, got 3$/ },
  { name: 'a quote that is never closed', text: 'a,b\n1,2\n3,"x\n4,5\n', expected: /at line 3: a quoted field is not closed before the end of the input$/ },
  {
    name: 'a quote never closed, after blank lines and a record over two lines',
    text: 'a,b,c\n1,2,"two\nlines"\n\n\n3,4,"x\n5,6,7\n',
    expected: /at line 6: a quoted field is not closed before the end of the input$/,
  },
  { name: 'a quote in the middle of an unquoted field', text: 'a,b\n1,2\n3,x"y\n', expected: /at line 3: a quote in the middle of an unquoted field$/ },
  { name: 'a closing quote followed by a character', text: 'a,b\n1,2\n"3"x,4\n', expected: /at line 3: a closing quote is followed by a character other than the delimiter or a line break$/ },
  { name: 'an empty file', text: '', expected: /^CSV input .*x\.csv is empty: expected a header row$/ },
  { name: 'a header naming a column twice', text: 'a,b,a\n1,2,3\n', expected: /^CSV header of .*x\.csv names column 'a' twice \(fields 1 and 3\)$/ },
];

describe('the CSV readers give the same message for the same bad input', () => {
  let dir = '';
  before(async () => {
    dir = await tempDir('onnx-batch-csv-errors-');
  });

  BAD_INPUTS.forEach(({ name, text, expected }, index) => {
    it(name, async () => {
      const file = join(dir, `x${index}.csv`);
      await writeFile(file, text);
      const results = Object.fromEntries(await Promise.all(Object.entries(READERS).map(async ([reader, open]) => [reader, (await read(open, file, false)).error] as const)));
      const scanner = results['scanner'] as { message: string } | undefined;
      assert.ok(scanner !== undefined, 'the scanner refuses the input');
      assert.match(scanner.message.replace(file, 'x.csv'), expected);
      for (const [reader, error] of Object.entries(results)) assert.deepEqual(error, scanner, `${reader} against the scanner`);
    });
  });

  it('bad values and field counts under --on-error skip: the same rejects, lines and reasons', async () => {
    const file = join(dir, 'skip.csv');
    await writeFile(file, 'a,b\n1,2\nz,3\n4\n5,6,7\n8,n/a\n9,10\n');
    const results = await Promise.all(Object.values(READERS).map((open) => read(open, file, true)));
    assert.deepEqual(results[0], {
      rejects: [
        { line: 3, column: 'a', reason: 'expected a number', value: 'z' },
        { line: 4, column: undefined, reason: 'expected 2 fields as in the header, got 1', value: '' },
        { line: 5, column: undefined, reason: 'expected 2 fields as in the header, got 3', value: '' },
        { line: 6, column: 'b', reason: 'expected a number', value: 'n/a' },
      ],
    });
    for (const result of results.slice(1)) assert.deepEqual(result, results[0]);
  });
});
