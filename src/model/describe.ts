// Model stage: a description of a loaded model for `inspect`: signature, output columns, and how to feed it.
import type { LoadedModel } from './index.js';
import { declaredColumnNames, declaredSignatures } from './outputs.js';
import type { TensorSignature } from './session.js';

export interface TensorView {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

export interface ModelDescription {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly producer: string;
  readonly irVersion: number;
  readonly opsets: Readonly<Record<string, number>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly inputs: readonly TensorView[];
  readonly outputs: readonly (TensorView & { readonly columns: readonly string[]; readonly note?: string })[];
  /** How `score` feeds this model, in words. */
  readonly feeding: string;
}

function view(signature: TensorSignature): TensorView {
  return {
    name: signature.name,
    type: signature.isTensor ? (signature.type ?? 'unknown') : 'non-tensor (sequence or map)',
    shape: signature.shape.map((dim) => (dim === '' ? 'N' : dim)),
  };
}

/** Describes a loaded model for people (`inspect`) and scripts (`inspect --json`). */
export function describeModel(model: LoadedModel): ModelDescription {
  const { file, session } = model;
  const outputs = declaredSignatures(session.outputs, file).map((output) => {
      const zipMap = file.zipMaps.find((zip) => zip.output === output.name);
      const skipped = file.skippedOutputs.find((skip) => skip.name === output.name);
      const entry = model.outputs.entries.find((candidate) => candidate.column === output.name);
      const declared = session.outputs.find((candidate) => candidate.name === entry?.fetch);
      const columns = entry === undefined ? [] : declaredColumnNames(entry, declared);
      const classifier = file.classLabels[output.name] !== undefined && entry?.labels === file.classLabels[output.name];
      const note = zipMap !== undefined ? `ZipMap: written from tensor '${zipMap.tensor}' with its class labels` : classifier ? "columns named by the classifier's class labels" : skipped?.reason;
      return { ...view(output), columns, ...(note === undefined ? {} : { note }) };
    });
  return {
    path: file.path,
    sha256: file.sha256,
    bytes: file.bytes,
    producer: file.producer,
    irVersion: file.irVersion,
    opsets: file.opsets,
    metadata: file.metadata,
    inputs: session.inputs.map(view),
    outputs,
    feeding: feedingOf(session.inputs),
  };
}

function feedingOf(inputs: readonly TensorSignature[]): string {
  const only = inputs.length === 1 ? inputs[0] : undefined;
  const width = only?.shape[1];
  if (only !== undefined && only.shape.length === 2 && width !== 1) {
    const count = typeof width === 'number' ? `${width}` : 'K';
    return `one ${only.type ?? ''} [N,${count}] input: pass --features with ${count} column names in order, or give a file with exactly ${count} columns`;
  }
  return `inputs are fed by name: the input needs columns ${inputs.map((input) => `'${input.name}' (${input.type ?? 'non-tensor'})`).join(', ')}`;
}
