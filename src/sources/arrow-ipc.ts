// Arrow IPC framing, before apache-arrow sees a byte: turns an IPC stream or file into a stream of
// messages, each checked by arrow-ipc-metadata.ts. apache-arrow trusts its input (a footer block that
// points at a message of type NONE makes its file reader loop forever), so the framing is checked here.
import {
  CONTINUATION, FlatBuffer, HeaderType, IpcFormatError, MAGIC, MAX_METADATA_BYTES, MAX_VERSION, MIN_VERSION,
  checkBatch, headerName, parseMessage, parseSchema, type MessageMeta, type RecordBatchMeta, type SchemaMeta,
} from './arrow-ipc-metadata.js';

export { IpcFormatError } from './arrow-ipc-metadata.js';


/** Exact reads from an async byte source. */
class ByteQueue {
  private readonly chunks: Uint8Array[] = [];
  private buffered = 0;
  private done = false;
  /** Bytes handed out so far. */
  position = 0;
  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.done) {
      const next = await this.source.next();
      if (next.done === true) {
        this.done = true;
        break;
      }
      const chunk = next.value;
      if (chunk.byteLength === 0) continue;
      this.chunks.push(chunk);
      this.buffered += chunk.byteLength;
    }
  }
  /** Exactly n bytes, or fewer only at the end of the input. */
  async read(n: number): Promise<Uint8Array> {
    await this.fill(n);
    const take = Math.min(n, this.buffered);
    const first = this.chunks[0];
    let out: Uint8Array;
    if (first !== undefined && first.byteLength >= take) {
      out = first.subarray(0, take);
      if (first.byteLength === take) this.chunks.shift();
      else this.chunks[0] = first.subarray(take);
    } else {
      out = new Uint8Array(take);
      let filled = 0;
      while (filled < take) {
        const chunk = this.chunks[0] as Uint8Array;
        const part = Math.min(chunk.byteLength, take - filled);
        out.set(chunk.subarray(0, part), filled);
        filled += part;
        if (part === chunk.byteLength) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(part);
      }
    }
    this.buffered -= take;
    this.position += take;
    return out;
  }
}

/** One validated message: its bytes as apache-arrow reads them (prefix and metadata, then body). */
export interface FramedMessage {
  readonly meta: MessageMeta;
  readonly head: Uint8Array;
  readonly body: Uint8Array;
}

const littleEndian = (bytes: Uint8Array, at: number): number =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);

/**
 * Reads the next message from `queue`: 'eos' at an end-of-stream marker, 'end' when the input
 * ends before any byte of a message.
 */
async function readMessage(queue: ByteQueue, where: string): Promise<FramedMessage | 'eos' | 'end'> {
  const start = queue.position;
  const first = await queue.read(4);
  if (first.byteLength === 0) return 'end';
  if (first.byteLength < 4) throw new IpcFormatError(`${where} is truncated: it ends inside a message length at byte ${start}`, 'truncated');
  let prefix = first;
  let length = littleEndian(first, 0);
  if (length === CONTINUATION) {
    const second = await queue.read(4);
    if (second.byteLength < 4) throw new IpcFormatError(`${where} is truncated: it ends inside a message length at byte ${start}`, 'truncated');
    prefix = new Uint8Array(8);
    prefix.set(first, 0);
    prefix.set(second, 4);
    length = littleEndian(second, 0);
  }
  if (length === 0) return 'eos';
  if (length > MAX_METADATA_BYTES) {
    throw new IpcFormatError(`${where} is corrupt: the message at byte ${start} declares ${length} bytes of metadata`);
  }
  const metadata = await queue.read(length);
  if (metadata.byteLength < length) {
    throw new IpcFormatError(`${where} is truncated: the message at byte ${start} needs ${length} bytes of metadata, only ${metadata.byteLength} follow`, 'truncated');
  }
  const meta = parseMessage(metadata);
  const body = await queue.read(meta.bodyLength);
  if (body.byteLength < meta.bodyLength) {
    throw new IpcFormatError(
      `${where} is truncated: the ${headerName(meta.headerType)} message at byte ${start} needs a body of ${meta.bodyLength} bytes, only ${body.byteLength} follow`,
      'truncated',
    );
  }
  const head = new Uint8Array(prefix.byteLength + metadata.byteLength);
  head.set(prefix, 0);
  head.set(metadata, prefix.byteLength);
  return { meta, head, body };
}

const BIG_ENDIAN_MESSAGE = 'its schema says the data is big-endian, and big-endian Arrow data is not supported';

/** Tracks the schema across messages and checks each message against it. */
class MessageChecker {
  schema: SchemaMeta | undefined;
  batches = 0;
  constructor(private readonly where: string) {}

  check(message: FramedMessage, expected?: number): void {
    const { meta } = message;
    if (expected !== undefined && meta.headerType !== expected) {
      throw new IpcFormatError(`the footer points at a ${headerName(meta.headerType)} message where a ${headerName(expected)} belongs`);
    }
    if (meta.headerType === HeaderType.Schema) {
      if (this.schema !== undefined) throw new IpcFormatError(`${this.where} holds a second schema message`);
      this.schema = checkSchema(meta.schema as SchemaMeta);
      return;
    }
    if (this.schema === undefined) {
      throw new IpcFormatError(`${this.where} does not start with a schema message (found ${headerName(meta.headerType)})`);
    }
    if (meta.headerType === HeaderType.RecordBatch) {
      this.batches += 1;
      checkBatch(meta.batch as RecordBatchMeta, message.body, `record batch ${this.batches}`, this.schema.flatFieldCount);
      return;
    }
    if (meta.headerType === HeaderType.DictionaryBatch) {
      checkBatch(meta.batch as RecordBatchMeta, message.body, 'a dictionary batch', undefined);
      return;
    }
    throw new IpcFormatError(`${this.where} holds a message of type ${headerName(meta.headerType)}; only Schema, DictionaryBatch and RecordBatch can be read`);
  }
}

function checkSchema(schema: SchemaMeta): SchemaMeta {
  if (schema.bigEndian) throw new IpcFormatError(BIG_ENDIAN_MESSAGE, 'big-endian');
  return schema;
}

const EOS = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

/**
 * An Arrow IPC stream, checked message by message and re-emitted as the same bytes. Fails with
 * IpcFormatError on the first bad message; stops at the end-of-stream marker. A stream that ends
 * cleanly after a whole message without that marker is read as Arrow C++ and pyarrow read it, and
 * `warn` is told (a stream cut inside a message stays an error).
 */
export async function* checkedStream(source: AsyncIterable<Uint8Array>, where: string, warn: (message: string) => void): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const queue = new ByteQueue(iterator);
  const checker = new MessageChecker(where);
  try {
    for (;;) {
      const message = await readMessage(queue, where);
      if (message === 'eos') break;
      if (message === 'end') {
        // Writers end a stream with an end-of-stream marker; without it, more may have been cut off
        // at a message boundary, which nothing in the stream can tell.
        if (checker.schema !== undefined) warn(`${where} ends after ${checker.batches} record batches without the end-of-stream marker: read as complete, but the writer may have been cut off`);
        break;
      }
      checker.check(message);
      yield message.head;
      if (message.body.byteLength > 0) yield message.body;
    }
    if (checker.schema === undefined) throw new IpcFormatError(`${where} holds no schema message`, 'truncated');
    yield EOS;
  } finally {
    await iterator.return?.();
  }
}

/** Random access to a file's bytes. */
export interface RandomAccess {
  readonly size: number;
  read(position: number, length: number): Promise<Uint8Array>;
}

interface Block {
  readonly offset: number;
  readonly metaDataLength: number;
  readonly bodyLength: number;
}

/** The footer of an Arrow IPC file, checked against the file's size. */
export interface FileFooter {
  readonly schema: SchemaMeta;
  /** The schema as an IPC Schema message (prefix and metadata), built around the footer's schema table. */
  readonly schemaMessage: Uint8Array;
  readonly dictionaries: readonly Block[];
  readonly recordBatches: readonly Block[];
}

const FILE_TAIL = 10; // int32 footer length + "ARROW1"

async function readExactly(file: RandomAccess, position: number, length: number, what: string): Promise<Uint8Array> {
  const bytes = await file.read(position, length);
  if (bytes.byteLength < length) throw new IpcFormatError(`the file is truncated: ${what} at byte ${position} is cut short`, 'truncated');
  return bytes;
}

/** Reads and checks the footer: magic at both ends, blocks inside the file and in order. */
export async function readFooter(file: RandomAccess): Promise<FileFooter> {
  const { size } = file;
  const minimum = 8 + FILE_TAIL;
  const head = await readExactly(file, 0, Math.min(size, 8), 'the header');
  if (new TextDecoder().decode(head.subarray(0, 6)) !== MAGIC) {
    throw new IpcFormatError('it does not start with the Arrow file magic "ARROW1"', 'not-a-file');
  }
  if (size < minimum) throw new IpcFormatError(`the file is truncated: ${size} bytes is too short for an Arrow IPC file`, 'truncated');
  const tail = await readExactly(file, size - FILE_TAIL, FILE_TAIL, 'the footer length');
  if (new TextDecoder().decode(tail.subarray(4)) !== MAGIC) {
    throw new IpcFormatError('the file is truncated or corrupt: it does not end with the Arrow file magic "ARROW1"', 'truncated');
  }
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
  const footerStart = size - FILE_TAIL - footerLength;
  if (footerLength <= 0 || footerStart < 8) {
    throw new IpcFormatError(`the file is corrupt: its footer length (${footerLength} bytes) does not fit in the file (${size} bytes)`);
  }
  const footerBytes = await readExactly(file, footerStart, footerLength, 'the footer');
  const fb = new FlatBuffer(footerBytes, 'the file footer');
  const root = fb.root();
  const versionAt = fb.field(root, 0);
  const version = versionAt === undefined ? 0 : fb.i16(versionAt);
  if (version < MIN_VERSION || version > MAX_VERSION) {
    throw new IpcFormatError(`the file footer has metadata version ${version + 1}; only V4 and V5 are supported`);
  }
  const schemaTable = fb.table(root, 1);
  if (schemaTable === undefined) throw new IpcFormatError('the file footer has no schema');
  const schema = checkSchema(parseSchema(fb, schemaTable));
  const blocks = (index: number, what: string): Block[] => {
    const vector = fb.vector(root, index, 24);
    const out: Block[] = [];
    for (let i = 0; i < vector.length; i++) {
      const at = vector.start + 24 * i;
      const block = { offset: fb.i64(at, 'a block offset'), metaDataLength: fb.i32(at + 8), bodyLength: fb.i64(at + 16, 'a block body length') };
      if (block.offset < 8 || block.metaDataLength <= 0 || block.bodyLength < 0 || block.offset + block.metaDataLength + block.bodyLength > footerStart) {
        throw new IpcFormatError(
          `the file footer is corrupt: ${what} ${i + 1} lies at bytes ${block.offset}..${block.offset + block.metaDataLength + block.bodyLength}, outside the data part of the file (8..${footerStart})`,
        );
      }
      out.push(block);
    }
    return out;
  };
  return {
    schema,
    schemaMessage: schemaMessageFrom(footerBytes, schemaTable, version),
    dictionaries: blocks(2, 'dictionary block'),
    recordBatches: blocks(3, 'record batch block'),
  };
}

/**
 * An IPC Schema message whose schema is the footer's: a Message table followed by a copy of the
 * footer, whose schema table it points at (flatbuffer offsets are relative, so the copy stays valid).
 * Not every writer puts a schema message after the file magic (apache-arrow's JavaScript writer
 * does not), and readers take the schema from the footer anyway.
 */
function schemaMessageFrom(footer: Uint8Array, schemaTable: number, version: number): Uint8Array {
  const FOOTER_AT = 40;
  const metadataLength = FOOTER_AT + footer.byteLength + ((8 - (footer.byteLength % 8)) % 8);
  const out = new Uint8Array(8 + metadataLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, metadataLength, true);
  const m = 8; // the metadata starts here; flatbuffer positions below are relative to it
  view.setUint32(m + 0, 16, true); // root table at 16
  // vtable at 4: its size, the table's size, then the positions of version, header_type, header, bodyLength
  [12, 24, 4, 6, 8, 16].forEach((value, i) => view.setUint16(m + 4 + 2 * i, value, true));
  view.setInt32(m + 16, 16 - 4, true); // table -> vtable
  view.setInt16(m + 20, version, true);
  view.setUint8(m + 22, HeaderType.Schema);
  view.setUint32(m + 24, FOOTER_AT + schemaTable - 24, true);
  view.setBigInt64(m + 32, 0n, true);
  out.set(footer, m + FOOTER_AT);
  return out;
}

/** A byte source over one region of a file, read in pieces. */
async function* region(file: RandomAccess, start: number, end: number): AsyncGenerator<Uint8Array> {
  const piece = 1 << 20;
  for (let position = start; position < end; ) {
    const bytes = await file.read(position, Math.min(piece, end - position));
    if (bytes.byteLength === 0) return;
    yield bytes;
    position += bytes.byteLength;
  }
}

/** Rows in the record batches of these footer blocks, from their metadata alone (their bodies are not read). */
export async function rowsInBlocks(file: RandomAccess, blocks: readonly Block[], where = 'the file'): Promise<number> {
  let rows = 0;
  for (const block of blocks) {
    const head = await readExactly(file, block.offset, block.metaDataLength, `the record batch block at byte ${block.offset}`);
    const skip = head.byteLength >= 8 && littleEndian(head, 0) === CONTINUATION ? 8 : 4;
    const length = head.byteLength >= skip ? littleEndian(head, skip - 4) : 0;
    if (length <= 0 || skip + length > head.byteLength) throw new IpcFormatError(`${where}: the footer points at byte ${block.offset}, where no message of its size starts`);
    const batch = parseMessage(head.subarray(skip, skip + length)).batch;
    if (batch === undefined) throw new IpcFormatError(`${where}: the record batch block at byte ${block.offset} holds another kind of message`);
    rows += batch.length;
  }
  return rows;
}

/**
 * An Arrow IPC file as a checked IPC stream: the schema message after the magic, then the footer's
 * dictionary blocks and record batch blocks in order, each checked to be the message it should be.
 * apache-arrow then reads a stream and never follows the footer itself.
 */
export async function* checkedFileAsStream(file: RandomAccess, footer: FileFooter, where = 'the file'): AsyncGenerator<Uint8Array> {
  const checker = new MessageChecker(where);
  const schemaMessage = footer.schemaMessage;
  checker.check({ meta: parseMessage(schemaMessage.subarray(8)), head: schemaMessage, body: new Uint8Array(0) }, HeaderType.Schema);
  yield schemaMessage;
  const blocks: [Block, number][] = [
    ...footer.dictionaries.map((block): [Block, number] => [block, HeaderType.DictionaryBatch]),
    ...footer.recordBatches.map((block): [Block, number] => [block, HeaderType.RecordBatch]),
  ];
  for (const [block, expected] of blocks) {
    const end = block.offset + block.metaDataLength + block.bodyLength;
    const queue = new ByteQueue(region(file, block.offset, end)[Symbol.asyncIterator]());
    const message = await readMessage(queue, `${where} (block at byte ${block.offset})`);
    if (typeof message === 'string') throw new IpcFormatError(`${where}: the footer points at byte ${block.offset}, where no message starts`);
    if (message.head.byteLength > block.metaDataLength || message.meta.bodyLength !== block.bodyLength) {
      throw new IpcFormatError(`${where}: the message at byte ${block.offset} does not match the size its footer block gives`);
    }
    checker.check(message, expected);
    yield message.head;
    if (message.body.byteLength > 0) yield message.body;
  }
  yield EOS;
}
