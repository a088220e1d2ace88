// Config: the one table of `score` flags. The CLI builds its options and the README's option reference from it,
// and the type of the parsed flags is derived from it, so a new flag is one entry here plus its handling in load.ts.
import { EXECUTION_PROVIDERS, MISSING_MODES } from '../model/index.js';
import { DEFAULT_PARQUET_OPTIONS, OUTPUT_FORMATS } from '../sinks/index.js';
import { formatByteSize } from '../shared/byte-size.js';
import { CSV_PARSERS, DEFAULT_MAX_RECORD_BYTES, INPUT_FORMATS } from '../sources/index.js';
import { DEFAULTS, LOG_FORMATS, ON_ERROR_MODES } from './job.js';

/** One command-line flag of `score`; its key in SCORE_FLAGS is the flag's camel-cased long name (--no-x: x). */
export interface FlagSpec {
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string;
  readonly choices?: readonly string[];
  /** Environment variable that sets the flag when it is not given. */
  readonly env?: string;
  /** The flag may be given several times; values are collected. */
  readonly repeatable?: boolean;
  readonly required?: boolean;
}

/** Every flag of `score`, in help order. */
export const SCORE_FLAGS = {
  model: { flags: '-m, --model <path>', description: 'ONNX model file', env: 'ONNX_BATCH_MODEL', required: true },
  input: {
    flags: '-i, --input <path...>',
    description: 'input files, directories or file-name wildcards (quoted), scored in order into one output; - reads CSV from stdin (--input-format says another)',
    repeatable: true,
    required: true,
  },
  output: { flags: '-o, --output <path>', description: 'output file (.csv, .jsonl, .parquet, .arrow, .arrows); - writes CSV to stdout (--output-format says another)', required: true },
  pipeline: {
    flags: '-p, --pipeline <spec>',
    description: 'preprocessing spec (YAML or JSON); default: <model>.pipeline.yaml|.yml|.json beside the model, else one embedded in the model',
    env: 'ONNX_BATCH_PIPELINE',
  },
  allowEmpty: {
    flags: '--allow-empty',
    description: 'a wildcard or directory that finds no input file is a run with nothing to score (exit 0) instead of a missing input (exit 3); with --state this is always so',
  },
  inputFormat: { flags: '--input-format <format>', description: 'input format, instead of guessing from the extension', choices: INPUT_FORMATS },
  outputFormat: { flags: '--output-format <format>', description: 'output format, instead of guessing from the extension', choices: OUTPUT_FORMATS },
  delimiter: { flags: '--delimiter <char>', description: 'CSV field delimiter (one character; \\t for tab)', defaultValue: DEFAULTS.delimiter },
  csvParser: {
    flags: '--csv-parser <parser>',
    description: 'CSV reader: fast (parses bytes straight into typed arrays) or reference (csv-parse)',
    choices: CSV_PARSERS,
    defaultValue: DEFAULTS.csvParser,
  },
  workers: {
    flags: '--workers <n>',
    description: 'worker threads that parse byte ranges of a CSV file in parallel, or decode the row groups of a Parquet file; 0: the main thread parses CSV (Parquet is always decoded in at least one); auto: one per core but one (1 to 4), for CSV files of 16 MiB and more',
    defaultValue: DEFAULTS.workers,
    env: 'ONNX_BATCH_WORKERS',
  },
  maxRecordSize: {
    flags: '--max-record-size <size>',
    description:
      'the longest CSV record or JSON line read (bytes, or e.g. 512KiB, 64MiB, 1GiB; the reference CSV reader and JSON Lines count characters): a longer one is an error at the line where it starts, and memory holds no more of it than about twice this',
    defaultValue: formatByteSize(DEFAULT_MAX_RECORD_BYTES).replace(' ', ''),
    env: 'ONNX_BATCH_MAX_RECORD_SIZE',
  },
  decodeWorkers: {
    flags: '--decode-workers <n>',
    description: "worker threads that decode images for the spec's image steps, one image each at a time; auto: one per core but one (1 to 4)",
    defaultValue: DEFAULTS.decodeWorkers,
    env: 'ONNX_BATCH_DECODE_WORKERS',
  },
  features: { flags: '--features <columns>', description: "comma-separated columns feeding the model's single [N,K] input, in order (repeatable)", repeatable: true },
  keep: { flags: '--keep <columns>', description: 'input columns copied to the output before the predictions: all, none, or a comma-separated list', defaultValue: DEFAULTS.keep },
  batchSize: {
    flags: '-b, --batch-size <rows>',
    description: 'rows per inference call; auto: the largest power of two whose input and output tensors fit 1 MiB (64 to 16384 rows; fewer for models over 16 MiB or whose widest layer would pass 256 MiB)',
    defaultValue: DEFAULTS.batchSize,
    env: 'ONNX_BATCH_BATCH_SIZE',
  },
  threads: { flags: '--threads <n>', description: 'ONNX Runtime intra-op threads (default: ONNX Runtime decides)', env: 'ONNX_BATCH_THREADS' },
  batchTimeout: {
    flags: '--batch-timeout <seconds>',
    description: "fail the run (exit 4) when one batch's inference takes longer; the model then runs in a child process, which a timeout or signal stops at once (without it, in a worker thread)",
    env: 'ONNX_BATCH_BATCH_TIMEOUT',
  },
  ep: {
    flags: '--ep <providers>',
    description: `execution providers in order of preference (${EXECUTION_PROVIDERS.join(', ')}); cuda,cpu falls back to CPU with a warning`,
    defaultValue: DEFAULTS.executionProvider,
    env: 'ONNX_BATCH_EP',
  },
  onError: {
    flags: '--on-error <mode>',
    description: 'a bad row stops the run (fail) or goes to the rejects file (skip)',
    choices: ON_ERROR_MODES,
    defaultValue: DEFAULTS.onError,
    env: 'ONNX_BATCH_ON_ERROR',
  },
  maxErrors: {
    flags: '--max-errors <n|p%>',
    description: 'with --on-error skip: the most rows that may be rejected, a count (checked as rows are read) or a share of rows read (checked at the end); over it the run fails with exit 3',
    defaultValue: DEFAULTS.maxErrors,
  },
  rejects: { flags: '--rejects <path>', description: 'with --on-error skip: the rejects file (CSV: source,line,row,column,reason,record); default <output>.rejects.csv' },
  missing: {
    flags: '--missing <mode>',
    description:
      'a missing (empty, null), NaN or infinite value in a float model input: auto makes the row bad unless the graph handles NaN for that input (an Imputer, IsNaN or tree ensemble reads it before any other computation), where NaN is fed; reject always makes the row bad; nan feeds every value as it is',
    choices: MISSING_MODES,
    defaultValue: DEFAULTS.missing,
    env: 'ONNX_BATCH_MISSING',
  },
  rejectNan: { flags: '--reject-nan', description: 'removed: use --missing reject (an error says so)' },
  csvSafe: { flags: '--csv-safe', description: 'in CSV output, prefix kept text cells starting with = + - @ (or tab, CR) with a quote so spreadsheets do not run them as formulas' },
  compression: { flags: '--compression <codec>', description: 'Parquet output: page compression', choices: ['snappy', 'zstd', 'gzip', 'none'], defaultValue: DEFAULT_PARQUET_OPTIONS.compression },
  rowGroupRows: {
    flags: '--row-group-rows <n>',
    description: 'Parquet output: rows per row group (a reader holds about one row group in memory)',
    defaultValue: String(DEFAULT_PARQUET_OPTIONS.rowGroupRows),
  },
  rowsPerPart: {
    flags: '--rows-per-part <n>',
    description: 'write the output as a directory of parts (part-00000.csv, ...) of n input rows each, committed one by one, with _manifest.json and a final _SUCCESS',
  },
  state: {
    flags: '--state <file>',
    description: 'incremental scoring: each input is scored into its own file in the output directory, once; later runs score only new or changed inputs',
    env: 'ONNX_BATCH_STATE',
  },
  shard: {
    flags: '--shard <k/n>',
    description: 'score only shard k (0-based) of n: whole input files when there are at least n, else byte ranges of CSV and JSON Lines, record batches of Arrow files, row groups of Parquet; see "Scaling out"',
  },
  shardCount: {
    flags: '--shard-count <n>',
    description: 'shards in all, the shard index coming from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job)',
    env: 'ONNX_BATCH_SHARD_COUNT',
  },
  resume: { flags: '--resume', description: 'continue an output directory from its last committed part (same model, spec, options and inputs)' },
  report: { flags: '--report <path>', description: 'run report (JSON); default <output>.report.json (no report by default when the output is stdout)', env: 'ONNX_BATCH_REPORT' },
  baseline: {
    flags: '--baseline <path>',
    description: "compare with a baseline (from `onnx-batch profile`, or an earlier run's report): adds drift (PSI, KS) per feature and prediction column to the report",
  },
  labelColumn: {
    flags: '--label-column <column>',
    description: 'input column with the true label or value (read, not fed): adds metrics (accuracy, F1, ROC AUC, log loss; or MAE, RMSE, R²) to the report',
  },
  groupBy: { flags: '--group-by <column>', description: 'with --label-column: metrics per value of this column, with selection rate and true positive rate ratios between groups' },
  failOn: {
    flags: '--fail-on <expr>',
    description: "a quality gate, e.g. 'metrics.accuracy < 0.9' or 'drift.max_psi > 0.25' (repeatable): when one holds, exit 6 after every output is written",
    repeatable: true,
  },
  stats: { flags: '--no-stats', description: 'no column statistics in the report (they are computed in the scoring pass; see "Monitoring and CI gates")' },
  reportMd: { flags: '--report-md <path>', description: 'a Markdown summary of the report (also appended to $GITHUB_STEP_SUMMARY when set)' },
  reportHtml: { flags: '--report-html <path>', description: 'the report as one self-contained HTML page (charts inline, nothing fetched)' },
  junit: { flags: '--junit <path>', description: 'JUnit XML with one test case per --fail-on gate' },
  progress: { flags: '--no-progress', description: 'no progress bar on a terminal, no progress lines elsewhere' },
  progressInterval: {
    flags: '--progress-interval <seconds>',
    description: 'when stderr is not a terminal (cron, CI) or with --log-format json: seconds between progress lines (rows, rows/s, bytes, ETA)',
    defaultValue: '10',
    env: 'ONNX_BATCH_PROGRESS_INTERVAL',
  },
  logFormat: {
    flags: '--log-format <format>',
    description: 'stderr lines as text, or as one JSON object per line (time, level, event, message, fields) for log collectors; errors included',
    choices: LOG_FORMATS,
    defaultValue: 'text',
    env: 'ONNX_BATCH_LOG_FORMAT',
  },
  quiet: { flags: '-q, --quiet', description: 'print nothing but errors' },
  verbose: { flags: '--verbose', description: 'print stack traces with errors' },
} as const satisfies Readonly<Record<string, FlagSpec>>;

type Table = typeof SCORE_FLAGS;

/** A flag's parsed value: one of its choices, a list (variadic or repeatable), a string, or a switch. */
type FlagValue<Spec> = Spec extends { readonly choices: readonly (infer Choice)[] }
  ? Choice
  : Spec extends { readonly repeatable: true }
    ? readonly string[]
    : Spec extends { readonly flags: `${string}<${string}>` }
      ? string
      : boolean;

/** Whether commander always sets the flag: it is required, has a default, or is a negated switch (default true). */
type AlwaysSet<Spec> = Spec extends { readonly required: true } | { readonly defaultValue: string } | { readonly flags: `--no-${string}` } ? true : false;

type SetKeys = { [Key in keyof Table]: AlwaysSet<Table[Key]> extends true ? Key : never }[keyof Table];

/** The `score` flags as commander hands them over (strings, before validation). */
export type ScoreFlags = { readonly [Key in SetKeys]: FlagValue<Table[Key]> } & {
  readonly [Key in Exclude<keyof Table, SetKeys>]?: FlagValue<Table[Key]>;
};
