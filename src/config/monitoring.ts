// Config: the monitoring flags of `score` and `profile` (baseline, labels, gates, renderings), validated.
import { extname } from 'node:path';
import { GateSyntaxError, parseGate, type Gate } from '../report/index.js';

/** What a run profiles, compares, evaluates and gates, and where the renderings go. */
export interface MonitoringJob {
  /** Column statistics in the scoring pass (--no-stats turns them off, with everything built on them). */
  readonly stats: boolean;
  /** A profile or an earlier run's report to compare with (--baseline). */
  readonly baseline: string | undefined;
  /** Input column holding the true label or value (read, not fed). */
  readonly labelColumn: string | undefined;
  /** Input column whose values split evaluation into groups. */
  readonly groupBy: string | undefined;
  readonly gates: readonly Gate[];
  readonly reportMarkdown: string | undefined;
  readonly reportHtml: string | undefined;
  readonly junit: string | undefined;
}

export interface MonitoringFlags {
  /** false with --no-stats. */
  readonly stats?: boolean | undefined;
  readonly report?: string | undefined;
  readonly baseline?: string | undefined;
  readonly labelColumn?: string | undefined;
  readonly groupBy?: string | undefined;
  readonly failOn?: readonly string[] | undefined;
  readonly reportMd?: string | undefined;
  readonly reportHtml?: string | undefined;
  readonly junit?: string | undefined;
}

/** Validates the monitoring flags; each problem is added to `problems` (with near matches for an unknown gate path). */
export function monitoringJob(flags: MonitoringFlags, problems: string[]): MonitoringJob {
  const extension = flags.report === undefined ? '' : extname(flags.report).toLowerCase();
  if (['.md', '.markdown', '.html', '.htm'].includes(extension)) {
    const flag = extension.startsWith('.htm') ? '--report-html' : '--report-md';
    problems.push(`--report ${flags.report} writes JSON, not ${extension.startsWith('.htm') ? 'HTML' : 'Markdown'}: use ${flag} ${flags.report} (and --report for the JSON, e.g. report.json)`);
  }
  if (flags.stats === false && (flags.baseline !== undefined || flags.labelColumn !== undefined || (flags.failOn ?? []).length > 0)) {
    problems.push('--no-stats leaves out the statistics that --baseline, --label-column and --fail-on need');
  }
  if (flags.groupBy !== undefined && flags.labelColumn === undefined) problems.push('--group-by evaluates per group: it needs --label-column');
  const gates: Gate[] = [];
  for (const expression of flags.failOn ?? []) {
    try {
      const gate = parseGate(expression);
      const needs = gate.path[0] === 'drift' ? (flags.baseline === undefined ? '--baseline' : undefined) : ['metrics', 'groups', 'fairness'].includes(gate.path[0] as string) && flags.labelColumn === undefined ? '--label-column' : undefined;
      if (gate.path[0] === 'groups' || gate.path[0] === 'fairness') {
        if (flags.groupBy === undefined) problems.push(`--fail-on '${expression}' reads per-group results: add --group-by (and --label-column)`);
      } else if (needs !== undefined) problems.push(`--fail-on '${expression}' reads ${gate.path[0]}, which only ${needs} gives`);
      gates.push(gate);
    } catch (error) {
      if (!(error instanceof GateSyntaxError)) throw error;
      problems.push(error.nearMatches.length === 0 ? error.message : `${error.message}; did you mean ${error.nearMatches.map((match) => `'${match}'`).join(' or ')}?`);
    }
  }
  return {
    stats: flags.stats !== false,
    baseline: flags.baseline,
    labelColumn: flags.labelColumn,
    groupBy: flags.groupBy,
    gates,
    reportMarkdown: flags.reportMd,
    reportHtml: flags.reportHtml,
    junit: flags.junit,
  };
}
