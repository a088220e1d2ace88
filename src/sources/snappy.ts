// Source helper: Snappy block decompression (Parquet's default page codec) for the pages decoded in
// JavaScript (parquet-pages.ts), by hysnappy (Snappy's C decoder in WebAssembly, from hyparquet's
// authors): 2-3x faster than a JavaScript decoder on the bench's pages, where Snappy was the decoder
// thread's largest cost. It checks every literal and copy against both buffers itself; the declared
// length is checked here first, since it sizes the allocation.
import { snappyUncompressor } from 'hysnappy';
import { ParquetFormatError } from './thrift-compact.js';

/** Snappy expands at most ~21x (a 3-byte copy of 64 bytes): a block that declares more is corrupt. */
const MAX_RATIO = 32;

let uncompress: ((input: Uint8Array, outputLength: number) => Uint8Array) | undefined;

/** The uncompressed length a Snappy block declares in its preamble. */
function declaredLength(input: Uint8Array): number {
  let length = 0;
  let scale = 1;
  for (let at = 0; at < 5 && at < input.length; at++) {
    const byte = input[at] as number;
    length += (byte & 0x7f) * scale;
    if (byte < 0x80) return length;
    scale *= 128;
  }
  throw new ParquetFormatError('a Snappy block has no valid length preamble');
}

/** Decompresses a Snappy block that must hold exactly `length` bytes. */
export function snappyUncompress(input: Uint8Array, length: number): Uint8Array {
  const declared = declaredLength(input);
  if (declared !== length || length > input.length * MAX_RATIO + 64) throw new ParquetFormatError(`a Snappy block of ${input.length} bytes declares ${declared}, its page ${length}`);
  try {
    return (uncompress ??= snappyUncompressor())(input, length);
  } catch (error) {
    throw new ParquetFormatError(`a Snappy block is corrupt (${(error as Error).message})`);
  }
}
