// Model stage: which model inputs handle missing values themselves, read from the graph, so that
// `--missing auto` feeds NaN only where the model expects it and refuses the row elsewhere.

/** A graph node as far as this check needs it (model-file.ts converts the protobuf). */
export interface GraphNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** For an `Imputer`: whether it replaces NaN (its `replaced_value_float` is NaN). */
  readonly replacesNaN?: boolean;
}

/** Whether NaN may be fed to one model input, and why, in words for the report. */
export interface MissingValueSupport {
  readonly handlesNaN: boolean;
  readonly reason: string;
}

/** Ops that move or reshape values without computing with them: NaN goes through them unchanged. */
const MOVES_VALUES: ReadonlySet<string> = new Set([
  'Identity', 'Cast', 'CastLike', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose',
  'Concat', 'Slice', 'Gather', 'Split', 'Expand', 'FeatureVectorizer',
]);

/** Tree ensembles route a NaN feature down a branch (`missing_value_tracks_true`). */
const TREE_ENSEMBLES: ReadonlySet<string> = new Set(['TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'TreeEnsemble']);

/**
 * The rule: follow the input through value-moving ops only (Identity, Cast, Reshape, Concat, ...).
 * NaN may be fed when every op reached that way handles it: an `Imputer` that replaces NaN, an
 * `IsNaN`, a tree ensemble, or a `Where` when the input also reaches an `IsNaN` (the
 * `Where(IsNaN(x), fill, x)` pattern). Any other op (arithmetic, a scaler, a linear model, a
 * comparison), a graph output reached directly, or an input no node reads means NaN would flow
 * into a prediction, so the row is refused instead.
 */
export function missingValueSupport(input: string, nodes: readonly GraphNode[], graphOutputs: readonly string[]): MissingValueSupport {
  const consumers = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    for (const name of node.inputs) {
      if (name === '') continue;
      const list = consumers.get(name) ?? [];
      if (!list.includes(node)) list.push(node);
      consumers.set(name, list);
    }
  }
  const reached: GraphNode[] = [];
  const seen = new Set<string>([input]);
  const queue = [input];
  let direct = false;
  while (queue.length > 0) {
    const value = queue.shift() as string;
    if (graphOutputs.includes(value)) direct = true;
    for (const node of consumers.get(value) ?? []) {
      if (!MOVES_VALUES.has(node.opType)) {
        if (!reached.includes(node)) reached.push(node);
        continue;
      }
      for (const output of node.outputs) {
        if (!seen.has(output)) {
          seen.add(output);
          queue.push(output);
        }
      }
    }
  }
  if (direct) return { handlesNaN: false, reason: 'it reaches a model output unchanged' };
  if (reached.length === 0) return { handlesNaN: false, reason: 'no node of the graph reads it' };
  const checksNaN = reached.some((node) => node.opType === 'IsNaN');
  const other = reached.find((node) => !handles(node, checksNaN));
  if (other !== undefined) {
    const why = other.opType === 'Imputer' ? 'an Imputer that does not replace NaN' : other.opType;
    return { handlesNaN: false, reason: `it reaches ${why} before any Imputer, IsNaN or tree ensemble` };
  }
  const kinds = [...new Set(reached.map((node) => node.opType))].join(', ');
  return { handlesNaN: true, reason: `it reaches ${kinds} before any other computation` };
}

function handles(node: GraphNode, checksNaN: boolean): boolean {
  if (node.opType === 'Imputer') return node.replacesNaN === true;
  if (node.opType === 'IsNaN' || TREE_ENSEMBLES.has(node.opType)) return true;
  return node.opType === 'Where' && checksNaN;
}

/** The values of --missing: decide from the graph (auto), refuse every missing value, or feed NaN. */
export const MISSING_MODES = ['auto', 'reject', 'nan'] as const;
export type MissingMode = (typeof MISSING_MODES)[number];

/** What a float model input does with a missing (empty, null or NaN) value, and why (for the report). */
export interface MissingDecision {
  readonly mode: MissingMode;
  /** True: NaN is fed to the model; false: the row is bad. */
  readonly feedsNaN: boolean;
  /** True: a ±Infinity value is fed too; false: it makes the row bad. */
  readonly feedsInfinity: boolean;
  readonly reason: string;
}

/**
 * Decides one float input's handling. `auto` feeds NaN only where the graph handles it (the rule of
 * missingValueSupport); an infinite value is refused even then, since an Imputer replaces NaN only
 * and a tree splits ±Infinity as an ordinary, extreme value that training never saw.
 */
export function decideMissing(mode: MissingMode, support: MissingValueSupport | undefined): MissingDecision {
  if (mode === 'nan') return { mode, feedsNaN: true, feedsInfinity: true, reason: '--missing nan: missing, NaN and infinite values are fed as they are' };
  if (mode === 'reject') return { mode, feedsNaN: false, feedsInfinity: false, reason: '--missing reject: a missing, NaN or infinite value makes the row bad' };
  if (support === undefined) return { mode, feedsNaN: false, feedsInfinity: false, reason: '--missing auto: not an input of the graph itself, so nothing shows that it handles NaN' };
  return support.handlesNaN
    ? { mode, feedsNaN: true, feedsInfinity: false, reason: `--missing auto: NaN is fed because ${support.reason}; an infinite value makes the row bad` }
    : { mode, feedsNaN: false, feedsInfinity: false, reason: `--missing auto: a missing, NaN or infinite value makes the row bad because ${support.reason}` };
}
