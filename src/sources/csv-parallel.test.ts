// csv-parallel.ts against csv-fast.ts: the same chunks, lines, records, rejects and errors, with
// ranges small enough that files are cut into hundreds of them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Random } from '../../test/helpers/assertions.js';
import { InternalError } from '../errors.js';
import { RejectList, type Reject } from '../shared/chunk.js';
import { openCsvFast } from './csv-fast.js';
import { openCsvParallel } from './csv-parallel.js';
import type { OpenedSource } from './source.js';

const dir = mkdtempSync(join(tmpdir(), 'csv-parallel-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

function writeCsv(content: string | Buffer): string {
  const path = join(dir, `f${fileCount++}.csv`);
  writeFileSync(path, content);
  return path;
}


interface Generated {
  rows: number;
  seed: number;
  eol?: '\n' | '\r\n' | '\r';
  bom?: boolean;
  /** Row index -> a replacement line (a bad value, a ragged row, malformed quoting). */
  inject?: Readonly<Record<number, string>>;
  /** Chance of a blank line before a row. */
  blank?: number;
  /** No line break after the last row. */
  noFinalBreak?: boolean;
  quotes?: boolean;
}

/** Columns id, a, txt, b, note, c; a, b and c are the numeric ones. */
function generate(options: Generated): string {
  const random = new Random(options.seed);
  const eol = options.eol ?? '\n';
  const quotes = options.quotes ?? true;
  const lines: string[] = ['id,a,txt,b,note,c'];
  const number = (): string => random.pick(['', `${random.int(1000) - 500}`, `${random.int(100000) / 1000}`, `-${random.int(99)}e-3`, ' 7 ', quotes ? `"${random.int(50)}.25"` : '3.5']);
  const text = (): string => {
    if (!quotes) return random.pick(['', 'plain', 'two words', 'ünïcødé', `w${random.int(1000)}`]);
    return random.pick([
      '',
      'plain',
      '"has, comma"',
      '"has\nnewline"',
      '"has\r\ncrlf"',
      '"has\rcr"',
      '"say ""hi"""',
      '"\n"',
      '"\n\n,\n"',
      '"a\n""b"",\n""c"""',
      'ünïcødé',
      `"multi\nline ${random.int(1000)}\nthird"`,
    ]);
  };
  for (let r = 0; r < options.rows; r++) {
    const injected = options.inject?.[r];
    let line = injected ?? [`r${r}`, number(), text(), number(), text(), number()].join(',');
    if (options.blank !== undefined && random.chance(options.blank)) line = eol + line;
    lines.push(line);
  }
  return (options.bom === true ? '\uFEFF' : '') + lines.join(eol) + (options.noFinalBreak === true ? '' : eol);
}

interface Collected {
  chunks: { rowOffset: number; rowCount: number; firstRowInSource: number; lines: number[]; records: string[] | undefined; rejects: Reject[] }[];
  columns: Record<string, unknown[]>;
  error: { name: string; message: string; code: unknown; context: unknown } | undefined;
  warnings: string[];
  columnNames: readonly string[];
}

interface Read {
  chunkRows: number;
  rejects?: boolean;
  keepRecords?: boolean;
  numeric?: readonly string[];
  /** The columns later stages read (ChunkOptions.columns); all when undefined. */
  columns?: readonly string[];
}

function describeError(error: unknown): Collected['error'] {
  if (!(error instanceof Error)) throw error;
  const { code, context } = error as Error & { code?: unknown; context?: unknown };
  return { name: error.name, message: error.message, code, context };
}

async function collect(open: () => Promise<OpenedSource>, read: Read): Promise<Collected> {
  let source: OpenedSource;
  try {
    source = await open();
  } catch (error) {
    return { chunks: [], columns: {}, error: describeError(error), warnings: [], columnNames: [] };
  }
  const rejects = read.rejects === true ? new RejectList() : undefined;
  const out: Collected = { chunks: [], columns: {}, error: undefined, warnings: [], columnNames: source.columnNames };
  try {
    const chunks = source.chunks({
      chunkRows: read.chunkRows,
      rowOffset: 1000,
      numericColumns: new Set(read.numeric ?? ['a', 'b', 'c']),
      ...(read.columns === undefined ? {} : { columns: new Set(read.columns) }),
      ...(rejects === undefined ? {} : { rejects }),
    });
    for await (const chunk of chunks) {
      out.chunks.push({
        rowOffset: chunk.rowOffset,
        rowCount: chunk.rowCount,
        firstRowInSource: chunk.origin.firstRowInSource,
        lines: Array.from(chunk.origin.lines ?? []),
        records: chunk.origin.records === undefined ? undefined : [...chunk.origin.records],
        rejects: rejects === undefined ? [] : rejects.take(chunk.rowOffset, chunk.rowOffset + chunk.rowCount),
      });
      assert.equal(chunk.rejects, rejects);
      for (const [name, column] of chunk.columns) {
        assert.equal(column.type === 'string' ? column.values.length : column.values.length, chunk.rowCount);
        const values = (out.columns[name] ??= []);
        if (column.type === 'string') values.push(...column.values);
        else if (column.type === 'float64') for (let i = 0; i < chunk.rowCount; i++) values.push([column.values[i], column.nulls?.[i]]);
        else assert.fail(`unexpected column type ${column.type}`);
      }
    }
  } catch (error) {
    out.error = describeError(error);
  } finally {
    await source.close();
  }
  out.warnings = source.warnings();
  return out;
}

/** Reads `path` both ways and asserts the same result; returns it. */
async function same(path: string, read: Read, parallel: { workers?: number; rangeBytes: number; maxRecordBytes?: number }): Promise<Collected> {
  const request = {
    path,
    delimiter: ',',
    ...(read.keepRecords === true ? { keepRecords: true } : {}),
    ...(read.rejects === true ? { skipMalformed: true } : {}),
    ...(parallel.maxRecordBytes === undefined ? {} : { maxRecordBytes: parallel.maxRecordBytes }),
  };
  const expected = await collect(() => openCsvFast(request), read);
  const actual = await collect(() => openCsvParallel({ ...request, workers: parallel.workers ?? 3, rangeBytes: parallel.rangeBytes }), read);
  assert.deepEqual(actual.columnNames, expected.columnNames);
  assert.deepEqual(actual.error, expected.error);
  assert.equal(actual.chunks.length, expected.chunks.length, 'number of chunks');
  actual.chunks.forEach((chunk, i) => assert.deepEqual(chunk, expected.chunks[i], `chunk ${i}`));
  assert.deepEqual(actual.columns, expected.columns);
  assert.deepEqual(actual.warnings, expected.warnings);
  return expected;
}

const rowsOf = (collected: Collected): number => collected.chunks.reduce((sum, chunk) => sum + chunk.rowCount, 0);

describe('openCsvParallel against openCsvFast', () => {
  it('quoted fields with line breaks, delimiters and quotes, LF, many ranges, records kept', async () => {
    const path = writeCsv(generate({ rows: 30000, seed: 1 }));
    const result = await same(path, { chunkRows: 1000, keepRecords: true }, { rangeBytes: 8192 });
    assert.equal(rowsOf(result), 30000);
    assert.equal(result.error, undefined);
  });

  it('columns no stage reads are left out, and the others read as when all are read', async () => {
    const path = writeCsv(generate({ rows: 20000, seed: 9, inject: { 12000: 'r12000,1,"x\ny",oops,,2' } }));
    const all = await same(path, { chunkRows: 1000, rejects: true, keepRecords: true }, { rangeBytes: 4096 });
    const some = await same(path, { chunkRows: 1000, rejects: true, keepRecords: true, columns: ['id', 'a', 'b', 'c'] }, { rangeBytes: 4096 });
    assert.deepEqual(Object.keys(some.columns).sort(), ['a', 'b', 'c', 'id']);
    for (const name of ['id', 'a', 'b', 'c']) assert.deepEqual(some.columns[name], all.columns[name], name);
    assert.deepEqual(some.chunks, all.chunks, 'the same chunks, lines, records and rejects');
  });

  it('CRLF with a BOM and blank lines, odd chunk size', async () => {
    const path = writeCsv(generate({ rows: 20000, seed: 2, eol: '\r\n', bom: true, blank: 0.02 }));
    const result = await same(path, { chunkRows: 777 }, { rangeBytes: 5000 });
    assert.equal(rowsOf(result), 20000);
  });

  it('CR line endings, no final line break', async () => {
    const path = writeCsv(generate({ rows: 10000, seed: 3, eol: '\r', noFinalBreak: true }));
    assert.equal(rowsOf(await same(path, { chunkRows: 500 }, { rangeBytes: 3000 })), 10000);
  });

  it('a file without quotes, one worker and four', async () => {
    const path = writeCsv(generate({ rows: 20000, seed: 4, quotes: false }));
    await same(path, { chunkRows: 4096 }, { workers: 1, rangeBytes: 10000 });
    await same(path, { chunkRows: 4096 }, { workers: 4, rangeBytes: 2048 });
  });

  for (const rejects of [false, true]) {
    const mode = rejects ? 'with rejects' : 'without rejects';

    it(`bad values late in the file (${mode}): earlier rows first, then the same error or rejects`, async () => {
      const path = writeCsv(generate({ rows: 20000, seed: 5, inject: { 15000: 'r15000,1,"x\ny",oops,,2', 17001: 'r17001,1,,2,,"nan?"' } }));
      const result = await same(path, { chunkRows: 1000, rejects, keepRecords: rejects }, { rangeBytes: 4096 });
      if (rejects) {
        assert.equal(result.error, undefined);
        assert.deepEqual(
          result.chunks.flatMap((chunk) => chunk.rejects).map((reject) => [reject.row, reject.column, reject.value]),
          [
            [16000, 'b', 'oops'],
            [18001, 'c', 'nan?'],
          ],
        );
      } else {
        assert.equal(result.error?.code, 'BAD_VALUE');
        assert.equal(result.chunks.length, 15);
      }
    });

    it(`ragged rows (${mode})`, async () => {
      const path = writeCsv(generate({ rows: 12000, seed: 6, inject: { 9000: 'r9000,1,2', 9001: 'r9001,1,"a\nb",2,,3,extra', 11999: 'short' } }));
      const result = await same(path, { chunkRows: 1024, rejects }, { rangeBytes: 3000 });
      if (!rejects) assert.equal(result.error?.code, 'CSV_MALFORMED');
      else assert.equal(result.chunks.flatMap((chunk) => chunk.rejects).length, 3);
    });

    it(`a stray quote mid-file stops at the same row and line, or is the same rejected row (${mode})`, async () => {
      const path = writeCsv(generate({ rows: 15000, seed: 7, inject: { 11111: 'r11111,1,ab"c,2,,3' } }));
      const result = await same(path, { chunkRows: 1000, rejects }, { rangeBytes: 4096 });
      if (rejects) {
        assert.equal(result.error, undefined);
        assert.equal(rowsOf(result), 15000);
        assert.deepEqual(result.chunks.flatMap((chunk) => chunk.rejects.map((reject) => [reject.row, reject.column, reject.reason])), [[1000 + 11111, 'txt', 'a quote in the middle of an unquoted field']]);
      } else {
        assert.equal(result.error?.code, 'CSV_MALFORMED');
        assert.equal(rowsOf(result), 11111);
      }
    });
  }

  it('a closing quote followed by junk, and a quote never closed', async () => {
    const junk = writeCsv(generate({ rows: 8000, seed: 8, inject: { 6000: 'r6000,1,"a\nb"x,2,,3' } }));
    assert.match((await same(junk, { chunkRows: 700 }, { rangeBytes: 2000 })).error?.message ?? '', /closing quote/);
    // No other quotes after it: the field runs to the end of the file, over 1 MiB away, so the
    // range holding it gives up reading on and the rest is parsed again here.
    const open = writeCsv(generate({ rows: 50000, seed: 9, quotes: false, inject: { 5000: 'r5000,1,"never closed,2,,3' } }));
    assert.match((await same(open, { chunkRows: 700 }, { rangeBytes: 2000 })).error?.message ?? '', /not closed/);
  });

  it('quoted fields far longer than a range (re-parsed and skipped ranges)', async () => {
    const random = new Random(10);
    const big = (): string => `"${Array.from({ length: 3000 }, () => random.pick(['x', ',', '\n', '""', '\r\n', 'word'])).join('')}"`;
    const rows = Array.from({ length: 3000 }, (_, r) => `r${r},${r},${r % 100 === 7 ? big() : 'small'},1,,2`);
    const path = writeCsv(['id,a,txt,b,note,c', ...rows].join('\n') + '\n');
    assert.equal(rowsOf(await same(path, { chunkRows: 256, keepRecords: true }, { rangeBytes: 700 })), 3000);
    // Ranges smaller than the overrun limit's floor: speculative parses give up and are redone.
    assert.equal(rowsOf(await same(path, { chunkRows: 100 }, { workers: 2, rangeBytes: 64 })), 3000);
  });

  it('records up to --max-record-size in windows cut at twice the limit, then one over it: the same rows, then the same error', async () => {
    const random = new Random(12);
    const quoted = (length: number): string => `"${Array.from({ length }, () => random.pick(['x', ',', '\n', '""', '\r\n', 'ü'])).join('')}"`;
    const rows = Array.from({ length: 4000 }, (_, r) => `r${r},${r},${r % 50 === 3 ? quoted(300) : 'small'},1,${r % 70 === 5 ? 'y'.repeat(900) : ''},2`);
    const path = writeCsv(['id,a,txt,b,note,c', ...rows].join('\n') + '\n');
    for (const rangeBytes of [700, 1 << 16]) assert.equal(rowsOf(await same(path, { chunkRows: 256, keepRecords: true }, { workers: 2, rangeBytes, maxRecordBytes: 1000 })), 4000);
    const plain = Array.from({ length: 3000 }, (_, r) => `p${r},${r},small,1,,2`);
    const long = writeCsv(['id,a,txt,b,note,c', ...rows.slice(0, 3000), `x,1,${'z'.repeat(1200)},1,,2`, ...rows.slice(3000)].join('\n') + '\n');
    const open = writeCsv(['id,a,txt,b,note,c', ...rows, '"never closed', ...plain].join('\n') + '\n');
    for (const path of [long, open]) {
      const error = (await same(path, { chunkRows: 256 }, { workers: 2, rangeBytes: 1 << 16, maxRecordBytes: 1000 })).error;
      assert.equal(error?.code, 'CSV_MALFORMED');
      assert.match(error?.message ?? '', /at line \d+: the record starting there is longer than --max-record-size \(1000 bytes\)/);
    }
  });

  it('invalid UTF-8 in text cells: the same warning', async () => {
    const text = generate({ rows: 5000, seed: 11 });
    const bytes = Buffer.from(text, 'utf8');
    for (const at of [1000, 30000, 90000]) {
      const comma = bytes.indexOf(',plain,', at);
      if (comma >= 0) bytes[comma + 2] = 0xff;
    }
    const result = await same(writeCsv(bytes), { chunkRows: 1000 }, { rangeBytes: 4096 });
    assert.equal(result.warnings.length, 1);
  });

  it('small and odd files', async () => {
    const cases = [
      '',
      'a,b,c',
      'a,b,c\n',
      'a,b,c\r\n\r\n',
      '\n\na,b,c\n1,2,3',
      'a,b,c\n1,2,3',
      'a,b,c\n1,2,3\n\n\n4,5,6\n\n',
      '\uFEFFa,b,c\r\n"1\r\n",2,3\r\n',
      'a,"b\nc",d\n1,2,3\n',
      'a,a,b\n1,2,3\n',
      'a,"b,c\n1,2,3\n',
      'a,b,c\r1,2,3\r\n4,5,6\r',
      'a,b,c\n1,2,3\r\n4,5,6\r\n',
    ];
    for (const content of cases) {
      const path = writeCsv(content);
      for (const rangeBytes of [1, 3, 1000]) await same(path, { chunkRows: 2, numeric: ['a', 'b', 'c'] }, { workers: 2, rangeBytes });
    }
    const utf16 = writeCsv(Buffer.from([0xff, 0xfe, 0x61, 0x00]));
    assert.equal((await same(utf16, { chunkRows: 10 }, { rangeBytes: 10 })).error?.code, 'INPUT_UNREADABLE');
  });

  it('random files cut into tiny ranges', async () => {
    const cells = ['', 'x', '1.5', '-2', '"3"', '"q,u"', '"multi\nline"', '"a""b"', '"\n"', '"\r\n"', '" ""\n"" "', '"\r"', 'NaN', '"\n\n"', 'y z'];
    for (let seed = 100; seed < 124; seed++) {
      const random = new Random(seed);
      const eol = random.pick(['\n', '\r\n', '\r'] as const);
      const lines = ['a,b,c,d'];
      for (let r = 0; r < 150; r++) {
        if (random.chance(0.05)) lines.push('');
        const width = random.chance(0.03) ? 3 : 4;
        lines.push(Array.from({ length: width }, () => random.pick(cells)).join(','));
      }
      if (random.chance(0.3)) lines.splice(1 + random.int(150), 0, random.pick(['1,2,"x"y,4', '1,"2,3,4', '1,2,3,"4']));
      // Stray quotes in unquoted fields: rejected rows when rows are skipped (rejects), else an error.
      if (random.chance(0.5)) lines.splice(1 + random.int(150), 0, random.pick([`1,5'11" tall,3,4`, '1,2,x"y,4', '1,2,3,4""']));
      const path = writeCsv(lines.join(eol) + (random.chance(0.8) ? eol : ''));
      const read: Read = { chunkRows: 1 + random.int(40), rejects: random.chance(0.5), keepRecords: random.chance(0.5), numeric: ['a', 'c'] };
      await same(path, read, { workers: 2, rangeBytes: 1 + random.int(200) });
      // A record size limit so small that read windows are cut, and some records are over it.
      if (seed % 3 === 0) await same(path, read, { workers: 2, rangeBytes: 1 + random.int(200), maxRecordBytes: 12 + random.int(40) });
    }
  });
});

describe('openCsvParallel lifecycle', () => {
  it('stops its workers when the reader stops early or is closed unread', async () => {
    const path = writeCsv(generate({ rows: 20000, seed: 12 }));
    const source = await openCsvParallel({ path, delimiter: ',', workers: 2, rangeBytes: 4096 });
    let seen = 0;
    for await (const chunk of source.chunks({ chunkRows: 100, rowOffset: 0, numericColumns: new Set(['a']) })) {
      seen += chunk.rowCount;
      if (seen >= 300) break;
    }
    assert.equal(seen, 300);
    await source.close();
    const unread = await openCsvParallel({ path, delimiter: ',', workers: 2 });
    assert.deepEqual(unread.columnNames, ['id', 'a', 'txt', 'b', 'note', 'c']);
    await unread.close();
  });

  it('wants a positive number of workers', async () => {
    await assert.rejects(openCsvParallel({ path: writeCsv('a\n1\n'), delimiter: ',', workers: 0 }), InternalError);
  });
});
