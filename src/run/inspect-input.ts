// `inspect <data file>`: what the reader sees in a file and, with a model, how its columns would feed it.
import { OnnxBatchError } from '../errors.js';
import { loadModel, type InputFeed } from '../model/index.js';
import { describeInput, openSource, type InputFormat, type InputView } from '../sources/index.js';
import { planScoring } from './plan-scoring.js';

/** What `inspect` is asked about a data file. */
export interface InputInspection {
  readonly path: string;
  readonly format: InputFormat;
  readonly delimiter: string;
  /** Rows read to tell the columns' types, and rows shown. */
  readonly sampleRows: number;
  readonly showRows: number;
  /** With a model: plan its feeds from the file's columns (and the spec and --features, as score would). */
  readonly model: { readonly path: string; readonly pipeline: string | undefined; readonly features: readonly string[] | undefined } | undefined;
}

/** How the file's columns would feed the model, or why they cannot. */
export type Feeding = { readonly feeds: readonly InputFeed[]; readonly mapping: string } | { readonly problem: OnnxBatchError };

export interface InputReport {
  readonly input: InputView;
  readonly feeding: Feeding | undefined;
}

/** Describes a data file and, with a model, plans the feeds as `score` would (no inference). */
export async function inspectInput(request: InputInspection): Promise<InputReport> {
  const source = await openSource(request.format, { path: request.path, delimiter: request.delimiter });
  let input: InputView;
  try {
    input = await describeInput(source, { sampleRows: request.sampleRows, showRows: request.showRows });
  } finally {
    await source.close();
  }
  if (request.model === undefined) return { input, feeding: undefined };
  const model = await loadModel(request.model.path, { threads: 1, executionProviders: [{ name: 'cpu', deviceId: undefined }], onFallback: () => undefined, killable: false });
  try {
    const job = { model: request.model.path, pipeline: request.model.pipeline, features: request.model.features, keep: 'none' as const, missing: 'auto' as const, batchSize: 'auto' as const, decodeWorkers: 1 };
    const plan = await planScoring(job, model, { path: source.path, columnNames: source.columnNames });
    return { input, feeding: { feeds: plan.feeds.feeds, mapping: plan.feeds.mapping } };
  } catch (error) {
    if (!(error instanceof OnnxBatchError) || error.exitCode === 4) throw error;
    return { input, feeding: { problem: error } };
  } finally {
    await model.session.close();
  }
}
