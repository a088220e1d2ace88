// Sources: the errors every CSV reader raises (the byte scanner, its range workers and csv-parse),
// built in one place so that the same bad input reads the same whichever reader met it.
import { InputError } from '../errors.js';
import { formatByteSize } from '../shared/byte-size.js';
import type { CsvScanErrorCode } from './csv-scan.js';

/** The reason a cell of a numeric column is refused (also the rejects file's reason). */
export const NOT_A_NUMBER = 'expected a number';

/** The reason a record is refused for its field count (also the rejects file's reason). */
export function fieldCountReason(width: number, fields: number): string {
  return `expected ${width} fields as in the header, got ${fields}`;
}

/** BAD_VALUE: a cell of a numeric column that is not a number. */
export function badNumber(path: string, line: number | undefined, column: string, text: string): InputError {
  return new InputError('BAD_VALUE', `Bad value in ${path}${line === undefined ? '' : ` at line ${line}`}, column '${column}': ${NOT_A_NUMBER}, got ${JSON.stringify(text)}`, {
    context: { file: path, ...(line === undefined ? {} : { line }), column },
    hint: 'fix the value (an empty field is a missing value: see --missing); --on-error skip sends such rows to the rejects file',
  });
}

/** CSV_MALFORMED: a record with more or fewer fields than the header. */
export function fieldCountError(path: string, line: number, width: number, fields: number): InputError {
  return new InputError('CSV_MALFORMED', `Malformed CSV in ${path} at line ${line}: ${fieldCountReason(width, fields)}`, {
    context: { file: path, line },
    hint: 'every row needs as many fields as the header; quote fields that contain the delimiter',
  });
}

/** Quoting errors, by the code that the byte scanner and csv-parse both use for them. */
const QUOTING_PROBLEMS: Readonly<Record<Exclude<CsvScanErrorCode, 'CSV_RECORD_TOO_LARGE'>, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed before the end of the input',
  INVALID_OPENING_QUOTE: 'a quote in the middle of an unquoted field',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by a character other than the delimiter or a line break',
};

/** The reader's own error: the scanner's CsvScanError (or a range worker's copy of it), csv-parse's CsvError. */
export interface CsvProblem {
  readonly code: string;
  readonly message?: string;
}

/**
 * CSV_MALFORMED: a record that cannot be read, at `line` (for a quote that is not closed, the line
 * it opens on; for a record over the size limit, the line it starts on). A code both readers know
 * gets one wording, any other keeps the reader's message. `maxRecordBytes` is the limit in effect.
 */
export function malformedCsv(path: string, line: number | undefined, problem: CsvProblem, maxRecordBytes?: number, cause?: unknown): InputError {
  const where = `${path}${line === undefined ? '' : ` at line ${line}`}`;
  const context = { file: path, ...(line === undefined ? {} : { line }) };
  if (problem.code === 'CSV_RECORD_TOO_LARGE' || problem.code === 'CSV_MAX_RECORD_SIZE') {
    return new InputError('CSV_MALFORMED', `Malformed CSV in ${where}: the record starting there is longer than --max-record-size${maxRecordBytes === undefined ? '' : ` (${formatByteSize(maxRecordBytes)})`}`, {
      context,
      hint: 'a quote that is never closed makes the rest of the file one record: fix the quoting; if records really are that long, raise --max-record-size',
      cause,
    });
  }
  const reason = Object.hasOwn(QUOTING_PROBLEMS, problem.code) ? QUOTING_PROBLEMS[problem.code as keyof typeof QUOTING_PROBLEMS] : (problem.message ?? problem.code);
  return new InputError('CSV_MALFORMED', `Malformed CSV in ${where}: ${reason}`, {
    context,
    hint: 'fix the quoting in the file (a field with the delimiter, a quote or a newline must be quoted, and quotes inside it doubled)',
    cause,
  });
}

/** The reason a record with a quote in the middle of an unquoted field is rejected (also the rejects file's reason). */
export const STRAY_QUOTE = QUOTING_PROBLEMS.INVALID_OPENING_QUOTE;

/** CSV_MALFORMED: a quote in the middle of an unquoted field (`5'11" tall`), in the record at `line`. */
export function strayQuote(path: string, line: number): InputError {
  return malformedCsv(path, line, { code: 'INVALID_OPENING_QUOTE' });
}

/** CSV_MALFORMED: a header that names a column twice (fields counted from 1). */
export function duplicateColumn(path: string, name: string, first: number, second: number): InputError {
  return new InputError('CSV_MALFORMED', `CSV header of ${path} names column '${name}' twice (fields ${first} and ${second})`, {
    context: { file: path, line: 1, column: name },
    hint: 'rename one of the columns so that every column name is unique',
  });
}

/** CSV_MALFORMED: not even a header row. */
export function emptyCsv(path: string): InputError {
  return new InputError('CSV_MALFORMED', `CSV input ${path} is empty: expected a header row`, {
    context: { file: path },
    hint: 'check that the file was written completely; a CSV input needs a header row naming its columns',
  });
}
