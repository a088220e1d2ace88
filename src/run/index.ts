// The runner's public surface: what the CLI calls once it has a validated job.
export { runScore, type RunProgress } from './run-score.js';
export { runIncremental } from './run-incremental.js';
export { draftSpec } from './draft-spec.js';
export { checkSpec, type SpecToolRequest } from './spec-authoring.js';
export { inspectInput, type InputReport } from './inspect-input.js';
