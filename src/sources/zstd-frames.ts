// Sources: the frames of a .zst input, walked as its bytes arrive, ahead of the decoder (fzstd). fzstd
// allocates the window each frame header declares and decodes all it is given at once, so a hostile
// file could make it allocate gigabytes (a later frame's header as well as the first's) or turn a
// small read into gigabytes of output at once (an RLE block is 4 bytes for up to 128 KiB). Here every
// frame's window is checked (a single-segment frame's window is its declared content size), every
// block's size too, and the bytes are cut into pieces of a few blocks, so that each decoder call
// yields a few MiB at most, which the reader takes before the next call.
import { InputError } from '../errors.js';

/** The largest window decoded: the zstd tool's own default limit (--memory=128MB). */
const MAX_WINDOW_BYTES = 1 << 27;
/** The format's largest block (Block_Maximum_Size). */
const MAX_BLOCK_BYTES = 128 << 10;
/** Blocks in one piece: at most 32 x 128 KiB = 4 MiB of output per decoder call. */
const MAX_BLOCKS_PER_PIECE = 32;
const ZSTD_MAGIC = 0xfd2fb528;

type Phase = 'magic' | 'frame-header' | 'block-header' | 'skippable-size' | 'skip';

/** Cuts a ZSTD stream into pieces, failing with INPUT_UNREADABLE on a frame it will not decode. */
export class ZstdFrames {
  private phase: Phase = 'magic';
  private header: number[] = [];
  private want = 4;
  private skip = 0;
  private afterSkip: Phase = 'magic';
  private checksum = false;
  /** Frames seen, counting from 1 (skippable frames are not counted). */
  private frame = 0;
  private blocksInPiece = 0;

  constructor(private readonly path: string) {}

  /** The next bytes of the stream, in pieces of at most MAX_BLOCKS_PER_PIECE block starts. */
  cut(chunk: Uint8Array): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    let start = 0;
    for (let at = 0; at < chunk.length; ) {
      if (this.phase === 'skip') {
        const taken = Math.min(this.skip, chunk.length - at);
        at += taken;
        this.skip -= taken;
        if (this.skip === 0) this.enter(this.afterSkip);
        continue;
      }
      if (this.header.length === 0 && this.phase === 'block-header') {
        if (this.blocksInPiece === MAX_BLOCKS_PER_PIECE) {
          pieces.push(chunk.subarray(start, at));
          start = at;
          this.blocksInPiece = 0;
        }
        this.blocksInPiece++;
      }
      this.header.push(chunk[at++] as number);
      if (this.header.length === this.want) this.read(this.header);
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
    return pieces;
  }

  private enter(phase: Phase): void {
    this.phase = phase;
    this.header = [];
    this.want = phase === 'frame-header' ? 1 : phase === 'block-header' ? 3 : 4;
  }

  /** Acts on a complete header field (`want` bytes). */
  private read(bytes: readonly number[]): void {
    switch (this.phase) {
      case 'magic': {
        const magic = littleEndian(bytes, 0, 4);
        if (magic === ZSTD_MAGIC) {
          this.frame++;
          this.enter('frame-header');
        } else if (magic >>> 4 === 0x184d2a5) {
          this.enter('skippable-size');
        } else {
          throw this.refuse(`frame ${this.frame + 1} does not start with the ZSTD magic`, 'the file is truncated or corrupt');
        }
        return;
      }
      case 'skippable-size':
        this.skipThen(littleEndian(bytes, 0, 4), 'magic');
        return;
      case 'frame-header':
        this.readFrameHeader(bytes);
        return;
      case 'block-header': {
        const word = littleEndian(bytes, 0, 3);
        const last = (word & 1) === 1;
        const type = (word >> 1) & 3;
        const size = word >>> 3;
        if (type === 3) throw this.refuse(`frame ${this.frame} has a block of the reserved type 3`, 'the file is truncated or corrupt');
        if (size > MAX_BLOCK_BYTES) throw this.refuse(`frame ${this.frame} has a block of ${size} bytes, over the format's ${MAX_BLOCK_BYTES}`, 'the file is truncated or corrupt');
        // An RLE block stores one byte, repeated `size` times.
        this.skipThen((type === 1 ? 1 : size) + (last && this.checksum ? 4 : 0), last ? 'magic' : 'block-header');
        return;
      }
      case 'skip':
        return;
    }
  }

  private readFrameHeader(bytes: readonly number[]): void {
    const descriptor = bytes[0] as number;
    const singleSegment = ((descriptor >> 5) & 1) === 1;
    const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] as number;
    const sizeFlag = descriptor >> 6;
    const sizeBytes = sizeFlag === 0 ? (singleSegment ? 1 : 0) : 1 << sizeFlag;
    const length = 1 + (singleSegment ? 0 : 1) + dictionaryBytes + sizeBytes;
    if (bytes.length < length) {
      this.want = length;
      return;
    }
    if ((descriptor & 0x08) !== 0) throw this.refuse(`frame ${this.frame} sets the reserved bit of its header`, 'the file is truncated or corrupt');
    let window: number;
    if (singleSegment) {
      // The window is the whole content, whose size follows the dictionary id.
      window = littleEndian(bytes, length - sizeBytes, sizeBytes) + (sizeBytes === 2 ? 256 : 0);
    } else {
      const exponent = bytes[1] as number;
      const base = 2 ** (10 + (exponent >> 3));
      window = base + (base / 8) * (exponent & 7);
    }
    if (window > MAX_WINDOW_BYTES) {
      const which = this.frame === 1 ? 'its frame' : `its frame ${this.frame}`;
      throw this.refuse(`${which} needs a ${Math.ceil(window / 2 ** 20)} MiB window, over the 128 MiB limit`, 'decompress it first with `zstd -d --memory=...`, or recompress it without --long');
    }
    this.checksum = ((descriptor >> 2) & 1) === 1;
    this.enter('block-header');
  }

  private skipThen(bytes: number, next: Phase): void {
    this.afterSkip = next;
    this.skip = bytes;
    if (bytes === 0) this.enter(next);
    else this.enter('skip');
  }

  private refuse(reason: string, hint: string): InputError {
    return new InputError('INPUT_UNREADABLE', `Cannot decompress ${this.path} (zstd): ${reason}`, { context: { file: this.path }, hint });
  }
}

function littleEndian(bytes: readonly number[], at: number, count: number): number {
  let value = 0;
  for (let i = count - 1; i >= 0; i--) value = value * 256 + (bytes[at + i] ?? 0);
  return value;
}
