import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse, CsvError } from 'csv-parse/sync';
import { InternalError } from '../errors.js';
import { parseNumber } from '../shared/values.js';
import { buildColumns, cellText, fieldCountOf, parseNumberField, type FieldKind } from './csv-fields.js';
import { CsvScanError, CsvScanner, FIELD_ESCAPED, FIELD_QUOTED, type ScannedRecords } from './csv-scan.js';
import { Random } from '../../test/helpers/assertions.js';


const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

/** All records of a short comma-separated input, as one batch. */
function wholeBatch(input: Uint8Array): ScannedRecords {
  const scanner = new CsvScanner({ delimiter: 0x2c });
  scanner.push(input);
  scanner.end();
  const batch = scanner.next(10);
  assert.ok(batch !== undefined);
  return batch;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

interface Scanned {
  records: string[][];
  lines: number[];
  /** Each record's text as recordStart/recordEnd give it. */
  texts: string[];
  error?: CsvScanError;
}

/**
 * Feeds `input` to a scanner in the given chunks, taking batches of `batchSize` records between
 * pushes as a streaming reader would, and checks each batch's numbers against parseNumber.
 */
function scan(input: Uint8Array, options: { delimiter?: string; chunks?: readonly number[]; batchSize?: number } = {}): Scanned {
  const scanner = new CsvScanner({ delimiter: (options.delimiter ?? ',').charCodeAt(0) });
  const out: Scanned = { records: [], lines: [], texts: [] };
  const take = (): void => {
    for (let batch = scanner.next(options.batchSize ?? 4096); batch !== undefined; batch = scanner.next(options.batchSize ?? 4096)) collect(batch, out);
  };
  try {
    let offset = 0;
    for (const size of options.chunks ?? [input.length]) {
      scanner.push(input.subarray(offset, offset + size));
      offset += size;
      take();
    }
    if (offset < input.length) scanner.push(input.subarray(offset));
    scanner.end();
    take();
  } catch (error) {
    if (!(error instanceof CsvScanError)) throw error;
    out.error = error;
  }
  return out;
}

function collect(batch: ScannedRecords, out: Scanned): void {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let width = 0;
  for (let r = 0; r < batch.count; r++) {
    const count = fieldCountOf(batch, r);
    width = Math.max(width, count);
    out.records.push(Array.from({ length: count }, (_, c) => cellText(batch, r, c)));
    out.lines.push(batch.lines[r] as number);
    out.texts.push(decoder.decode(batch.bytes.subarray(batch.recordStart[r], batch.recordEnd[r])));
  }
  checkNumbers(batch, width);
}

/** Every field read as a number, by the fast path and the column builder, matches parseNumber of its text. */
function checkNumbers(batch: ScannedRecords, width: number): void {
  const columns = buildColumns(batch, new Array<FieldKind>(width).fill('number'));
  columns.forEach((column, c) => {
    assert.equal(column?.type, 'float64');
    if (column?.type !== 'float64') return;
    const invalid: number[] = [];
    for (let r = 0; r < batch.count; r++) {
      const text = cellText(batch, r, c);
      const expected = text === '' ? undefined : parseNumber(text);
      if (text === '') {
        assert.equal(column.nulls[r], 1, `record ${r} column ${c} is empty`);
        continue;
      }
      assert.equal(column.nulls[r], 0);
      if (expected === undefined) invalid.push(r);
      const field = (batch.recordFields[r] as number) + c;
      assert.ok(Object.is(parseNumberField(batch, field), expected), `parseNumberField(${JSON.stringify(text)})`);
      assert.ok(Object.is(column.values[r], expected ?? Number.NaN), `${JSON.stringify(text)}: got ${column.values[r]}, expected ${expected}`);
    }
    assert.deepEqual(column.invalid, invalid);
  });
}

interface Parsed {
  records: string[][];
  lines: number[];
  errorCode?: string;
}

const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;

/**
 * csv-parse with the options of src/sources/csv.ts. Each record's start line comes from where
 * csv-parse says it ends (info.bytes), the blank lines it skipped and the record delimiter, counted
 * over the bytes: each CR is a line break, and each LF not right after a CR.
 */
function csvParse(input: Uint8Array, delimiter = ','): Parsed {
  const out: Parsed = { records: [], lines: [] };
  const ends: number[] = [];
  const skipped: number[] = [];
  let emptyLines = 0;
  try {
    parse(Buffer.from(input), {
      delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // Sees each record as it is made, so the records before an error are kept too.
      // (With `info`, csv-parse hands on_record the record with its info, which its types do not say.)
      on_record: ((record: { record: string[]; info: { bytes: number; empty_lines: number } }) => {
        out.records.push(record.record);
        ends.push(record.info.bytes);
        skipped.push(record.info.empty_lines - emptyLines);
        emptyLines = record.info.empty_lines;
        return record;
      }) as unknown as (record: string[]) => string[],
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    out.errorCode = error.code;
  }
  const breakLength = recordDelimiterLength(input);
  const bom = input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  const starts = ends.map((_, k) => (k === 0 ? bom : (ends[k - 1] as number)) + (skipped[k] as number) * breakLength);
  out.lines = linesAt(input, starts);
  return out;
}

/** The length of the first line break outside quotes (csv-parse makes it the record delimiter). */
function recordDelimiterLength(input: Uint8Array): number {
  let quotes = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] === QUOTE) quotes++;
    else if (quotes % 2 === 0 && input[i] === CR) return input[i + 1] === LF ? 2 : 1;
    else if (quotes % 2 === 0 && input[i] === LF) return 1;
  }
  return 1;
}

/** The physical line (1-based) of each of the ascending byte `offsets`. */
function linesAt(input: Uint8Array, offsets: readonly number[]): number[] {
  let line = 1;
  let i = 0;
  return offsets.map((offset) => {
    for (; i < offset; i++) {
      if (input[i] === CR || (input[i] === LF && input[i - 1] !== CR)) line++;
    }
    return line;
  });
}

/** Scanner and csv-parse agree on the records, their lines, and whether (and how) the input is malformed. */
function assertSame(input: Uint8Array, options: { delimiter?: string; chunks?: readonly number[]; batchSize?: number }, label: string): void {
  const expected = csvParse(input, options.delimiter);
  const got = scan(input, options);
  const where = `${label}: ${JSON.stringify(new TextDecoder().decode(input).slice(0, 300))}`;
  assert.deepEqual(got.records, expected.records, where);
  assert.deepEqual(got.lines, expected.lines, where);
  assert.equal(got.error?.code, expected.errorCode, where);
}

/** Splits `length` bytes into random chunks: many tiny ones, so characters and CRLFs get split. */
function randomChunks(random: Random, length: number): number[] {
  const chunks: number[] = [];
  const largest = random.pick([1, 3, 8, 64, 1000]);
  for (let left = length; left > 0; ) {
    const size = Math.min(left, 1 + random.int(largest));
    chunks.push(size);
    left -= size;
  }
  return chunks;
}

function records(input: string, options: { delimiter?: string; chunks?: readonly number[]; batchSize?: number } = {}): string[][] {
  const result = scan(bytes(input), options);
  if (result.error !== undefined) throw result.error;
  return result.records;
}

describe('CsvScanner dialect', () => {
  it('reads records with LF, CRLF or CR line breaks, and a last record without one', () => {
    for (const br of ['\n', '\r\n', '\r']) {
      const input = `a,b,c${br}1,2,3${br}4,5,6`;
      assert.deepEqual(records(input), [['a', 'b', 'c'], ['1', '2', '3'], ['4', '5', '6']], JSON.stringify(br));
      assert.deepEqual(scan(bytes(input + br)).lines, [1, 2, 3]);
    }
  });

  it('takes any single-byte delimiter', () => {
    assert.deepEqual(records('a;b\n1;2,5\n', { delimiter: ';' }), [['a', 'b'], ['1', '2,5']]);
    assert.deepEqual(records('a\tb\n1\t"x\ty"\n', { delimiter: '\t' }), [['a', 'b'], ['1', 'x\ty']]);
    assert.throws(() => new CsvScanner({ delimiter: QUOTE }), InternalError);
    assert.throws(() => new CsvScanner({ delimiter: LF }), InternalError);
    assert.throws(() => new CsvScanner({ delimiter: 0xa7 }), InternalError);
  });

  it('reads quoted fields with doubled quotes, delimiters and line breaks', () => {
    const result = scan(bytes('a,b\n"x ""y"", z",2\n"line 1\r\nline 2\nline 3",3\n""," "\n4,5\n'));
    assert.deepEqual(result.records, [['a', 'b'], ['x "y", z', '2'], ['line 1\r\nline 2\nline 3', '3'], ['', ' '], ['4', '5']]);
    // A CRLF inside quotes is one line, as is an LF.
    assert.deepEqual(result.lines, [1, 2, 3, 6, 7]);
  });

  it('marks quoted fields, and those whose quotes need undoubling', () => {
    const batch = wholeBatch(bytes('plain,"quoted","a""b"\n'));
    assert.deepEqual([...batch.fieldFlags.subarray(0, 3)], [0, FIELD_QUOTED, FIELD_QUOTED | FIELD_ESCAPED]);
    assert.equal(new TextDecoder().decode(batch.bytes.subarray(batch.fieldStart[1], batch.fieldEnd[1])), 'quoted');
  });

  it('skips a UTF-8 byte order mark at the start, even split across chunks', () => {
    const input = bytes('\uFEFFa,b\n1,2\n');
    assert.deepEqual(scan(input, { chunks: [1, 1, 1, 100] }).records, [['a', 'b'], ['1', '2']]);
    assert.deepEqual(scan(input, { chunks: [2, 100] }).lines, [1, 2]);
    // Only at the very start.
    assert.deepEqual(records('a\n\uFEFFb\n'), [['a'], ['\uFEFFb']]);
  });

  it('skips empty lines but keeps a line of spaces or of a lone delimiter', () => {
    const result = scan(bytes('\n\na,b\n\n\n1,2\n \n,\n\n'));
    assert.deepEqual(result.records, [['a', 'b'], ['1', '2'], [' '], ['', '']]);
    assert.deepEqual(result.lines, [3, 6, 7, 8]);
    assert.deepEqual(scan(bytes('\r\n\r\na\r\n\r\nb')).lines, [3, 5]);
  });

  it('lets the first line break outside quotes decide the record delimiter, as csv-parse does', () => {
    // After an LF, a CR is field content (and still a physical line break).
    assert.deepEqual(scan(bytes('a\nb\r\nc\n')).records, [['a'], ['b\r'], ['c']]);
    assert.deepEqual(scan(bytes('a\nb\r\nc\n')).lines, [1, 2, 3]);
    // After a CRLF, a lone LF is content.
    assert.deepEqual(records('a\r\nb\nc\r\n'), [['a'], ['b\nc']]);
    // After a CR, the LF of a CRLF starts the next record.
    assert.deepEqual(records('a\rb\r\nc'), [['a'], ['b'], ['\nc']]);
    // Line breaks inside quotes do not decide it.
    assert.deepEqual(records('"x\ny"\r\nz\n'), [['x\ny'], ['z\n']]);
  });

  it('keeps what follows a NUL byte after a closing quote, as csv-parse does', () => {
    assert.deepEqual(records('"a""b"\0c,d\n'), [['a"b\0c', 'd']]);
  });

  it('gives each record its text without the line break', () => {
    assert.deepEqual(scan(bytes('a,"b\nc"\r\n\r\nd\r\ne\r')).texts, ['a,"b\nc"', 'd', 'e\r']);
  });

  it('reads the same records however the input is chunked and batched', () => {
    const input = bytes('id,"na""me",v\r\n1,"multi\r\nline, with comma",1.5\r\n\r\n2,é中😀,-0\r\n3,,1e5');
    const whole = scan(input);
    for (let size = 1; size <= 9; size++) {
      const chunks = Array.from({ length: Math.ceil(input.length / size) }, () => size);
      for (const batchSize of [1, 2, 4096]) {
        const part = scan(input, { chunks, batchSize });
        assert.deepEqual(part.records, whole.records, `chunks of ${size}, batches of ${batchSize}`);
        assert.deepEqual(part.lines, whole.lines);
        assert.deepEqual(part.texts, whole.texts);
      }
    }
  });
});

describe('CsvScanner errors', () => {
  const cases: readonly [string, string, number, string[][]][] = [
    ['a\n"abc', 'CSV_QUOTE_NOT_CLOSED', 2, [['a']]],
    ['a\n\n"ab\nc\n', 'CSV_QUOTE_NOT_CLOSED', 3, [['a']]],
    ['a\n"a"b\n', 'CSV_INVALID_CLOSING_QUOTE', 2, [['a']]],
    ['a\n"x\ny" \n', 'CSV_INVALID_CLOSING_QUOTE', 3, [['a']]],
    ['a\n"b"\r\nc\n', 'CSV_INVALID_CLOSING_QUOTE', 2, [['a']]],
    ['a\nx,b"c\n', 'INVALID_OPENING_QUOTE', 2, [['a']]],
    ['a\nx, "c"\n', 'INVALID_OPENING_QUOTE', 2, [['a']]],
    ['"a""', 'CSV_QUOTE_NOT_CLOSED', 1, []],
  ];
  for (const [input, code, line, before] of cases) {
    it(`${code} at line ${line} for ${JSON.stringify(input)}, after the records before it`, () => {
      const result = scan(bytes(input), { batchSize: 1 });
      assert.deepEqual(result.records, before);
      assert.equal(result.error?.code, code);
      assert.equal(result.error?.line, line);
      assert.match(result.error?.message ?? '', new RegExp(`line ${line}`));
      assert.equal(csvParse(bytes(input)).errorCode, code, 'csv-parse agrees');
    });
  }

  it('returns the records before a malformed one in their own batch, then throws', () => {
    const scanner = new CsvScanner({ delimiter: 0x2c });
    scanner.push(bytes('1\n2\n3"\n4\n'));
    scanner.end();
    assert.equal(scanner.next(100)?.count, 2);
    assert.throws(() => scanner.next(100), CsvScanError);
    assert.throws(() => scanner.next(100), CsvScanError);
  });

  it('refuses a record over maxRecordBytes at the line it starts on, complete or not, and takes one exactly at it', () => {
    const scanAll = (input: string, maxRecordBytes: number): Scanned => {
      const scanner = new CsvScanner({ delimiter: 0x2c, maxRecordBytes });
      const out: Scanned = { records: [], lines: [], texts: [] };
      try {
        scanner.push(bytes(input));
        scanner.end();
        for (let batch = scanner.next(1); batch !== undefined; batch = scanner.next(1)) collect(batch, out);
      } catch (error) {
        if (!(error instanceof CsvScanError)) throw error;
        out.error = error;
      }
      return out;
    };
    assert.deepEqual(scanAll('a\n12345\n"1\n3"\n', 5).records, [['a'], ['12345'], ['1\n3']]);
    for (const [input, line] of [['a\n123456\n', 2], ['a\n\n\n"1\n34"\n', 4], ['a\n"1\n345', 2], ['a,b\nx,"123456\n', 2], ['123456', 1]] as const) {
      const result = scanAll(input, 5);
      assert.equal(result.error?.code, 'CSV_RECORD_TOO_LARGE', input);
      assert.equal(result.error?.line, line, input);
    }
  });

  it('holds no more than about the limit of a quote never closed, however much input follows', () => {
    const scanner = new CsvScanner({ delimiter: 0x2c, maxRecordBytes: 1 << 16 });
    scanner.push(bytes('a\n1\n"open\n'));
    const chunk = bytes('x,y\n'.repeat(1024));
    let pushed = 0;
    assert.throws(() => {
      for (;;) {
        while (scanner.next(100) !== undefined);
        scanner.push(chunk);
        pushed += chunk.length;
        assert.ok(pushed < 1 << 20, 'the open record is refused long before 1 MiB of it');
      }
    }, (error: unknown) => error instanceof CsvScanError && error.code === 'CSV_RECORD_TOO_LARGE' && error.line === 3);
    assert.ok(pushed <= (1 << 16) + 2 * chunk.length, `refused after ${pushed} bytes`);
  });

  it("with strayQuotes 'mark', reads a quote in an unquoted field as text to the record's end and marks the field", () => {
    const scanner = new CsvScanner({ delimiter: 0x2c, strayQuotes: 'mark' });
    scanner.push(bytes(`a,b\n1,5'11" tall\nx"y,"q""\n"\n3,4\n`));
    scanner.end();
    const out: Scanned = { records: [], lines: [], texts: [] };
    const marks: number[] = [];
    for (let batch = scanner.next(2); batch !== undefined; batch = scanner.next(2)) {
      collect(batch, out);
      marks.push(...batch.strayQuoteField.subarray(0, batch.count));
    }
    assert.deepEqual(out.records, [['a', 'b'], ['1', `5'11" tall`], ['x"y', 'q"\n'], ['3', '4']]);
    assert.deepEqual(out.lines, [1, 2, 3, 5]);
    assert.deepEqual(marks, [-1, 1, 0, -1]);
  });

  it('refuses a batch size below one, and input after the end', () => {
    const scanner = new CsvScanner({ delimiter: 0x2c });
    assert.throws(() => scanner.next(0), InternalError);
    scanner.end();
    assert.throws(() => scanner.push(bytes('a')), /after end/);
  });
});

describe('CsvScanner numbers', () => {
  const texts = [
    '0', '-0', '+0', '0.0', '-0.0', '-0e5', '1', '-1', '+1', '1.5', '-2.25', '.5', '-.5', '5.', '5.e3', '1e5', '1E5', '1e+05', '1e-5', '1.25e-3',
    '123456789012345', '1234567890123456', '12345678901234567890', '0.1', '0.3', '3.141592653589793', '2.718281828459045e10', '9007199254740993',
    '1e22', '1e23', '1e-22', '1e-23', '123e-20', '4.9e-324', '2e-324', '1e-400', '2.2250738585072014e-308', '1.7976931348623157e308',
    '1.7976931348623159e308', '1e309', '-1e309', '1e400', '0e99999', '000000000000000000001.5', '1.000000000000000000000',
    ' 3 ', '\t4\t', ' -5.5\r', '\u00a06\u00a0', '\u20037', 'NaN', 'nan', '-NaN', '+nan', 'inf', '-inf', 'INF', 'Infinity', '-infinity', '+Infinity',
    'infinit', 'NaNa', '1_000', '0x10', '0b1', '0o7', '1e', 'e5', '.', '-', '+', '', ' ', '1.2.3', '1e5.5', '--1', '+-1', '1 2', '١٢', '1,5', '１',
    '0.' + '0'.repeat(400) + '1', '9'.repeat(400), '1' + '0'.repeat(308), '1' + '0'.repeat(309),
  ];

  it('reads each notation exactly as parseNumber does', () => {
    const bare = texts.filter((text) => !/["\r\n,]/.test(text) && text.trim() !== '' && text !== '');
    const input = texts.map((text) => `"${text.replace(/"/g, '""')}"`).join('\n') + '\n' + bare.join('\n');
    const result = scan(bytes(input));
    assert.equal(result.error, undefined);
    assert.equal(result.records.length, texts.length + bare.length);
  });

  /** A random decimal of 1 to `maxDigits` digits with a point among them (or, `pointOptional`, none). */
  const randomDecimal = (random: Random, maxDigits: number, pointOptional: boolean, signs: readonly string[]): string => {
    const digits = (String(random.int(1e9)) + String(random.int(1e9))).slice(0, 1 + random.int(maxDigits));
    const point = pointOptional ? random.int(digits.length + 2) - 1 : random.int(digits.length + 1);
    const sign = random.pick(signs);
    return point < 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  };

  it('matches Number() bit for bit on random decimals of up to 17 digits', () => {
    const random = new Random(7);
    const lines: string[] = [];
    for (let k = 0; k < 20000; k++) {
      const exponent = random.chance(0.3) ? `e${random.int(60) - 30}` : '';
      lines.push(`${randomDecimal(random, 17, false, ['', '-'])}${exponent}`);
    }
    const result = scan(bytes(lines.join('\n')), { batchSize: 1000 });
    assert.equal(result.error, undefined);
    assert.equal(result.records.length, lines.length);
  });

  it('matches Number() on plain decimals read on the way (fields that a delimiter ends)', () => {
    const random = new Random(17);
    const cells = Array.from({ length: 30000 }, () => randomDecimal(random, 18, true, ['', '', '-', '+']));
    cells.push('.', '-', '+', '-.', '1.', '.5', '-0', '+0.0', '1.2.3', '12a', '1e5', ' 1', '1 ', '0001.50', '999999999999999', '9999999999999999');
    const lines: string[] = [];
    for (let k = 0; k < cells.length; k += 5) lines.push([...cells.slice(k, k + 5), 'end'].join(','));
    const result = scan(bytes(lines.join('\n')), { batchSize: 500 });
    assert.equal(result.error, undefined);
    assert.equal(result.records.length, lines.length);
  });

  it('matches on random float64 bit patterns written by String, toExponential and toPrecision', () => {
    const random = new Random(11);
    const words = new Uint32Array(2);
    const view = new Float64Array(words.buffer);
    const lines: string[] = [];
    for (let k = 0; k < 5000; k++) {
      words[0] = random.int(4294967296);
      words[1] = random.int(4294967296);
      const value = view[0] as number;
      lines.push(String(value), value.toExponential(random.int(20)), value.toPrecision(1 + random.int(21)));
    }
    const result = scan(bytes(lines.join('\n')), { batchSize: 777 });
    assert.equal(result.error, undefined);
    assert.equal(result.records.length, lines.length);
  });
});

describe('buildColumns', () => {
  it('builds typed numeric columns with nulls, the rows that are not numbers, and text columns', () => {
    const batch = wholeBatch(bytes('1.5,x\n,y\nabc,\n"2",z,extra\n-0\n'));
    const [numbers, text] = buildColumns(batch, ['number', 'text']);
    assert.ok(numbers?.type === 'float64' && text?.type === 'string');
    assert.deepEqual([...numbers.values], [1.5, Number.NaN, Number.NaN, 2, -0]);
    assert.ok(Object.is(numbers.values[4], -0));
    assert.deepEqual([...numbers.nulls], [0, 1, 0, 0, 0]);
    assert.deepEqual(numbers.invalid, [2]);
    assert.equal(cellText(batch, 2, 0), 'abc');
    assert.deepEqual(text.values, ['x', 'y', null, 'z', null]);
  });

  it('decodes invalid UTF-8 with U+FFFD, like TextDecoder', () => {
    const input = concat([bytes('a,'), new Uint8Array([0xff, 0x41, 0xe2, 0x82, 0x2c, 0xc3, 0xa9, 0x80, 0x0a])]);
    const batch = wholeBatch(input);
    const columns = buildColumns(batch, ['text', 'text', 'text']);
    assert.deepEqual(
      columns.map((column) => column?.values[0]),
      ['a', '\uFFFDA\uFFFD', 'é\uFFFD'],
    );
  });

  it('leaves skipped columns out, and reads the others as if they were alone', () => {
    const batch = wholeBatch(bytes('1,a,2.5,b\n3,"c,d",x,e\n'));
    const [first, second, third, fourth] = buildColumns(batch, ['number', 'skip', 'skip', 'text']);
    assert.equal(second, undefined);
    assert.equal(third, undefined, 'a non-number in a skipped column is no problem');
    assert.ok(first?.type === 'float64' && fourth?.type === 'string');
    assert.deepEqual([...first.values], [1, 3]);
    assert.deepEqual(fourth.values, ['b', 'e']);
  });
});

describe('CsvScanner.reset', () => {
  it('reads a new input after reset() as a fresh scanner does: lines, BOM and line endings start over', () => {
    const read = (scanner: CsvScanner, input: string): unknown[] => {
      scanner.push(bytes(input));
      scanner.end();
      const out: unknown[] = [];
      for (let batch = scanner.next(2); batch !== undefined; batch = scanner.next(2)) {
        for (let r = 0; r < batch.count; r++) out.push([batch.lines[r], Array.from({ length: fieldCountOf(batch, r) }, (_, c) => cellText(batch, r, c))]);
      }
      return out;
    };
    const second = '\uFEFFa,b\n\n"x\ny",2\n3,4';
    const reused = new CsvScanner({ delimiter: 0x2c });
    assert.throws(() => read(reused, 'p,q\r\n1,2\r\n"unclosed'), /not closed/);
    reused.reset();
    assert.deepEqual(read(reused, second), read(new CsvScanner({ delimiter: 0x2c }), second));
  });
});

describe('CsvScanner streaming', () => {
  it('reads a large input in small chunks and batches (the buffer moves and grows)', () => {
    const random = new Random(3);
    const rows = Array.from({ length: 20000 }, (_, r) => `${r},${(random.int(2e6) / 1e3 - 1e3).toFixed(3)},"t ""${r}""\n x",${random.chance(0.1) ? '' : 'é'}`);
    const input = bytes(`id,v,t,u\n${rows.join('\r\n')}\r\n`);
    const result = scan(input, { chunks: randomChunks(random, input.length), batchSize: 333 });
    assert.equal(result.records.length, 20001);
    assert.deepEqual(result.records[20000], ['19999', rows[19999]?.split(',')[1], 't "19999"\n x', result.records[20000]?.[3]]);
    assert.equal(result.lines[20000], 2 + 2 * 19999);
    assertSame(input, { chunks: randomChunks(random, input.length), batchSize: 4096 }, 'large');
  });

  it('takes linear time for one huge quoted field arriving in small chunks', () => {
    const input = bytes(`"${'x'.repeat(4 << 20)}"\n1\n`);
    const started = performance.now();
    const result = scan(input, { chunks: Array.from({ length: input.length / 1024 + 1 }, () => 1024) });
    assert.equal(result.records[0]?.[0]?.length, 4 << 20);
    assert.ok(performance.now() - started < 5000, 'no rescan of the whole field per chunk');
  });
});

// ---------------------------------------------------------------------------------------------
// Differential: random inputs through csv-parse and the scanner

const NUMBERS = [
  '0', '-0', '1e5', '.5', '5.', '-.5e-3', '1_000', '0x10', ' 3 ', 'inf', '-Infinity', 'NaN', 'nan', '1e309', '-1e400', '4.9e-324', '1e-330',
  '2.2250738585072011e-308', '1.7976931348623157e308', '1.7976931348623158e308', '9007199254740993', '123456789012345', '1234567890123456',
  '\t7\t', '\u00a08', '1e', 'e1', '+', '.', '1..2', 'abc',
];

function randomNumber(random: Random): string {
  switch (random.int(6)) {
    case 0:
      return random.pick(NUMBERS);
    case 1:
      return String(random.int(2000) - 1000);
    case 2:
      return ((random.int(2e9) - 1e9) / 10 ** random.int(12)).toFixed(random.int(8));
    case 3:
      return `${random.chance(0.5) ? '-' : ''}${random.int(1e6)}.${random.int(1e6)}e${random.int(700) - 350}`;
    case 4:
      return Array.from({ length: 10 + random.int(400) }, () => random.int(10)).join('').replace(/^(\d)/, random.chance(0.5) ? '$1.' : '0.$1');
    default:
      return ((random.int(1e9) / 1e9) * 10 ** (random.int(40) - 20)).toPrecision(1 + random.int(21));
  }
}

const PIECES = ['a', 'b', 'Z', '1', ' ', '  ', '"', '""', '\r', '\n', '\r\n', 'é', '中', '😀', '\0', ',', ';', '\t', '|', '\uFEFF'];
const INVALID = [[0xff], [0x80], [0xe2, 0x82], [0xf0, 0x9f], [0xc3], [0xed, 0xa0, 0x80]];

/** A field's raw bytes: a number, text with any special character, invalid UTF-8, or nothing. */
function randomFieldBytes(random: Random): Uint8Array {
  if (random.chance(0.4)) return bytes(randomNumber(random));
  if (random.chance(0.15)) return new Uint8Array();
  const parts: Uint8Array[] = [];
  for (let k = random.int(6); k >= 0; k--) {
    parts.push(random.chance(0.05) ? new Uint8Array(random.pick(INVALID)) : bytes(random.pick(PIECES)));
  }
  return concat(parts);
}

const needsQuotes = (field: Uint8Array, delimiter: number): boolean => field.some((byte) => byte === delimiter || byte === QUOTE || byte === CR || byte === LF);

function quoted(field: Uint8Array): Uint8Array {
  const out: number[] = [QUOTE];
  for (const byte of field) {
    out.push(byte);
    if (byte === QUOTE) out.push(QUOTE);
  }
  out.push(QUOTE);
  return new Uint8Array(out);
}

/** A random CSV: mostly well quoted, sometimes not (so csv-parse's errors are compared too). */
function randomCsv(random: Random, delimiter: string): Uint8Array {
  const sloppy = random.chance(0.15);
  const lineBreaks = random.chance(0.8) ? [random.pick(['\n', '\r\n', '\r'])] : ['\n', '\r\n', '\r'];
  const width = 1 + random.int(5);
  const parts: Uint8Array[] = [];
  if (random.chance(0.1)) parts.push(bytes('\uFEFF'));
  const rows = random.int(12);
  for (let r = 0; r < rows; r++) {
    if (random.chance(0.1)) parts.push(bytes(random.pick(lineBreaks)));
    const fields = random.chance(0.8) ? width : 1 + random.int(6);
    for (let f = 0; f < fields; f++) {
      if (f > 0) parts.push(bytes(delimiter));
      const field = randomFieldBytes(random);
      const quote = needsQuotes(field, delimiter.charCodeAt(0)) ? !(sloppy && random.chance(0.3)) : random.chance(0.2);
      parts.push(quote ? quoted(field) : field);
    }
    if (r < rows - 1 || random.chance(0.6)) parts.push(bytes(random.pick(lineBreaks)));
  }
  const whole = concat(parts);
  // Sometimes cut short anywhere: inside a quoted field, a character or a CRLF.
  const input = random.chance(0.1) ? whole.subarray(0, random.int(whole.length + 1)) : whole;
  // FF FE would make csv-parse read UTF-16, which csv.ts refuses before parsing anyway.
  return input[0] === 0xff && input[1] === 0xfe ? concat([bytes('x'), input]) : input;
}

describe('CsvScanner against csv-parse (differential)', () => {
  // Each test runs 50 seeds, to keep the report short; a failure names its seed.
  for (let from = 1; from <= 1500; from += 50) it(`seeds ${from}..${from + 49}`, () => runSeeds(from, from + 49));
});

function runSeeds(from: number, to: number): void {
  for (let seed = from; seed <= to; seed++) {
    const random = new Random(seed);
    const delimiter = random.pick([',', ',', ';', '\t', '|']);
    const input = randomCsv(random, delimiter);
    assertSame(input, { delimiter, chunks: randomChunks(random, input.length), batchSize: random.pick([1, 2, 5, 4096]) }, `seed ${seed}`);
    assertSame(input, { delimiter, chunks: [input.length] }, `seed ${seed}, one chunk`);
  }
}
