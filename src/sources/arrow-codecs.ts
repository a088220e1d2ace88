// Decoders for Arrow IPC body compression: ZSTD (fzstd, pure JavaScript) and LZ4 frames (lz4js's
// block decoder, pure JavaScript, under a frame walker of our own that checks every size). Each
// decoder writes into a buffer of exactly the size the IPC buffer declares, and fails when the data
// decodes to any other size, so a hostile buffer can neither allocate without bound nor loop.
// Also the streaming ZSTD decoder for .zst text inputs (decompress.ts), as this is fzstd's adapter.
import { Decompress as ZstdStream, decompress as zstdDecompress } from 'fzstd';
import lz4 from 'lz4js';

/** A buffer that does not decode; arrow.ts turns it into ARROW_MALFORMED with the file name. */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

export function decodeZstd(data: Uint8Array, expected: number): Uint8Array {
  let out: Uint8Array;
  // fzstd tests its output argument with `buf == 1`, which turns a typed array into a string of all
  // its values: seconds (then "Invalid string length") for a buffer of hundreds of MB, as a flipped
  // length prefix gives (found by test/fuzz.test.ts). A primitive of its own makes that test cheap.
  const target = Object.defineProperty(new Uint8Array(expected), Symbol.toPrimitive, { value: () => Number.NaN });
  try {
    out = zstdDecompress(data, target);
  } catch (error) {
    throw new CodecError(`a ZSTD-compressed buffer is corrupt (${(error as Error).message})`);
  }
  if (out.byteLength !== expected) {
    throw new CodecError(`a ZSTD-compressed buffer decodes to ${out.byteLength} bytes, but its length prefix says ${expected}`);
  }
  return out;
}

/**
 * Decodes a ZSTD stream (the frames the zstd tool writes) piece by piece: each push returns the
 * bytes decoded so far. fzstd keeps one window of the size the frame header declares; the caller
 * checks that size first (decompress.ts).
 */
export class ZstdStreamDecoder {
  private readonly parts: Uint8Array[] = [];
  private readonly stream = new ZstdStream((data) => {
    this.parts.push(data);
  });

  push(data: Uint8Array, final: boolean): Uint8Array[] {
    try {
      this.stream.push(data, final);
    } catch (error) {
      throw new CodecError((error as Error).message);
    }
    return this.parts.splice(0);
  }
}

const LZ4_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE = 0x184d2a50;
const LZ4_BLOCK_SIZES: Readonly<Record<number, number>> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

/** Decodes one or more LZ4 frames (the format of lz4 -c and of Arrow's LZ4_FRAME) into `expected` bytes. */
export function decodeLz4Frame(data: Uint8Array, expected: number): Uint8Array {
  const fail = (why: string): never => {
    throw new CodecError(`an LZ4-compressed buffer is corrupt: ${why}`);
  };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u32 = (at: number): number => (at + 4 <= data.byteLength ? view.getUint32(at, true) : fail('it ends early'));
  const out = new Uint8Array(expected);
  let written = 0;
  let pos = 0;
  let frames = 0;
  while (pos < data.byteLength) {
    const magic = u32(pos);
    if ((magic & LZ4_SKIPPABLE_MASK) >>> 0 === LZ4_SKIPPABLE) {
      pos += 8 + u32(pos + 4);
      continue;
    }
    if (magic !== LZ4_MAGIC) fail(frames === 0 ? 'no LZ4 frame magic' : 'trailing bytes after the last frame');
    frames += 1;
    const flags = data[pos + 4] ?? fail('it ends early');
    const blockDescriptor = data[pos + 5] ?? fail('it ends early');
    if (flags >> 6 !== 1) fail(`unknown frame version ${flags >> 6}`);
    if ((flags & 0x01) !== 0) fail('it needs a dictionary');
    const blockChecksums = (flags & 0x10) !== 0;
    const contentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const maxBlock = LZ4_BLOCK_SIZES[(blockDescriptor >> 4) & 0x07] ?? fail('invalid block size');
    pos += 6;
    if (contentSize) {
      if (pos + 8 > data.byteLength) fail('it ends early');
      const declared = view.getBigUint64(pos, true);
      if (declared > BigInt(expected - written)) fail(`a frame declares ${declared} bytes, more than the buffer's length prefix allows`);
      pos += 8;
    }
    pos += 1; // header checksum
    for (;;) {
      const word = u32(pos);
      pos += 4;
      if (word === 0) break;
      const stored = (word & 0x80000000) !== 0;
      const size = word & 0x7fffffff;
      if (size > maxBlock || pos + size > data.byteLength) fail('a block is larger than the frame allows or than the data');
      if (stored) {
        if (written + size > expected) fail(`it decodes to more than the ${expected} bytes its length prefix says`);
        out.set(data.subarray(pos, pos + size), written);
        written += size;
      } else {
        // The block decoder drops writes past the end of `out`; a result past `expected` is caught below.
        written = lz4.decompressBlock(data, out, pos, size, written);
        if (!(written <= expected)) fail(`it decodes to more than the ${expected} bytes its length prefix says`);
      }
      pos += size + (blockChecksums ? 4 : 0);
    }
    pos += contentChecksum ? 4 : 0;
  }
  if (frames === 0 && expected > 0) fail('no LZ4 frame');
  if (written !== expected) fail(`it decodes to ${written} bytes, but its length prefix says ${expected}`);
  return out;
}
