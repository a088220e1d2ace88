// Source: JSON Lines (.jsonl, .ndjson, stdin) -> column chunks: one object per line, read as a stream.
// The columns are the keys of the first lines (SAMPLE_LINES), in the order first seen. Like a CSV
// cell, a value is read as a number only for a column that the model reads as numbers; every other
// column is text (numbers in their shortest form, booleans as true/false, objects and arrays as JSON).
import { InputError, InternalError } from '../errors.js';
import { rejectValue, type Column, type ColumnChunk } from '../shared/chunk.js';
import { formatByteSize } from '../shared/byte-size.js';
import { formatFloat64, parseNumber } from '../shared/values.js';
import { DEFAULT_MAX_RECORD_BYTES } from './csv-scan.js';
import { binaryInput, holdsBinary, readTextBytes } from './csv-text.js';
import type { ChunkOptions, OpenedSource, SourceRequest } from './source.js';

/** Why a line with control characters is refused. */
const BINARY_LINE = 'binary data (control characters), not JSON text';

/** Lines read ahead to find the columns. */
const SAMPLE_LINES = 1000;

interface Line {
  readonly number: number;
  readonly text: string;
}

/**
 * Opens a JSON Lines input and reads the first lines to learn its columns. With a byte range (one
 * shard's share, from alignJsonlRange) the columns still come from the file's first lines, as in a
 * run over the whole file, and the rows from the range.
 */
export async function openJsonl(request: SourceRequest): Promise<OpenedSource> {
  const { path, range } = request;
  if (range !== undefined && range.unit !== 'bytes') throw new InternalError(`openJsonl: a JSON Lines file is cut into byte ranges, not ${range.unit}`);
  const input = readTextBytes(path);
  const maxLength = request.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const lines = linesOf(input.bytes, path, maxLength);
  const sample: Line[] = [];
  const columnNames: string[] = [];
  const seen = new Set<string>();
  try {
    while (sample.length < SAMPLE_LINES) {
      const next = await lines.next();
      if (next.done === true) break;
      sample.push(next.value);
      const object = parseObject(next.value.text);
      if (typeof object === 'string') continue; // reported when its row is read
      for (const key of Object.keys(object)) {
        if (!seen.has(key)) columnNames.push(key);
        seen.add(key);
      }
    }
  } catch (error) {
    input.close();
    throw error;
  }
  if (columnNames.length === 0) {
    input.close();
    const first = sample[0];
    if (first !== undefined && holdsBinary(first.text)) throw binaryInput(path, 'JSON Lines', first.number, first.text, 'the line');
    throw malformed(path, first?.number ?? 1, first === undefined ? 'the input has no lines' : 'no line holds a JSON object with keys');
  }
  const unknownKeys = new Set<string>();
  let rows: AsyncGenerator<Line> = replay(sample, lines);
  let reader = input;
  if (range !== undefined) {
    input.close();
    reader = readTextBytes(path, range);
    rows = linesOf(reader.bytes, path, maxLength, range.line);
  }
  return {
    path,
    format: 'jsonl',
    columnNames,
    bytesRead: () => reader.bytesRead(),
    warnings: () => (unknownKeys.size === 0 ? [] : [`${path}: keys not in the first ${SAMPLE_LINES} lines were ignored: ${[...unknownKeys].slice(0, 10).join(', ')}`]),
    chunks: (options) => readChunks(rows, { path, columnNames, seen, unknownKeys, keepRecords: request.keepRecords === true }, options),
    close: async () => reader.close(),
  };
}

interface Reading {
  readonly path: string;
  readonly columnNames: readonly string[];
  readonly seen: ReadonlySet<string>;
  readonly unknownKeys: Set<string>;
  readonly keepRecords: boolean;
}

async function* readChunks(lines: AsyncGenerator<Line>, reading: Reading, options: ChunkOptions): AsyncGenerator<ColumnChunk> {
  let batch: Line[] = [];
  let firstRowInSource = 0;
  const flush = (): ColumnChunk => {
    const chunk = toChunk(batch, reading, options, firstRowInSource);
    firstRowInSource += batch.length;
    batch = [];
    return chunk;
  };
  for await (const line of lines) {
    batch.push(line);
    if (batch.length === options.chunkRows) yield flush();
  }
  if (batch.length > 0) yield flush();
}

function toChunk(batch: readonly Line[], reading: Reading, options: ChunkOptions, firstRowInSource: number): ColumnChunk {
  const { path } = reading;
  const rows = batch.length;
  const wanted = reading.columnNames.filter((name) => options.columns === undefined || reading.keepRecords || options.columns.has(name) || options.numericColumns.has(name));
  const numeric = new Map<string, { values: Float64Array; nulls: Uint8Array }>();
  const text = new Map<string, (string | null)[]>();
  // A kept column the model reads as numbers is read as text too: the output copies it as if it were only kept.
  const passthrough = new Map<string, Column>();
  for (const name of wanted) {
    if (!options.numericColumns.has(name) || options.keptColumns?.has(name) === true) text.set(name, new Array<string | null>(rows).fill(null));
    if (options.numericColumns.has(name)) numeric.set(name, { values: new Float64Array(rows), nulls: new Uint8Array(rows) });
  }
  const columns = new Map<string, Column>();
  for (const name of wanted) {
    const number = numeric.get(name);
    const values = text.get(name);
    if (number !== undefined) columns.set(name, { type: 'float64', ...number });
    if (values !== undefined) (number === undefined ? columns : passthrough).set(name, { type: 'string', values });
  }
  const chunk: ColumnChunk = {
    rowOffset: options.rowOffset + firstRowInSource,
    rowCount: rows,
    columns,
    ...(passthrough.size === 0 ? {} : { passthrough }),
    origin: {
      source: path,
      firstRowInSource,
      lines: Uint32Array.from(batch, (line) => line.number),
      ...(reading.keepRecords ? { records: batch.map((line) => line.text) } : {}),
    },
    ...(options.rejects === undefined ? {} : { rejects: options.rejects }),
  };
  batch.forEach((line, i) => {
    const object = parseObject(line.text);
    if (typeof object === 'string') {
      if (options.rejects === undefined) throw malformed(path, line.number, object);
      options.rejects.add({ row: chunk.rowOffset + i, source: path, line: line.number, column: undefined, reason: object, value: line.text.slice(0, 200) });
      for (const column of numeric.values()) column.nulls[i] = 1;
      return;
    }
    for (const key of Object.keys(object)) if (!reading.seen.has(key)) reading.unknownKeys.add(key);
    for (const [name, column] of numeric) {
      const value = numberOf(object[name]);
      if (typeof value === 'number') {
        column.values[i] = value;
      } else {
        column.nulls[i] = 1;
        if (value !== null) rejectValue(chunk, i, name, value.problem, JSON.stringify(object[name]) ?? '');
      }
    }
    for (const [name, values] of text) values[i] = textOf(object[name]);
  });
  return chunk;
}

/** A model-bound value as a number (null when missing), or why it cannot be one. */
function numberOf(value: unknown): number | null | { problem: string } {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return parseNumber(value) ?? { problem: 'expected a number' };
  return { problem: `expected a number, got a nested ${Array.isArray(value) ? 'array' : 'object'}` };
}

function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatFloat64(value);
  return JSON.stringify(value);
}

/**
 * The line's object, or why it is not one. The reason never quotes the line: it is counted as the
 * reason of rejected rows, and printed, and binary bytes in an error line garble the terminal.
 */
function parseObject(text: string): Record<string, unknown> | string {
  if (holdsBinary(text)) return BINARY_LINE;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8 quotes the start of the text ('Unexpected token 'x', "xyz..." is not valid JSON'): left
    // out, and so is a token that is not text (U+FFFD stands for bytes that are not UTF-8).
    const problem = (error as Error).message.replace(/, ".*" is not valid JSON$/s, '');
    return problem.includes('\uFFFD') ? 'not valid JSON' : `not valid JSON (${problem})`;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : 'not a JSON object';
}

async function* replay(sample: readonly Line[], rest: AsyncGenerator<Line>): AsyncGenerator<Line> {
  yield* sample;
  yield* rest;
}

/**
 * Non-blank lines with their 1-based line numbers (the first is `firstLine`); CRLF and a UTF-8 BOM
 * are accepted. A line longer than `maxLength` characters is an error as soon as that much of it is read.
 */
async function* linesOf(bytes: AsyncIterable<Buffer>, path: string, maxLength: number, firstLine = 1): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let pending = '';
  let number = firstLine - 1;
  const lineOf = (raw: string): Line | undefined => {
    number += 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    return text.trim() === '' ? undefined : { number, text };
  };
  for await (const chunk of bytes) {
    // What is pending holds no line break: search only the new text (a long line costs linear time).
    const searchFrom = pending.length;
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = pending.indexOf('\n', searchFrom); end !== -1; end = pending.indexOf('\n', start)) {
      const line = lineOf(pending.slice(start, end));
      if (line !== undefined) yield line;
      start = end + 1;
    }
    pending = pending.slice(start);
    if (pending.length > maxLength) {
      throw malformed(path, number + 1, `the line is longer than --max-record-size (${formatByteSize(maxLength)})`, 'a line that long is not a record: check that the file is JSON Lines, one object per line; if lines really are that long, raise --max-record-size');
    }
  }
  pending += decoder.decode();
  const last = lineOf(pending);
  if (last !== undefined) yield last;
}

function malformed(path: string, line: number, reason: string, hint = 'each line must hold one JSON object ({"column": value, ...}); with --on-error skip such lines go to the rejects file'): InputError {
  return new InputError('JSONL_MALFORMED', `Malformed JSON Lines at ${path}:${line}: ${reason}`, { context: { file: path, line }, hint });
}
