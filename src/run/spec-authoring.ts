// Help for spec authors, beside the runner: check a spec against a model (and a sample), or draft one.
import { buildFeeds, loadModel, type InputFeed, type LoadedModel } from '../model/index.js';
import { planScoring, type PlanRequest } from './plan-scoring.js';
import type { ColumnChunk } from '../shared/chunk.js';
import { openSource, type InputFormat } from '../sources/index.js';

const SAMPLE_ROWS = 1000;

export interface SpecToolRequest {
  readonly model: string;
  readonly pipeline: string | undefined;
  readonly sample: { readonly path: string; readonly format: InputFormat } | undefined;
  readonly delimiter: string;
  /** Where a drafted spec goes (paths in it are written relative to its folder); undefined: stdout. */
  readonly output?: string | undefined;
}

/** What `pipeline check` found. */
export interface SpecCheck {
  readonly spec: string;
  readonly steps: number;
  readonly feeds: readonly InputFeed[];
  readonly outputColumns: readonly string[];
  /** Rows of the sample that went through the steps and into tensors. */
  readonly sampleRows: number | undefined;
}

export async function withModel<T>(path: string, action: (model: LoadedModel) => Promise<T>): Promise<T> {
  const model = await loadModel(path, { threads: 1, executionProviders: [{ name: 'cpu', deviceId: undefined }], onFallback: () => undefined, killable: false });
  try {
    return await action(model);
  } finally {
    await model.session.close();
  }
}

export async function readSample(request: SpecToolRequest): Promise<{ columnNames: readonly string[]; chunk: ColumnChunk | undefined }> {
  if (request.sample === undefined) return { columnNames: [], chunk: undefined };
  const source = await openSource(request.sample.format, { path: request.sample.path, delimiter: request.delimiter });
  try {
    const chunks = source.chunks({ chunkRows: SAMPLE_ROWS, rowOffset: 0, numericColumns: new Set() })[Symbol.asyncIterator]();
    const first = await chunks.next();
    return { columnNames: source.columnNames, chunk: first.done === true ? undefined : first.value };
  } finally {
    await source.close();
  }
}

/**
 * Validates the spec, checks it against the model's signature and, with a sample, against the
 * sample's columns and first rows (steps and tensor building, no inference).
 */
export async function checkSpec(request: SpecToolRequest): Promise<SpecCheck> {
  return withModel(request.model, async (model) => {
    const sample = await readSample(request);
    const job: PlanRequest = { model: request.model, pipeline: request.pipeline, features: undefined, keep: 'none', missing: 'auto', batchSize: 'auto', decodeWorkers: 1 };
    const plan = await planScoring(job, model, { path: request.sample?.path ?? 'the sample', columnNames: sample.columnNames }, { requireSpec: true, assumeColumns: request.sample === undefined });
    const pipeline = plan.pipeline as NonNullable<typeof plan.pipeline>;
    try {
      if (sample.chunk !== undefined) buildFeeds(plan.feeds, await pipeline.transformAsync(sample.chunk), sample.chunk.rowCount);
    } finally {
      await pipeline.close();
    }
    return {
      spec: pipeline.loaded.source.path,
      steps: pipeline.loaded.spec.steps.length,
      feeds: plan.feeds.feeds,
      outputColumns: plan.outputColumns,
      sampleRows: sample.chunk?.rowCount,
    };
  });
}
