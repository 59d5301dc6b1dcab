/** <out>/latest.md of the fault suite: the run, the matrix, the physics in words, a table and a chart per fault. */
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

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

/** @param benchReport the bench's report, relative to this one, to link to when there is one. */
export function renderFaultsMarkdown(
  results: FaultSuiteResults,
  charts: readonly FaultChart[],
  chartsDir: string,
  benchReport?: string,
): string {
  const lines: string[] = ['# zenbench fault suite', ''];
  for (const { label, value } of describeFaultRun(results)) lines.push(`* **${label}:** ${value}`);
  if (benchReport !== undefined) lines.push('', `How fast each architecture is: [the bench's report](${benchReport}).`);
  const matrix = summaryMatrix(results);
  lines.push(
    '',
    '## Architecture x fault: full service, answers lost',
    '',
    row(matrix.head),
    row(matrix.head.map(() => ':--')),
  );
  for (const cells of matrix.rows) lines.push(row(cells));
  lines.push('', '## The physics, from the figures', '');
  for (const { fault, lines: sentences } of physicsLines(results)) {
    lines.push(`**${fault}**`, '');
    for (const sentence of sentences) lines.push(`* ${sentence}`);
    lines.push('');
  }
  for (const section of faultSections(results)) {
    lines.push(
      `## ${section.title}`,
      '',
      row(FAULT_COLUMNS),
      row(FAULT_NUMERIC_COLUMNS.map((numeric) => (numeric ? '--:' : ':--'))),
    );
    for (const cells of section.rows) lines.push(row(cells));
    const chart = charts.find((candidate) => candidate.fault === section.scenario.name);
    if (chart !== undefined) lines.push('', `![${chart.title}](${chartsDir}/${chart.file})`);
    lines.push('');
  }
  return lines.join('\n');
}
