import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Random } from '../../test/helpers/assertions.js';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { recordBoundaries, type RecordArea } from './csv-boundaries.js';
import { CsvScanError } from './csv-scan.js';
import type { LineEnding } from './csv-range-worker.js';

const ENDINGS: Record<LineEnding, string> = { lf: '\n', crlf: '\r\n', cr: '\r' };

/** A CSV body of records and blank lines, with where each line starts and its physical line. */
function generate(random: Random, ending: LineEnding): { text: string; starts: { byte: number; line: number }[]; endLine: number } {
  const eol = ENDINGS[ending];
  const starts: { byte: number; line: number }[] = [];
  let text = '';
  let line = 2;
  const breaksIn = (value: string): number => (value.match(/\r\n|\r|\n/g) ?? []).length;
  for (let r = 0; r < 300; r++) {
    starts.push({ byte: Buffer.byteLength(text), line });
    const fields = Array.from({ length: 3 }, () => {
      const kind = random.int(6);
      if (kind === 0) return '';
      if (kind === 1) return `"${random.pick(['a\nb', 'x\r\ny', 'q""q', 'd,e', `${eol}${eol}`, 'é\n"",'])}"`;
      if (kind === 2) return `"${random.pick(['plain', ''])}"`;
      return String(random.int(100000));
    });
    const record = random.chance(0.05) ? '' : fields.join(',');
    text += record + eol;
    line += breaksIn(record + eol);
  }
  return { text, starts, endLine: line };
}

async function area(text: string, ending: LineEnding): Promise<{ area: RecordArea; close: () => void; size: number }> {
  const dir = await tempDir();
  const header = `a,b,c${ENDINGS[ending]}`;
  const path = join(dir, 'in.csv');
  writeFileSync(path, header + text);
  const fd = openSync(path, 'r');
  const size = Buffer.byteLength(header + text);
  return { area: { fd, dataStart: Buffer.byteLength(header), lineAtDataStart: 2, size, lineEnding: ending, delimiter: 0x2c }, close: () => closeSync(fd), size };
}

describe('CSV record boundaries for shards', () => {
  for (const ending of ['lf', 'crlf', 'cr'] as const) {
    it(`finds the first record start at or after any byte, quoted line breaks and "" included (${ending})`, async () => {
      const random = new Random(ending.length * 7919);
      const { text, starts, endLine } = generate(random, ending);
      const { area: records, close, size } = await area(text, ending);
      try {
        const offset = records.dataStart;
        const expected = [...starts.map((start) => ({ byte: start.byte + offset, line: start.line })), { byte: size, line: endLine }];
        const targets = Array.from({ length: 400 }, () => offset + random.int(size - offset + 1)).sort((x, y) => x - y);
        const found = recordBoundaries(records, targets);
        targets.forEach((target, i) => {
          const want = expected.find((start) => start.byte >= target);
          assert.deepEqual(found[i], want, `target ${target}`);
        });
      } finally {
        close();
      }
    });
  }

  it('refuses a quote inside an unquoted field, and a closing quote followed by text, naming the line as the scanner does', async () => {
    for (const [text, code, line] of [
      ['1,2,3\n4,x"y,5\n6,7,8\n', 'INVALID_OPENING_QUOTE', 3],
      ['1,"a\nb"c,3\n', 'CSV_INVALID_CLOSING_QUOTE', 3],
    ] as const) {
      const { area: records, close, size } = await area(text, 'lf');
      try {
        assert.throws(() => recordBoundaries(records, [size]), (error: unknown) => error instanceof CsvScanError && error.code === code && error.line === line);
      } finally {
        close();
      }
    }
  });
});
