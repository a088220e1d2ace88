// Pipeline stage, public surface. Declared preprocessing steps arrive with the pipeline issue;
// today the stage regroups chunks into model batches.
export { rebatch } from './rebatch.js';
