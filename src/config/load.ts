// Config: turns the parsed `score` flags into a validated ScoreJob, or one UsageError listing every problem.
import { access } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { parseByteSize } from '../shared/byte-size.js';
import { DEFAULT_MAX_RECORD_BYTES } from '../sources/index.js';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../model/index.js';
import { DEFAULT_PARQUET_OPTIONS, outputFormatOf, type ParquetOptions } from '../sinks/index.js';
import { expandInputs, isDirectory } from './expand-inputs.js';
import { FlagNames } from './flag-names.js';
import type { ScoreFlags } from './flags.js';
import type { ScoreJob } from './job.js';
import { monitoringJob, type MonitoringJob } from './monitoring.js';
import { refuseWritingInputs, type NamedPath } from './same-file.js';
import { isPartsDirectory, shardOf, shardPartPath, shardStatePath } from './shard.js';

/** Validates the flags and resolves inputs, formats and defaults into a job. */
export async function buildScoreJob(flags: ScoreFlags, env: Readonly<Record<string, string | undefined>> = process.env, names = new FlagNames()): Promise<ScoreJob> {
  const problems: string[] = names.emptyVariables(flags);
  const batchSize = flags.batchSize === 'auto' ? 'auto' : wholeNumber(flags.batchSize, names.of('batchSize'), 1, problems, 'auto or ');
  const threads = flags.threads === undefined ? undefined : positiveInteger(flags.threads, names.of('threads'), problems);
  const workers = flags.workers === 'auto' ? 'auto' : wholeNumber(flags.workers, names.of('workers'), 0, problems, 'auto or ');
  // Decoding shares the cores with the model's threads and the main thread.
  const decodeWorkers = flags.decodeWorkers === 'auto' ? Math.min(4, Math.max(1, availableParallelism() - 1)) : wholeNumber(flags.decodeWorkers, names.of('decodeWorkers'), 1, problems, 'auto or ');
  const batchTimeout = flags.batchTimeout === undefined ? undefined : Number(flags.batchTimeout);
  if (batchTimeout !== undefined && !(batchTimeout > 0 && Number.isFinite(batchTimeout))) problems.push(`${names.of('batchTimeout')} must be a number of seconds above 0, got ${JSON.stringify(flags.batchTimeout)}`);
  const delimiter = flags.delimiter === '\\t' ? '\t' : flags.delimiter;
  if ([...delimiter].length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    problems.push(`--delimiter must be one character other than a quote or a line break, got ${JSON.stringify(flags.delimiter)}`);
  }
  const executionProviders = parseProviders(flags.ep, names.of('ep'), problems);
  const features = flags.features === undefined ? undefined : splitList(flags.features);
  if (features !== undefined) {
    const repeated = features.find((name, index) => features.indexOf(name) !== index);
    if (repeated !== undefined) problems.push(`--features names '${repeated}' twice`);
    if (features.length === 0) problems.push('--features needs at least one column name');
  }
  const keep = flags.keep === 'all' || flags.keep === 'none' ? flags.keep : splitList([flags.keep]);
  const maxErrors = parseMaxErrors(flags.maxErrors, problems);
  const maxRecordBytes = parseMaxRecordSize(flags.maxRecordSize, names.of('maxRecordSize'), problems);
  // `profile` writes no Parquet and passes neither Parquet flag.
  const rowGroupRows = (flags.rowGroupRows as string | undefined) === undefined ? undefined : positiveInteger(flags.rowGroupRows, '--row-group-rows', problems);
  const rowsPerPart = flags.rowsPerPart === undefined ? undefined : positiveInteger(flags.rowsPerPart, '--rows-per-part', problems);
  if (flags.resume === true && flags.rowsPerPart === undefined) problems.push('--resume continues an output written in parts: add --rows-per-part (the same as the first run)');
  if (flags.rowsPerPart !== undefined && flags.output === '-') problems.push('--rows-per-part writes parts into a directory, not to stdout');
  if (flags.state !== undefined && flags.output === '-') problems.push('--state scores each input into its own file in the output directory, not to stdout');
  if (flags.state !== undefined && flags.rowsPerPart !== undefined) problems.push('--state and --rows-per-part cannot be combined');
  // Each input of an incremental run gets its own report and rejects file beside its output: one
  // path for all of them would be overwritten input by input, so it is refused rather than ignored.
  const perInput = [flags.report === undefined ? undefined : '--report', flags.rejects === undefined ? undefined : '--rejects'].filter((name) => name !== undefined);
  if (flags.state !== undefined && perInput.length > 0) {
    problems.push(`--state writes each input's report and rejects beside its output (DIR/<input name>.<format>.report.json, .rejects.csv): leave out ${perInput.join(' and ')}; to see the night as a whole, run onnx-batch report merge DIR/*.report.json -o night.json`);
  }
  const directoryFlag = flags.state !== undefined ? '--state' : flags.rowsPerPart !== undefined ? '--rows-per-part' : undefined;
  if (directoryFlag !== undefined && flags.output !== '-' && (await exists(flags.output)) && !(await isDirectory(flags.output))) {
    problems.push(`${directoryFlag} writes into the directory -o names, but ${flags.output} is not a directory: name a directory (e.g. -o scored/), or move the file away`);
  }
  if (flags.onError === 'skip' && flags.output === '-' && flags.rejects === undefined) {
    problems.push('--on-error skip with output to stdout needs --rejects <path> for the rejected rows');
  }
  if (flags.rejectNan === true) problems.push('--reject-nan was replaced by --missing: a missing or NaN value now makes the row bad by default (--missing auto) unless the model handles it; --missing reject refuses it for every input');
  const shard = shardOf(flags, env, problems, names.of('shardCount'));
  // A file named by a variable that is not there is a bad value of that variable, set somewhere the user may not look.
  for (const key of ['model', 'pipeline'] as const) {
    const path = flags[key];
    if (path !== undefined && path.trim() !== '' && names.fromVariable(key) && !(await exists(path))) problems.push(`${names.of(key)} names a file that does not exist; got ${JSON.stringify(path)}`);
  }
  const monitoring = monitoringJob(flags, problems);
  // With --state, -o is the directory of per-input outputs, not of shard parts.
  const shardDirectory = shard !== undefined && flags.state === undefined && isPartsDirectory(flags.output, await isDirectory(flags.output));
  if (shard !== undefined) refuseSharedPaths(flags, monitoring, shardDirectory, problems);
  if (problems.length > 0) {
    throw new UsageError('USAGE', problems.length === 1 ? (problems[0] as string) : `Invalid options:\n  - ${problems.join('\n  - ')}`, {
      hint: names.hint('see `onnx-batch score --help`'),
    });
  }
  // An incremental run over a landing folder meets quiet nights: no file there is not a failure.
  const inputs = await expandInputs(flags.input, flags.inputFormat, flags.allowEmpty === true || flags.state !== undefined);
  const directory = rowsPerPart !== undefined || flags.state !== undefined || shardDirectory;
  // A parts directory has no extension to go by: CSV unless --output-format says otherwise.
  const outputFormat = directory ? (flags.outputFormat ?? 'csv') : outputFormatOf(flags.output, flags.outputFormat);
  const outputPath = shard !== undefined && shardDirectory ? shardPartPath(flags.output, shard, outputFormat) : flags.output;
  const defaultReport = rowsPerPart === undefined ? `${outputPath}.report.json` : join(flags.output, '_report.json');
  const stdinCount = inputs.filter((input) => input.path === '-').length;
  if (stdinCount > 0 && inputs.length > 1) {
    throw new UsageError('USAGE', 'stdin (-) cannot be combined with other inputs', { hint: 'score stdin in a run of its own' });
  }
  const report = flags.report ?? (flags.output === '-' ? undefined : defaultReport);
  const state = flags.state === undefined || shard === undefined ? flags.state : shardStatePath(flags.state, shard);
  const rejects = flags.onError === 'skip' ? (flags.rejects ?? (rowsPerPart === undefined ? `${outputPath}.rejects.csv` : flags.output)) : undefined;
  const named = (flag: string, path: string | undefined): NamedPath[] => (path === undefined ? [] : [{ flag, path }]);
  await refuseWritingInputs(
    [...inputs.map((input) => ({ flag: '--input', path: input.path })), ...named('--model', flags.model), ...named('--pipeline', flags.pipeline), ...named('--baseline', monitoring.baseline)],
    [
      ...named('--output', directory && !shardDirectory ? undefined : outputPath),
      ...named('--report', report),
      ...named('--rejects', rowsPerPart === undefined ? rejects : undefined),
      ...named('--report-md', monitoring.reportMarkdown),
      ...named('--report-html', monitoring.reportHtml),
      ...named('--junit', monitoring.junit),
      ...named('--state', state),
    ],
  );
  return {
    model: flags.model,
    inputs,
    output: { path: outputPath, format: outputFormat, ...(shardDirectory ? { inDirectory: true } : {}) },
    report,
    pipeline: flags.pipeline,
    features,
    keep,
    batchSize: batchSize ?? 1,
    threads,
    batchTimeoutMs: batchTimeout === undefined ? undefined : Math.round(batchTimeout * 1000),
    executionProviders,
    delimiter,
    csvParser: flags.csvParser,
    workers: workers ?? 0,
    maxRecordBytes: maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    decodeWorkers: decodeWorkers ?? 1,
    onError: flags.onError,
    maxErrors: maxErrors ?? { percent: 1 },
    rejects,
    missing: flags.missing,
    csvSafe: flags.csvSafe === true,
    parquet: { compression: (flags.compression as ParquetOptions['compression'] | undefined) ?? DEFAULT_PARQUET_OPTIONS.compression, rowGroupRows: rowGroupRows ?? DEFAULT_PARQUET_OPTIONS.rowGroupRows },
    rowsPerPart,
    resume: flags.resume === true,
    state,
    shard,
    monitoring,
    profile: false,
  };
}

/**
 * What a shard cannot share with the other shards of its job. Workers started from one template (an
 * Indexed Job, an array job) run the same command, so a path that does not change with the shard is
 * written by each of them over the others: an explicit --report or --rejects beside -o DIR/ (where each
 * part gets its own), and the renderings, which come from the merged report.
 */
function refuseSharedPaths(flags: ScoreFlags, monitoring: MonitoringJob, shardDirectory: boolean, problems: string[]): void {
  const others = [flags.rowsPerPart === undefined ? undefined : '--rows-per-part', flags.output === '-' ? '-o -' : undefined].filter((name) => name !== undefined);
  if (others.length > 0) problems.push(`a shard writes its own output file: --shard (or a shard index from the environment) cannot be combined with ${others.join(', ')}`);
  if (flags.input.includes('-')) problems.push('a shard reads files, not stdin (-): every shard must be able to read the whole input');
  const shared = [
    shardDirectory && flags.report !== undefined ? `--report ${flags.report}` : undefined,
    shardDirectory && flags.rejects !== undefined ? `--rejects ${flags.rejects}` : undefined,
  ].filter((name) => name !== undefined);
  if (shared.length > 0) {
    problems.push(`with -o DIR/ every shard would write ${shared.join(' and ')} over the other shards' copy: leave ${shared.length > 1 ? 'them' : 'it'} out, and each part gets its own beside it (DIR/part-<k>-of-<n>.<ext>.report.json, .rejects.csv); or give each worker its own -o FILE and paths`);
  }
  const renderings = [
    monitoring.reportMarkdown === undefined ? undefined : '--report-md',
    monitoring.reportHtml === undefined ? undefined : '--report-html',
    monitoring.junit === undefined ? undefined : '--junit',
  ].filter((name) => name !== undefined);
  if ((shardDirectory || flags.state !== undefined) && renderings.length > 0) {
    problems.push(`with -o DIR/ every shard would write ${renderings.join(', ')} over the other shards' copy: leave them out and render the merged report once the shards are done (onnx-batch report merge DIR/*.report.json -o total.json --md total.md --html total.html, or onnx-batch report render total.json --junit junit.xml)`);
  }
}

function parseMaxErrors(text: string, problems: string[]): { count: number } | { percent: number } | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = Number(match?.[1]);
  if (match === null || (match[2] === '' && !Number.isSafeInteger(value)) || (match[2] === '%' && value > 100)) {
    problems.push(`--max-errors must be a number of rows (e.g. 100) or a percentage of rows read (e.g. 0.5%), got ${JSON.stringify(text)}`);
    return undefined;
  }
  return match[2] === '%' ? { percent: value } : { count: value };
}

/** Records past 1 GiB would pass the byte scanner's 32-bit offsets once buffered twice. */
const MAX_RECORD_SIZE_LIMIT = 1 << 30;

function parseMaxRecordSize(text: string, name: string, problems: string[]): number | undefined {
  const bytes = parseByteSize(text);
  if (bytes === undefined || bytes < 1 || bytes > MAX_RECORD_SIZE_LIMIT) {
    problems.push(`${name} must be a size from 1 byte to 1GiB, in bytes or with a unit (KiB, MiB, GiB, KB, MB, GB), e.g. 64MiB; got ${JSON.stringify(text)}`);
    return undefined;
  }
  return bytes;
}

function positiveInteger(text: string, flag: string, problems: string[]): number | undefined {
  return wholeNumber(text, flag, 1, problems);
}

/** A whole number of at least `min`; `alternatives` names other accepted values in the message. */
function wholeNumber(text: string, flag: string, min: number, problems: string[], alternatives = ''): number | undefined {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    problems.push(`${flag} must be ${alternatives}a whole number of at least ${min}, got ${JSON.stringify(text)}`);
    return undefined;
  }
  return value;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Splits repeated comma-separated lists; surrounding spaces of each name are kept (column names may have them). */
function splitList(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(',')).filter((name) => name !== '');
}

/** Parses an --ep list (cpu, cuda, cuda:1; comma-separated, in order of preference). */
export function parseExecutionProviders(text: string): ExecutionProvider[] {
  const problems: string[] = [];
  const providers = parseProviders(text, '--ep', problems);
  if (problems.length > 0) throw new UsageError('USAGE', problems.join('; '), { hint: 'e.g. --ep cuda, --ep cuda:1 or --ep cuda,cpu' });
  return providers;
}

function parseProviders(text: string, setting: string, problems: string[]): ExecutionProvider[] {
  return text.split(',').flatMap((item) => {
    const match = /^([a-z]+)(?::(\d+))?$/.exec(item.trim().toLowerCase());
    const name = EXECUTION_PROVIDERS.find((known) => known === match?.[1]);
    if (match === null || name === undefined || (name === 'cpu' && match[2] !== undefined)) {
      problems.push(`${setting} names an unknown execution provider (use ${EXECUTION_PROVIDERS.join(', ')} or cuda:N); got ${JSON.stringify(item)}`);
      return [];
    }
    return [{ name, deviceId: match[2] === undefined ? undefined : Number(match[2]) }];
  });
}

