// Report: JUnit XML (--junit), one test case per --fail-on gate, for CI test-result views.
import type { RunReport } from './report.js';
import { formatNumber } from './render-text.js';

function xml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** Renders the report's gates as a JUnit test suite (a fired gate is a failure). */
export function renderJunit(report: RunReport): string {
  const gates = report.gates ?? [];
  const failures = gates.filter((gate) => gate.fired).length;
  const seconds = (report.durationMs / 1000).toFixed(3);
  const cases = gates.map((gate) => {
    const name = `<testcase classname="onnx-batch.gates" name="${xml(gate.expression)}" time="0">`;
    if (!gate.fired) return `    ${name}</testcase>`;
    const message = gate.value === null ? (gate.note ?? 'no value') : `${gate.expression}: value ${formatNumber(gate.value)}`;
    return `    ${name}\n      <failure message="${xml(message)}" type="gate">${xml(message)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="onnx-batch" tests="${gates.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="onnx-batch gates" tests="${gates.length}" failures="${failures}" errors="0" skipped="0" time="${seconds}" timestamp="${xml(report.startedAt)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
