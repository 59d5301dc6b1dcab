/**
 * <out>/latest.md, in the manner of fastify/benchmarks' README: the machine, Node, date and
 * method first, then one table per workload and traffic pattern.
 */
import type { BenchResults } from './results-format.js';
import {
  AGREEMENT_COLUMNS,
  AGREEMENT_TITLE,
  buildAgreementRows,
  buildSections,
  buildVerdictRows,
  COLUMNS,
  describeMethod,
  describeRun,
  NUMERIC_COLUMNS,
  VERDICT_COLUMNS,
} from './tables.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

/** Right-aligns the numeric columns, as numbers are read. */
const ALIGNMENT = NUMERIC_COLUMNS.map((numeric) => (numeric ? '--:' : ':--'));

export interface MarkdownOptions {
  /** Chart files to link under each section, keyed by `${workload}/${pattern}`. */
  charts?: ReadonlyMap<string, readonly { title: string; file: string }[]>;
  /** The fault suite's report (npm run bench:faults), relative to this one, to link to when there is one. */
  faultsReport?: string;
}

export function renderMarkdown(results: BenchResults, options: MarkdownOptions = {}): string {
  const lines: string[] = ['# zenbench results', ''];
  for (const { label, value } of describeRun(results)) lines.push(`* **${label}:** ${value}`);
  if (options.faultsReport !== undefined) {
    lines.push('', `How each architecture fails: [the fault suite's report](${options.faultsReport}).`);
  }
  lines.push(
    '',
    '## Which architecture for which load?',
    '',
    row(VERDICT_COLUMNS),
    row(VERDICT_COLUMNS.map(() => ':--')),
  );
  for (const verdict of buildVerdictRows(results)) lines.push(row(verdict));
  const agreement = buildAgreementRows(results);
  if (agreement.length > 0) {
    lines.push('', `## ${AGREEMENT_TITLE}`, '', row(AGREEMENT_COLUMNS), row(AGREEMENT_COLUMNS.map(() => ':--')));
    for (const cells of agreement) lines.push(row(cells));
  }
  lines.push('', '## Method', '');
  for (const sentence of describeMethod(results)) lines.push(`* ${sentence}`);
  for (const section of buildSections(results)) {
    lines.push('', `## ${section.title}`, '', row(COLUMNS), row(ALIGNMENT));
    for (const reportRow of section.rows) lines.push(row(reportRow.cells));
    const charts = options.charts?.get(section.key) ?? [];
    if (charts.length > 0) {
      lines.push('');
      for (const chart of charts) lines.push(`![${chart.title}](${chart.file})`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
