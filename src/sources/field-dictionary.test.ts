import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildColumns, cellText, fieldCountOf } from './csv-fields.js';
import { CsvScanner, type ScannedRecords } from './csv-scan.js';
import { Random } from '../../test/helpers/assertions.js';

const encoder = new TextEncoder();

/** Every record of an input as one batch. */
function batchOf(input: Uint8Array): ScannedRecords {
  const scanner = new CsvScanner({ delimiter: 0x2c });
  scanner.push(input);
  scanner.end();
  const batch = scanner.next(1 << 20);
  assert.ok(batch !== undefined);
  return batch;
}

/** What a text column must hold, field by field: its text, null where empty or missing. */
function plainTexts(batch: ScannedRecords, column: number): (string | null)[] {
  return Array.from({ length: batch.count }, (_, r) => (column < fieldCountOf(batch, r) ? cellText(batch, r, column) || null : null));
}

// Fields a column may hold: quoted and doubled quotes, delimiters and line breaks inside quotes,
// the same text quoted and not, empty ones, invalid UTF-8 and csv-parse's NUL quirk.
const CELLS = ['north', '"north"', 'south', '', '""', '"a""b"', '"x,y"', '"two\nlines"', 'é', '"a"\0b', '\xff', 'NaN', ' ', 'west '];

function randomCsv(random: Random, rows: number, distinct: (r: number) => string): Uint8Array {
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const width = random.chance(0.05) ? 1 : 3;
    lines.push([random.pick(CELLS), distinct(r), random.pick(CELLS)].slice(0, width).join(','));
  }
  // Latin-1 for the invalid byte, UTF-8 for the rest.
  return Uint8Array.from(Buffer.concat(lines.join('\n').split('\xff').flatMap((part, i) => (i === 0 ? [Buffer.from(part)] : [Buffer.from([0xff]), Buffer.from(part)]))));
}

describe('text columns through a dictionary', () => {
  it('hold what decoding each field gives, with few distinct values and with too many (read as plain text from that row on)', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = new Random(seed);
      const many = seed % 3 === 0;
      const rows = many ? 1500 : 1 + random.int(300);
      // The middle column: a few values, or a new one each row once past row 200 (so the dictionary fills mid-batch).
      const input = randomCsv(random, rows, (r) => (many && r > 200 ? `id${r}` : random.pick(CELLS)));
      const batch = batchOf(input);
      const columns = buildColumns(batch, ['text', 'text', 'text']);
      columns.forEach((column, c) => {
        assert.ok(column?.type === 'string');
        assert.deepEqual(column.values, plainTexts(batch, c), `seed ${seed}, column ${c}`);
        assert.equal(column.dictionary === undefined, many && c === 1, `seed ${seed}, column ${c}: dictionary or plain text`);
      });
    }
  });

  it('gives equal fields one code and one shared string; empty and missing fields code -1', () => {
    const batch = batchOf(encoder.encode('north,1\n"north",2\nsouth,3\n,4\nnorth\n""\n'));
    const [regions] = buildColumns(batch, ['text', 'skip']);
    assert.ok(regions?.type === 'string' && regions.dictionary !== undefined);
    assert.deepEqual([...regions.dictionary.codes], [0, 0, 1, -1, 0, -1]);
    assert.deepEqual(regions.dictionary.texts, ['north', 'south']);
    assert.deepEqual(regions.values, ['north', 'north', 'south', null, 'north', null]);
  });
});
