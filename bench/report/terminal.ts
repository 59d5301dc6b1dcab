/**
 * The end-of-run summary on the terminal: the same tables as latest.md, drawn by cli-table3.
 */
import Table from 'cli-table3';
import type { BenchResults } from './results-format.js';
import { buildSections, COLUMNS, describeRun } from './tables.js';

export function renderTerminalReport(results: BenchResults): string {
  const lines: string[] = [];
  for (const { label, value } of describeRun(results)) lines.push(`${label}: ${value}`);
  const numeric = COLUMNS.map((name) => name !== 'Architecture' && name !== 'Notes');
  for (const section of buildSections(results)) {
    const table = new Table({
      head: [...COLUMNS],
      colAligns: numeric.map((isNumber) => (isNumber ? 'right' : 'left')),
      style: { head: [], border: [] },
      wordWrap: true,
      colWidths: COLUMNS.map((name) => (name === 'Notes' ? 40 : null)),
    });
    for (const row of section.rows) table.push(row.cells);
    lines.push('', section.title, table.toString());
  }
  return lines.join('\n');
}
