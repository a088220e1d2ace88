import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import { decompressed } from './decompress.js';

const COMPRESSED = fileURLToPath(new URL('../../../fixtures/compressed/', import.meta.url));

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function text(stored: AsyncIterable<Buffer>, path: string): Promise<{ text: string; counted: number }> {
  let counted = 0;
  const parts: Buffer[] = [];
  for await (const part of decompressed(stored, path, (bytes) => (counted += bytes))) parts.push(part);
  return { text: Buffer.concat(parts).toString('utf8'), counted };
}

describe('decompressed', () => {
  it('decodes a zstd file of several blocks written by DuckDB, fed in 1000-byte pieces, and counts the stored bytes', async () => {
    const stored = readFileSync(`${COMPRESSED}ids.csv.zst`);
    const { text: csv, counted } = await text(pieces(stored, 1000), 'ids.csv.zst');
    const lines = csv.trimEnd().split('\n');
    assert.equal(lines.length, 30001);
    assert.deepEqual([lines[0], lines[1], lines[30000]], ['id,x', '0,0.0', '29999,7499.75']);
    assert.equal(counted, stored.length);
  });

  it('tells gzip by its magic on a name without .gz when the magic arrives one byte at a time', async () => {
    const plain = 'a,b\n1,2\n'.repeat(1000);
    const { text: csv } = await text(pieces(gzipSync(plain), 1), '-');
    assert.equal(csv, plain);
  });

  it('passes plain text through untouched, however short', async () => {
    assert.equal((await text(pieces(Buffer.from('a\n1\n'), 3), 'x.csv')).text, 'a\n1\n');
    assert.equal((await text(pieces(Buffer.alloc(0), 1), 'x.csv')).text, '');
  });

  const refused: readonly (readonly [string, RegExp])[] = [
    ['truncated.csv.gz', /^Cannot decompress \S*truncated\.csv\.gz \(gzip\): unexpected end of file$/],
    ['truncated.jsonl.gz', /^Cannot decompress \S*truncated\.jsonl\.gz \(gzip\): unexpected end of file$/],
    ['truncated.csv.zst', /^Cannot decompress \S*truncated\.csv\.zst \(zstd\): unexpected end of file$/],
    ['plain.csv.gz', /^Input \S*plain\.csv\.gz is named \.gz but does not hold gzip data \(it starts with bytes 73 65 70 61\)$/],
    ['bzip2.csv', /^Input \S*bzip2\.csv is bzip2-compressed; only gzip \(\.gz\) and zstd \(\.zst\) are read$/],
    ['huge-window.csv.zst', /^Cannot decompress \S*huge-window\.csv\.zst \(zstd\): its frame needs a 2048 MiB window, over the 128 MiB limit$/],
  ];
  for (const [file, message] of refused) {
    it(`refuses ${file} with an input error naming it, within 2 s`, async () => {
      const path = `${COMPRESSED}hostile/${file}`;
      const started = performance.now();
      await assert.rejects(text(pieces(readFileSync(path), 1 << 16), path), (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.equal(error.code, 'INPUT_UNREADABLE');
        assert.equal(error.context.file, path);
        assert.match(error.message, message);
        return true;
      });
      assert.ok(performance.now() - started < 2000, `took ${(performance.now() - started).toFixed(0)} ms`);
    });
  }
});
