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

/** A ZSTD frame of raw (stored) blocks of at most `blockBytes`, declaring its content size in 4 bytes, with a 128 KiB window. */
function rawFrame(content: Buffer, blockBytes = content.length): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x80, 0x38]), Buffer.alloc(4)];
  (parts[1] as Buffer).writeUInt32LE(content.length);
  for (let at = 0; at < content.length; at += blockBytes) {
    const block = content.subarray(at, at + blockBytes);
    const header = Buffer.alloc(3);
    header.writeUIntLE((block.length << 3) | (at + blockBytes >= content.length ? 1 : 0), 0, 3);
    parts.push(header, block);
  }
  return Buffer.concat(parts);
}

/** A skippable frame of `size` bytes (metadata a decoder passes over). */
function skippableFrame(size: number): Buffer {
  const frame = Buffer.alloc(8 + size, 0x7a);
  frame.writeUInt32LE(0x184d2a53, 0);
  frame.writeUInt32LE(size, 4);
  return frame;
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

  it('decodes a stream of several frames, each declaring its content size, with a skippable frame between, fed in 7-byte pieces', async () => {
    const texts = ['id,x\n', '1,2\n3,4\n', 'é,5\n'];
    const stored = Buffer.concat([rawFrame(Buffer.from(texts[0] as string)), skippableFrame(5), rawFrame(Buffer.from(texts[1] as string), 3), rawFrame(Buffer.from(texts[2] as string))]);
    assert.equal((await text(pieces(stored, 7), 'x.csv.zst')).text, texts.join(''));
    // Two files of DuckDB's frames, one after the other (as `cat a.zst b.zst` makes).
    const [iris, ids] = ['iris.csv.zst', 'ids.csv.zst'].map((name) => readFileSync(`${COMPRESSED}${name}`));
    const each = await Promise.all([iris, ids].map(async (bytes) => (await text(pieces(bytes as Buffer, 1 << 16), 'x.zst')).text));
    assert.equal((await text(pieces(Buffer.concat([iris as Buffer, ids as Buffer]), 1000), 'x.zst')).text, each.join(''));
  });

  it('refuses a later frame that declares a 1.5 GiB content size (its window), before allocating it', async () => {
    const huge = Buffer.alloc(14);
    // Magic, descriptor: single segment, 8-byte content size; the size; then a block header would follow.
    Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0]).copy(huge);
    huge.writeBigUInt64LE(3n << 29n, 5);
    const started = performance.now();
    await assert.rejects(text(pieces(Buffer.concat([rawFrame(Buffer.from('a\n1\n')), huge]), 1 << 16), 'big.csv.zst'), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, 'INPUT_UNREADABLE');
      assert.equal(error.message, 'Cannot decompress big.csv.zst (zstd): its frame 2 needs a 1536 MiB window, over the 128 MiB limit');
      return true;
    });
    assert.ok(performance.now() - started < 2000);
  });

  it('decodes a frame whose output is far larger than it declares in bounded memory: 64 KiB of RLE blocks for 2 GiB', async () => {
    // One frame declaring 8 bytes of content, then 16384 RLE blocks of 128 KiB each (4 bytes apiece).
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x80, 0x38, 8, 0, 0, 0]);
    const blocks = Buffer.alloc(16384 * 4);
    for (let i = 0; i < 16384; i++) {
      blocks.writeUIntLE((131072 << 3) | (1 << 1) | (i === 16383 ? 1 : 0), i * 4, 3);
      blocks[i * 4 + 3] = 0x61;
    }
    let decoded = 0;
    let peak = 0;
    for await (const part of decompressed(pieces(Buffer.concat([header, blocks]), 1 << 16), 'bomb.csv.zst', () => undefined)) {
      decoded += part.length;
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      if (decoded >= 256 << 20) break;
    }
    assert.ok(decoded >= 256 << 20);
    assert.ok(peak < 64 << 20, `${(peak / 2 ** 20).toFixed(0)} MiB of buffers held while decoding`);
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
