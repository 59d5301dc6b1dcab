/**
 * The end-of-run summary on the terminal: the same tables as latest.md, drawn by cli-table3.
 */
import Table from 'cli-table3';
import { buildCapacityVerdictRows, buildOpenSections, CAPACITY_COLUMNS } from './open-tables.js';
import type { BenchResults } from './results-format.js';
import { buildRuntimeTable, RUNTIME_TITLE } from './runtime-table.js';
import {
  AGREEMENT_COLUMNS,
  AGREEMENT_TITLE,
  buildAgreementRows,
  buildSections,
  buildVerdictRows,
  COLUMNS,
  describeRun,
  NUMERIC_COLUMNS,
  VERDICT_COLUMNS,
} from './tables.js';

export function renderTerminalReport(results: BenchResults): string {
  const lines: string[] = [];
  for (const { label, value } of describeRun(results)) lines.push(`${label}: ${value}`);
  const verdicts = new Table({ head: [...VERDICT_COLUMNS], style: { head: [], border: [] }, wordWrap: true });
  for (const verdict of [...buildCapacityVerdictRows(results), ...buildVerdictRows(results)]) verdicts.push(verdict);
  lines.push('', 'Which architecture for which load?', verdicts.toString());
  const agreement = buildAgreementRows(results);
  if (agreement.length > 0) {
    const table = new Table({ head: [...AGREEMENT_COLUMNS], style: { head: [], border: [] }, wordWrap: true });
    for (const cells of agreement) table.push(cells);
    lines.push('', AGREEMENT_TITLE, table.toString());
  }
  const runtimes = buildRuntimeTable(results.points);
  if (runtimes !== null) {
    const table = new Table({ head: runtimes.columns, style: { head: [], border: [] }, wordWrap: true });
    for (const cells of runtimes.rows) table.push(cells);
    lines.push('', RUNTIME_TITLE, table.toString());
  }
  for (const section of buildSections(results)) {
    const table = new Table({
      head: [...COLUMNS],
      colAligns: NUMERIC_COLUMNS.map((isNumber) => (isNumber ? 'right' : 'left')),
      style: { head: [], border: [] },
      wordWrap: true,
      colWidths: COLUMNS.map((name) => (name === 'Notes' ? 40 : null)),
    });
    for (const row of section.rows) table.push(row.cells);
    lines.push('', section.title, table.toString());
  }
  for (const section of buildOpenSections(results)) {
    const table = new Table({ head: [...CAPACITY_COLUMNS], style: { head: [], border: [] }, wordWrap: true });
    for (const cells of section.capacityRows) table.push(cells);
    lines.push('', section.title, table.toString());
    if (section.tailSentence !== null) lines.push(section.tailSentence);
  }
  return lines.join('\n');
}
