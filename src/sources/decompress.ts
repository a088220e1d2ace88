// Sources: compressed text inputs (.gz, .zst). Which compression an input holds is told by its name
// and by its first bytes (a gzip file named .csv is decompressed, never read as text), and its bytes
// are decompressed as a stream, so a file of any size is read in bounded memory.
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import { CodecError, ZstdStreamDecoder } from './arrow-codecs.js';
import { ZstdFrames } from './zstd-frames.js';

/** The compressions text inputs may have, with the extension that names each and the tool that checks a file. */
export const COMPRESSIONS = {
  gzip: { extension: '.gz', test: 'gzip -t' },
  zstd: { extension: '.zst', test: 'zstd -t' },
} as const;

export type Compression = keyof typeof COMPRESSIONS;

/** Other compressions a file may start with: refused with what would decompress them. */
const UNREAD: readonly { readonly name: string; readonly magic: readonly number[]; readonly tool: string }[] = [
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68], tool: 'bunzip2 -k' },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tool: 'xz -dk' },
  { name: 'zip', magic: [0x50, 0x4b, 0x03, 0x04], tool: 'unzip' },
  { name: 'LZ4', magic: [0x04, 0x22, 0x4d, 0x18], tool: 'lz4 -d' },
];

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** Enough for every magic above. */
const HEAD_BYTES = 6;

/** The compression a file name says (data.csv.gz: gzip), if any. */
export function compressionOfName(path: string): Compression | undefined {
  const extension = extname(path).toLowerCase();
  return (Object.keys(COMPRESSIONS) as Compression[]).find((name) => COMPRESSIONS[name].extension === extension);
}

/** The name without its compression extension (data.csv.gz: data.csv). */
export function withoutCompressionExtension(path: string): string {
  return compressionOfName(path) === undefined ? path : path.slice(0, -extname(path).length);
}

/** Whether a file on disk is compressed, by its name or its first bytes (its byte ranges then cannot be split). */
export async function isCompressedFile(path: string): Promise<boolean> {
  if (compressionOfName(path) !== undefined) return true;
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(head, 0, HEAD_BYTES, 0);
    return sniff(head.subarray(0, bytesRead)) !== undefined;
  } finally {
    await file.close();
  }
}

/**
 * The bytes of an input, decompressed when its name or its first bytes say gzip or zstd.
 * `count` sees the bytes as stored, which progress and the report measure against the file's size.
 */
export async function* decompressed(stored: AsyncIterable<Buffer>, path: string, count: (bytes: number) => void): AsyncGenerator<Buffer> {
  const iterator = stored[Symbol.asyncIterator]();
  const pull = async (): Promise<Buffer | undefined> => {
    const next = await iterator.next();
    if (next.done === true) return undefined;
    count(next.value.length);
    return next.value;
  };
  let head: Buffer = Buffer.alloc(0);
  while (head.length < HEAD_BYTES) {
    const next = await pull();
    if (next === undefined) break;
    head = head.length === 0 ? next : Buffer.concat([head, next]);
  }
  const byBytes = sniff(head);
  if (typeof byBytes === 'object') {
    throw new InputError('INPUT_UNREADABLE', `Input ${path} is ${byBytes.name}-compressed; only gzip (.gz) and zstd (.zst) are read`, {
      context: { file: path },
      hint: `decompress it first (e.g. \`${byBytes.tool} ${path === '-' ? 'FILE' : path}\`), or recompress it with gzip or zstd`,
    });
  }
  const byName = compressionOfName(path);
  if (byName !== undefined && byBytes !== byName) {
    throw new InputError('INPUT_UNREADABLE', `Input ${path} is named ${COMPRESSIONS[byName].extension} but does not hold ${byName} data (${describeHead(head)})`, {
      context: { file: path },
      hint: `rename it without ${COMPRESSIONS[byName].extension} if it is plain text; else it is not a ${byName} file (\`${COMPRESSIONS[byName].test} ${path}\` checks it)`,
    });
  }
  const rest = replay(head, pull);
  if (byBytes === undefined) {
    yield* rest;
    return;
  }
  try {
    yield* byBytes === 'gzip' ? gunzip(rest) : unzstd(rest, path);
  } catch (error) {
    if (!isCodecError(error)) throw error;
    throw new InputError('INPUT_UNREADABLE', `Cannot decompress ${path} (${byBytes}): ${codecReason(error)}`, {
      context: { file: path },
      hint: `the file is truncated or corrupt; \`${COMPRESSIONS[byBytes].test} ${path === '-' ? 'FILE' : path}\` checks it`,
      cause: error,
    });
  }
}

/** The compression the first bytes of a file say (gzip, zstd, bzip2, xz, zip, LZ4), if any. */
export function compressionOfBytes(head: Uint8Array): string | undefined {
  const found = sniff(head);
  return typeof found === 'object' ? found.name : found;
}

/** What the first bytes say: a compression read here, another one, or none (plain text). */
function sniff(head: Uint8Array): Compression | { readonly name: string; readonly tool: string } | undefined {
  const startsWith = (magic: readonly number[]): boolean => head.length >= magic.length && magic.every((byte, i) => head[i] === byte);
  if (startsWith(GZIP_MAGIC)) return 'gzip';
  if (startsWith(ZSTD_MAGIC)) return 'zstd';
  return UNREAD.find((format) => startsWith(format.magic));
}

function describeHead(head: Buffer): string {
  if (head.length === 0) return 'it is empty';
  return `it starts with bytes ${[...head.subarray(0, 4)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ')}`;
}

async function* replay(head: Buffer, pull: () => Promise<Buffer | undefined>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (let chunk = await pull(); chunk !== undefined; chunk = await pull()) yield chunk;
}

async function* gunzip(stored: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  // node:zlib reads concatenated gzip members (as `cat a.gz b.gz` makes) and fails on a truncated one.
  const inflated = pipeline(Readable.from(stored), createGunzip(), () => undefined);
  yield* inflated as AsyncIterable<Buffer>;
}

async function* unzstd(stored: AsyncGenerator<Buffer>, path: string): AsyncGenerator<Buffer> {
  const frames = new ZstdFrames(path);
  const decoder = new ZstdStreamDecoder();
  const toBuffers = (parts: Uint8Array[]): Buffer[] => parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength));
  // Piece by piece: each decoder call's output (a few MiB at most) is taken before the next call.
  for await (const chunk of stored) for (const piece of frames.cut(chunk)) yield* toBuffers(decoder.push(piece, false));
  yield* toBuffers(decoder.push(new Uint8Array(0), true));
}

function isCodecError(error: unknown): boolean {
  return error instanceof CodecError || (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).code?.startsWith('Z_') === true);
}

function codecReason(error: unknown): string {
  const message = (error as Error).message;
  // fzstd's codes for a stream that ends inside a frame: say it in words.
  return message === 'unexpected EOF' ? 'unexpected end of file' : message;
}
