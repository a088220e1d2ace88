// Report stage, public surface.
export { writeReport, type RunReport, type ShardSection, type TensorDescription } from './report.js';
export { countNaNs, createRunStats, type RunStats } from './stats.js';
export { buildReport } from './build-report.js';
export { Monitor, type MonitorOptions, type MonitoringSections } from './monitor.js';
export type { EvaluationTarget } from './evaluation.js';
export type { ColumnStatsSet } from './drift.js';
export { checkGates, parseGate, GateSyntaxError, type Gate, type GateResult } from './gates.js';
export { readBaseline, readReportFile, writeReportFiles, type ReportPaths } from './report-files.js';
export { mergeReports, MergeMismatch } from './merge-reports.js';
