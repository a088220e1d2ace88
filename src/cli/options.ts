// CLI: the one table of `score` flags. It builds the commander options and the README's option reference.
import { Option } from 'commander';
import { DEFAULTS } from '../config/job.js';
import { EXECUTION_PROVIDERS } from '../model/index.js';
import { OUTPUT_FORMATS } from '../sinks/index.js';
import { INPUT_FORMATS } from '../sources/index.js';

/** One command-line flag of `score`. */
export interface FlagSpec {
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string | boolean;
  readonly choices?: readonly string[];
  /** Environment variable that sets the flag when it is not given. */
  readonly env?: string;
  /** The flag may be given several times; values are collected. */
  readonly repeatable?: boolean;
  readonly required?: boolean;
}

/** Every flag of `score`, in help order. */
export const SCORE_FLAGS: readonly FlagSpec[] = [
  { flags: '-m, --model <path>', description: 'ONNX model file', env: 'ONNX_BATCH_MODEL', required: true },
  {
    flags: '-i, --input <path...>',
    description: 'input files, directories or file-name wildcards (quoted), scored in order into one output; - reads CSV from stdin',
    repeatable: true,
    required: true,
  },
  { flags: '-o, --output <path>', description: 'output file (.csv, .arrow, .arrows); - writes CSV to stdout', required: true },
  {
    flags: '-p, --pipeline <spec>',
    description: 'preprocessing spec (YAML or JSON); default: <model>.pipeline.yaml|.yml|.json beside the model, else one embedded in the model',
    env: 'ONNX_BATCH_PIPELINE',
  },
  { flags: '--input-format <format>', description: 'input format, instead of guessing from the extension', choices: INPUT_FORMATS },
  { flags: '--output-format <format>', description: 'output format, instead of guessing from the extension', choices: OUTPUT_FORMATS },
  { flags: '--delimiter <char>', description: 'CSV field delimiter (one character; \\t for tab)', defaultValue: DEFAULTS.delimiter },
  { flags: '--csv-parser <parser>', description: 'CSV reader: fast (parses bytes straight into typed arrays) or reference (csv-parse)', choices: ['fast', 'reference'], defaultValue: 'fast' },
  {
    flags: '--workers <n>',
    description: 'worker threads that parse byte ranges of a CSV file in parallel; 0: the main thread parses; auto: one per core but one (1 to 4) for files of 16 MiB and more',
    defaultValue: 'auto',
    env: 'ONNX_BATCH_WORKERS',
  },
  { flags: '--features <columns>', description: "comma-separated columns feeding the model's single [N,K] input, in order (repeatable)", repeatable: true },
  { flags: '--keep <columns>', description: 'input columns copied to the output before the predictions: all, none, or a comma-separated list', defaultValue: 'all' },
  { flags: '-b, --batch-size <rows>', description: 'rows per inference call; auto: the largest power of two whose input and output tensors fit 1 MiB (64 to 16384 rows; fewer for models over 16 MiB or whose widest layer would pass 256 MiB)', defaultValue: String(DEFAULTS.batchSize), env: 'ONNX_BATCH_BATCH_SIZE' },
  { flags: '--threads <n>', description: 'ONNX Runtime intra-op threads (default: ONNX Runtime decides)', env: 'ONNX_BATCH_THREADS' },
  {
    flags: '--batch-timeout <seconds>',
    description: 'fail the run (exit 4) when one batch\'s inference takes longer; the model then runs in a child process, which a timeout or signal stops at once (without it, in a worker thread)',
    env: 'ONNX_BATCH_BATCH_TIMEOUT',
  },
  {
    flags: '--ep <providers>',
    description: `execution providers in order of preference (${EXECUTION_PROVIDERS.join(', ')}); cuda,cpu falls back to CPU with a warning`,
    defaultValue: DEFAULTS.executionProvider,
    env: 'ONNX_BATCH_EP',
  },
  { flags: '--on-error <mode>', description: 'a bad row stops the run (fail) or goes to the rejects file (skip)', choices: ['fail', 'skip'], defaultValue: DEFAULTS.onError, env: 'ONNX_BATCH_ON_ERROR' },
  {
    flags: '--max-errors <n|p%>',
    description: 'with --on-error skip: the most rows that may be rejected, a count (checked as rows are read) or a share of rows read (checked at the end); over it the run fails with exit 3',
    defaultValue: DEFAULTS.maxErrors,
  },
  { flags: '--rejects <path>', description: 'with --on-error skip: the rejects file (CSV: source,line,row,column,reason,record); default <output>.rejects.csv' },
  { flags: '--reject-nan', description: 'a missing or NaN value in a float model input makes the row bad (default: fed as NaN)' },
  { flags: '--csv-safe', description: 'in CSV output, prefix kept text cells starting with = + - @ (or tab, CR) with a quote so spreadsheets do not run them as formulas' },
  {
    flags: '--rows-per-part <n>',
    description: 'write the output as a directory of parts (part-00000.csv, ...) of n input rows each, committed one by one, with _manifest.json and a final _SUCCESS',
  },
  {
    flags: '--state <file>',
    description: 'incremental scoring: each input is scored into its own file in the output directory, once; later runs score only new or changed inputs',
    env: 'ONNX_BATCH_STATE',
  },
  { flags: '--resume', description: 'continue an output directory from its last committed part (same model, spec, options and inputs)' },
  { flags: '--report <path>', description: 'run report (JSON); default <output>.report.json (no report by default when the output is stdout)', env: 'ONNX_BATCH_REPORT' },
  { flags: '--no-progress', description: 'no progress bar (it is shown only when stderr is a terminal anyway)' },
  { flags: '-q, --quiet', description: 'print nothing but errors' },
  { flags: '--verbose', description: 'print stack traces with errors' },
];

/** commander Options built from the table. */
export function scoreOptions(): Option[] {
  return SCORE_FLAGS.map((spec) => {
    const option = new Option(spec.flags, spec.description);
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
    if (spec.choices !== undefined) option.choices(spec.choices);
    if (spec.env !== undefined) option.env(spec.env);
    if (spec.required === true) option.makeOptionMandatory();
    if (spec.repeatable === true && !spec.flags.includes('...')) {
      option.argParser((value: string, previous: unknown) => [...(Array.isArray(previous) ? (previous as string[]) : []), value]);
    }
    return option;
  });
}

/** The README's option reference, as a Markdown table (kept in sync by a test). */
export function optionsMarkdown(): string {
  const rows = SCORE_FLAGS.map((spec) => {
    const notes = [
      spec.required === true ? 'required' : undefined,
      spec.defaultValue !== undefined && spec.defaultValue !== false ? `default \`${spec.defaultValue}\`` : undefined,
      spec.choices !== undefined ? `one of ${spec.choices.map((choice) => `\`${choice}\``).join(', ')}` : undefined,
      spec.env !== undefined ? `env \`${spec.env}\`` : undefined,
    ].filter((note) => note !== undefined);
    return `| \`${spec.flags}\` | ${spec.description.replaceAll('|', '\\|')} | ${notes.join('; ')} |`;
  });
  return ['| flag | meaning | notes |', '| --- | --- | --- |', ...rows].join('\n');
}
