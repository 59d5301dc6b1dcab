/**
 * <out>/latest.html of the fault suite: the reports and the charts on one self-contained page
 * (the SVGs inlined), made the way the bench's page is (bench/report/html.ts).
 */
import { escapeHtml } from '../report/html.js';
import type { FaultChart } from './fault-charts.js';
import type { FaultSuiteResults } from './fault-record.js';
import {
  describeFaultRun,
  FAULT_COLUMNS,
  FAULT_NUMERIC_COLUMNS,
  faultSections,
  physicsLines,
  summaryMatrix,
} from './fault-tables.js';

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 80em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; vertical-align: top; }
th { background: #f3f3f3; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
`;

function table(head: readonly string[], rows: readonly string[][], numeric: readonly boolean[] = []): string[] {
  return [
    '<table><thead><tr>',
    ...head.map((name) => `<th>${escapeHtml(name)}</th>`),
    '</tr></thead><tbody>',
    ...rows.map(
      (cells) =>
        `<tr>${cells.map((text, index) => `<td${numeric[index] === true ? ' class="number"' : ''}>${escapeHtml(text)}</td>`).join('')}</tr>`,
    ),
    '</tbody></table>',
  ];
}

/** @param benchPage the bench's page, relative to this one, to link to when there is one. */
export function renderFaultsHtml(
  results: FaultSuiteResults,
  charts: readonly FaultChart[],
  benchPage?: string,
): string {
  const matrix = summaryMatrix(results);
  const parts: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>zenbench fault suite ${escapeHtml(results.startedAt)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    '<h1>zenbench fault suite</h1>',
    '<ul>',
    ...describeFaultRun(results).map(
      ({ label, value }) => `<li><strong>${escapeHtml(label)}:</strong> ${escapeHtml(value)}</li>`,
    ),
    '</ul>',
    ...(benchPage === undefined
      ? []
      : [`<p>How fast each architecture is: <a href="${escapeHtml(benchPage)}">the bench's page</a>.</p>`]),
    '<h2>Architecture x fault: full service, answers lost</h2>',
    ...table(matrix.head, matrix.rows),
    '<h2>The physics, from the figures</h2>',
  ];
  for (const { fault, lines } of physicsLines(results)) {
    parts.push(
      `<h3>${escapeHtml(fault)}</h3>`,
      '<ul>',
      ...lines.map((line) => `<li>${escapeHtml(line)}</li>`),
      '</ul>',
    );
  }
  for (const section of faultSections(results)) {
    parts.push(`<h2>${escapeHtml(section.title)}</h2>`, ...table(FAULT_COLUMNS, section.rows, FAULT_NUMERIC_COLUMNS));
    const chart = charts.find((candidate) => candidate.fault === section.scenario.name);
    if (chart !== undefined) parts.push(`<figure>${chart.svg}</figure>`);
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}
