import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { Random } from '../../test/helpers/assertions.js';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { inputLayout } from './index.js';
import { alignJsonlRange } from './jsonl-boundaries.js';

describe('JSON Lines boundaries', () => {
  it('moves every cut forward to the next line start, with its physical line, in LF and CRLF files with blank lines', async () => {
    const dir = await tempDir();
    const random = new Random(15);
    for (const eol of ['\n', '\r\n']) {
      const lines = Array.from({ length: 200 }, (_, i) => (random.chance(0.05) ? '' : JSON.stringify({ id: i, text: random.pick(['a\nb', 'é', '', '{"x": 1}', 'x'.repeat(random.int(300))]) })));
      const text = lines.join(eol) + (random.chance(0.5) ? eol : '');
      const path = join(dir, `in-${eol.length}.jsonl`);
      writeFileSync(path, text);
      // The oracle: where each line starts (byte 0, and after each LF), and the end of the file.
      const starts: { byte: number; line: number }[] = [];
      let byte = 0;
      lines.forEach((line, i) => {
        if (byte < Buffer.byteLength(text)) starts.push({ byte, line: i + 1 });
        byte += Buffer.byteLength(line + eol);
      });
      const size = Buffer.byteLength(text);
      const firstAtOrAfter = (target: number): { byte: number; line: number } => starts.find((start) => start.byte >= target) ?? { byte: size, line: (text.match(/\n/g) ?? []).length + 1 };
      for (let target = 0; target <= size; target += 1 + random.int(40)) {
        const end = Math.min(size, target + random.int(2000));
        const expected = [firstAtOrAfter(target), firstAtOrAfter(end)];
        assert.deepEqual(alignJsonlRange(path, { start: target, end }), { unit: 'bytes', start: expected[0]?.byte, end: expected[1]?.byte, line: expected[0]?.line }, `cut at ${target}..${end} (eol ${JSON.stringify(eol)})`);
      }
    }
  });

  it('cuts a plain JSON Lines file into byte ranges, and leaves a compressed or empty one whole', async () => {
    const dir = await tempDir();
    const text = '{"a": 1}\n{"a": 2}\n';
    writeFileSync(join(dir, 'plain.jsonl'), text);
    writeFileSync(join(dir, 'packed.jsonl.gz'), gzipSync(text));
    writeFileSync(join(dir, 'empty.jsonl'), '');
    const layout = (name: string): ReturnType<typeof inputLayout> => inputLayout('jsonl', { path: join(dir, name), delimiter: ',' });
    assert.deepEqual(await layout('plain.jsonl'), { unit: 'bytes', dataStart: 0, size: text.length });
    assert.equal((await layout('packed.jsonl.gz')).unit, 'file');
    assert.deepEqual(await layout('empty.jsonl'), { unit: 'file', bytes: 0 });
  });
});
