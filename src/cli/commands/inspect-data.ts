// CLI: `onnx-batch inspect <data file> [-m model.onnx]`: the columns, types and first rows the reader
// sees, and with a model, which columns feed which model input and what is missing.
import { UsageError } from '../../errors.js';
import { inspectInput, type InputReport } from '../../run/index.js';
import type { InputFormat } from '../../sources/index.js';
import { textTable } from '../text-table.js';

/** Rows read to tell each column's type. */
const SAMPLE_ROWS = 1000;
/** Longest cell shown in the first rows. */
const MAX_CELL = 24;

/** How score would pick the columns, in words (FeedPlan's mapping). */
const MAPPINGS: Readonly<Record<string, string>> = {
  'by-name': 'each model input is fed the column of its name',
  features: 'the --features columns, in that order',
  'all-columns': 'every column, in file order (the model takes as many features as the file has columns)',
  pipeline: "as the preprocessing spec's inputs section says",
};

/** The flags of `inspect` that concern a data file. */
export interface DataFlags {
  readonly json?: boolean;
  readonly model?: string;
  readonly pipeline?: string;
  readonly features?: string;
  readonly inputFormat?: InputFormat;
  readonly delimiter: string;
  readonly rows: string;
}

/** Prints what `inspect` tells of a data file; a model whose inputs the columns cannot feed fails after it (exit 2 or 3). */
export async function inspectDataFile(path: string, format: InputFormat, flags: DataFlags): Promise<void> {
  const showRows = Number(flags.rows);
  if (!/^\d+$/.test(flags.rows) || showRows > SAMPLE_ROWS) {
    throw new UsageError('USAGE', `--rows must be a whole number from 0 to ${SAMPLE_ROWS}, got ${JSON.stringify(flags.rows)}`, { hint: 'e.g. --rows 20' });
  }
  if (flags.model === undefined && (flags.pipeline !== undefined || flags.features !== undefined)) {
    throw new UsageError('USAGE', `${flags.pipeline !== undefined ? '-p' : '--features'} needs -m: it says how the file feeds a model`, { hint: `e.g. onnx-batch inspect ${path} -m model.onnx` });
  }
  const report = await inspectInput({
    path,
    format,
    delimiter: flags.delimiter === '\\t' ? '\t' : flags.delimiter,
    sampleRows: SAMPLE_ROWS,
    showRows,
    model: flags.model === undefined ? undefined : { path: flags.model, pipeline: flags.pipeline, features: flags.features?.split(',').filter((name) => name !== '') },
  });
  process.stdout.write(flags.json === true ? `${JSON.stringify(toJson(report), null, 2)}\n` : renderText(report));
  if (report.feeding !== undefined && 'problem' in report.feeding) throw report.feeding.problem;
}

function toJson(report: InputReport): unknown {
  const { feeding } = report;
  return {
    ...report.input,
    ...(feeding === undefined ? {} : 'problem' in feeding ? { feeding: { problem: { code: feeding.problem.code, message: feeding.problem.message } } } : { feeding }),
  };
}

function renderText({ input, feeding }: InputReport): string {
  const rows =
    input.rows === undefined
      ? `not counted (it would mean reading the whole file); the first ${input.sampledRows} tell the types below`
      : `${input.rows} (${input.rowsFrom === 'metadata' ? "from the file's metadata" : 'the whole file was read'})`;
  const lines = [
    `Data     ${input.path} (${input.format})`,
    `Rows     ${rows}`,
    '',
    'Columns',
    ...textTable([
      ['name', 'type', 'missing', ''],
      ...input.columns.map((column) => [
        column.name,
        column.declared === undefined ? column.type : `${column.type} (${column.declared})`,
        String(column.missing),
        column.numbersOnly ? 'numbers only: can feed a numeric model input' : '',
      ]),
    ]),
  ];
  if (input.firstRows.length > 0) {
    const cut = (cell: string): string => (cell.length > MAX_CELL ? `${cell.slice(0, MAX_CELL - 3)}...` : cell);
    lines.push('', `First ${input.firstRows.length} rows`, ...textTable([input.columns.map((column) => cut(column.name)), ...input.firstRows.map((row) => row.map(cut))]));
  }
  if (feeding !== undefined) {
    lines.push('', 'Feeding the model');
    if ('problem' in feeding) lines.push(`  cannot: ${feeding.problem.message}`);
    else lines.push(`  ${MAPPINGS[feeding.mapping] ?? feeding.mapping}`, ...textTable(feeding.feeds.map((feed) => [feed.input, `(${feed.type})`, `<- ${feed.columns.join(', ')}`])));
  }
  return `${lines.join('\n')}\n`;
}
