import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RejectList } from '../../shared/chunk.js';
import { Random } from '../../../test/helpers/assertions.js';
import { type ChunkOptions, badValue, cell, chunk, compile, f64, raw, read, str } from '../../../test/helpers/pipeline.js';

describe('steps: date_parts', () => {
  const ALL = ['year', 'month', 'day', 'weekday', 'hour', 'minute', 'second', 'epoch'];

  function parts(values: (string | null)[], options: ChunkOptions = {}): (number | string | null)[][] {
    const pipeline = compile([{ date_parts: { column: 'when', parts: ALL, prefix: 't' } }], ['when'], ['t_year']);
    const out = pipeline.transform(chunk({ when: str(values) }, options));
    return Array.from({ length: out.rowCount }, (_, i) => ALL.map((part) => cell(out, `t_${part}`, i)));
  }

  it("reads a UTC timestamp with 'Z' (weekday: Monday = 0)", () => {
    // 2024-05-01 was a Wednesday.
    assert.deepEqual(parts(['2024-05-01T13:45:30Z']), [[2024, 5, 1, 2, 13, 45, 30, Date.UTC(2024, 4, 1, 13, 45, 30) / 1000]]);
  });

  it("converts a '+02:00' offset to UTC, across midnight and month end", () => {
    assert.deepEqual(parts(['2024-05-01T01:30:00+02:00']), [[2024, 4, 30, 1, 23, 30, 0, Date.UTC(2024, 3, 30, 23, 30) / 1000]]);
  });

  it("converts '-05:30' and '+0200' offsets to UTC", () => {
    assert.deepEqual(parts(['2024-05-01T10:00:00-05:30', '2024-05-01T10:00+0200']), [
      [2024, 5, 1, 2, 15, 30, 0, Date.UTC(2024, 4, 1, 15, 30) / 1000],
      [2024, 5, 1, 2, 8, 0, 0, Date.UTC(2024, 4, 1, 8) / 1000],
    ]);
  });

  it('reads a date only as midnight UTC, and a time without a zone as UTC', () => {
    assert.deepEqual(parts(['2024-02-29', '2024-12-31 23:59:59', '2023-01-01T00:00:00.250Z']), [
      [2024, 2, 29, 3, 0, 0, 0, Date.UTC(2024, 1, 29) / 1000],
      [2024, 12, 31, 1, 23, 59, 59, Date.UTC(2024, 11, 31, 23, 59, 59) / 1000],
      [2023, 1, 1, 6, 0, 0, 0, Date.UTC(2023, 0, 1) / 1000 + 0.25],
    ]);
  });

  it('gives NaN with the null flag for missing values', () => {
    const pipeline = compile([{ date_parts: { column: 'when', parts: ['year', 'month'] } }], ['when'], ['when_year']);
    const out = pipeline.transform(chunk({ when: str([null, '2020-06-15']) }));
    assert.deepEqual(read(out, 'when_year'), [null, 2020]);
    assert.deepEqual(read(out, 'when_month'), [null, 6]);
    assert.deepEqual(raw(out, 'when_year'), [Number.NaN, 2020]);
  });

  it('treats an Arrow null as missing whatever lies underneath', () => {
    const pipeline = compile([{ date_parts: { column: 'when', parts: ['year'] } }], ['when'], ['when_year']);
    const out = pipeline.transform(chunk({ when: f64([12345, 0], [1, 1]) }));
    assert.deepEqual(read(out, 'when_year'), [null, null]);
  });

  for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-04-31', '2024-05-01T24:00:00Z', '2024-05-01T12:60:00Z', 'May 1, 2024', '2024/05/01', '', '2024-5-1', '2024-05-01T10:00Zx', '2024-05-01T10:00:00+05:30x', '2024-05-01T10:00:00.Z', '2024-05-01T1:00Z', '2024-05-01T10:00+05']) {
    it(`fails with BAD_VALUE on the invalid date ${JSON.stringify(bad)}, naming line and column`, () => {
      assert.throws(() => parts(['2024-01-01', bad], { lines: [2, 3] }), badValue("data.csv at line 3, column 'when' (steps[0].date_parts)", 'ISO 8601', JSON.stringify(bad)));
    });
  }

  // Regression (found while writing these tests).
  it('accepts a fraction that rounds up at the last second of a day', () => {
    const [row] = parts(['2024-05-01T23:59:59.9999Z']);
    assert.deepEqual(row?.slice(0, 3), [2024, 5, 1]);
  });

  // Regression (found while writing these tests).
  it('reads years below 100 as written', () => {
    const [row] = parts(['0050-06-15']);
    assert.equal(row?.[0], 50);
  });

  it('agrees with a regular expression and Date on random valid and broken timestamps', () => {
    // The reference: how this step read timestamps before it did its own calendar arithmetic.
    const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
    const reference = (text: string): (number | null)[] => {
      const match = ISO.exec(text.trim());
      const none = ALL.map(() => null);
      if (match === null) return none;
      const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
      const [y, m, d, h, mi, sec] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
      const date = new Date(0);
      date.setUTCFullYear(y, m - 1, d);
      if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return none;
      let ms = date.getTime() + ((h * 60 + mi) * 60 + sec) * 1000 + (fraction === '' ? 0 : Number(fraction) * 1000);
      if (zone !== 'Z') {
        const digits = zone.slice(1).replace(':', '');
        ms -= (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
      }
      const at = new Date(ms);
      return [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), (at.getUTCDay() + 6) % 7, at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), ms / 1000];
    };
    const random = new Random(29);
    const two = (n: number): string => String(n).padStart(2, '0');
    const texts: string[] = [];
    for (let k = 0; k < 4000; k++) {
      let text = `${String(random.int(10000)).padStart(4, '0')}-${two(random.int(14))}-${two(random.int(33))}`;
      if (random.chance(0.7)) {
        text += `${random.pick(['T', ' ', 't', '_'])}${two(random.int(26))}:${two(random.int(62))}`;
        if (random.chance(0.6)) text += `:${two(random.int(62))}${random.chance(0.3) ? `.${random.int(100000)}` : ''}`;
        text += random.pick(['', 'Z', `+${two(random.int(15))}:${two(random.int(60))}`, `-${two(random.int(15))}${two(random.int(60))}`, '+1', 'z', 'Z ', ' ']);
      }
      // Damage some: a character dropped, changed or added.
      if (random.chance(0.15)) {
        const at = random.int(text.length + 1);
        const damaged = random.pick(['drop', 'change', 'add']);
        text = damaged === 'drop' ? text.slice(0, at) + text.slice(at + 1) : `${text.slice(0, at)}${random.pick(['x', '-', ':', '9', '.', ' '])}${text.slice(damaged === 'change' ? at + 1 : at)}`;
      }
      texts.push(text);
    }
    const pipeline = compile([{ date_parts: { column: 'when', parts: ALL, prefix: 't' } }], ['when'], ['t_year']);
    const out = pipeline.transform({ ...chunk({ when: str(texts) }), rejects: new RejectList() });
    const columns = ALL.map((part) => read(out, `t_${part}`));
    texts.forEach((text, i) => {
      const got = columns.map((values) => {
        const value = values[i] ?? null;
        return typeof value === 'number' && Number.isNaN(value) ? null : value;
      });
      assert.deepEqual(got, reference(text), JSON.stringify(text));
    });
  });
});

// ---- empty chunks and the whole catalogue ------------------------------------------------------
