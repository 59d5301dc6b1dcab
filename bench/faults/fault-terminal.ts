/** The fault suite's summary on the terminal: the same matrix, physics and tables as latest.md, drawn by cli-table3. */
import Table from 'cli-table3';
import type { FaultSuiteResults } from './fault-record.js';
import {
  describeFaultRun,
  FAULT_COLUMNS,
  FAULT_NUMERIC_COLUMNS,
  faultSections,
  physicsLines,
  summaryMatrix,
} from './fault-tables.js';

const STYLE = { head: [], border: [] };

export function renderFaultsTerminal(results: FaultSuiteResults): string {
  const lines: string[] = [];
  for (const { label, value } of describeFaultRun(results)) lines.push(`${label}: ${value}`);
  const matrix = summaryMatrix(results);
  const summary = new Table({
    head: matrix.head,
    style: STYLE,
    wordWrap: true,
    colWidths: matrix.head.map((_, index) => (index === 0 ? 10 : 18)),
  });
  for (const cells of matrix.rows) summary.push(cells);
  lines.push('', 'Architecture x fault: full service, answers lost', summary.toString());
  for (const section of faultSections(results)) {
    const table = new Table({
      head: [...FAULT_COLUMNS],
      colAligns: FAULT_NUMERIC_COLUMNS.map((numeric) => (numeric ? 'right' : 'left')),
      style: STYLE,
      wordWrap: true,
      colWidths: FAULT_COLUMNS.map((name) =>
        name === 'Server' ? 34 : name === 'What the suite did' ? 24 : name === 'Load errors' ? 16 : null,
      ),
    });
    for (const cells of section.rows) table.push(cells);
    lines.push('', section.title, table.toString());
  }
  lines.push('', 'The physics, from the figures:');
  for (const { fault, lines: sentences } of physicsLines(results)) {
    lines.push(`  ${fault}`);
    for (const sentence of sentences) lines.push(`    ${sentence}`);
  }
  return lines.join('\n');
}
