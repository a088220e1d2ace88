// Pipeline stage, public surface: the declared preprocessing spec (load, check, compile), the
// post-processing of predictions.
export { compilePipeline, STEP_NAMES, type Pipeline } from './compile.js';
export { loadSpec, specPathsBeside, type LoadedSpec, type SpecRequest } from './load-spec.js';
export { compilePostProcess, type OutputGroup, type PostProcess } from './postprocess.js';
export { METADATA_KEY, type InputSpec, type OutputSpec, type PipelineSpec, type SpecSource } from './spec.js';
