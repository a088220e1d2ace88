// Report stage, public surface.
export { writeReport, type RunReport, type TensorDescription } from './report.js';
export { countNaNs, createRunStats, type RunStats } from './stats.js';
export { buildReport } from './build-report.js';
