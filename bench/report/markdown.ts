/**
 * <out>/latest.md, in the manner of fastify/benchmarks' README: the machine, Node, date and
 * method first, then one table per workload and traffic pattern.
 */
import { RUNTIMES_SECTION } from './charts.js';
import {
  buildCapacityVerdictRows,
  buildOpenSections,
  CAPACITY_COLUMNS,
  describeOpenMethod,
  STEP_COLUMNS,
} from './open-tables.js';
import { OVER_TIME_SECTION, OVER_TIME_TITLE, OVER_TIME_WHAT } from './over-time-chart.js';
import type { BenchResults } from './results-format.js';
import { buildRuntimeTable, RUNTIME_TITLE } from './runtime-table.js';
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
  for (const verdict of [...buildCapacityVerdictRows(results), ...buildVerdictRows(results)]) lines.push(row(verdict));
  const agreement = buildAgreementRows(results);
  if (agreement.length > 0) {
    lines.push('', `## ${AGREEMENT_TITLE}`, '', row(AGREEMENT_COLUMNS), row(AGREEMENT_COLUMNS.map(() => ':--')));
    for (const cells of agreement) lines.push(row(cells));
  }
  const runtimes = buildRuntimeTable(results.points);
  if (runtimes !== null) {
    lines.push('', `## ${RUNTIME_TITLE}`, '', row(runtimes.columns), row(runtimes.columns.map(() => ':--')));
    for (const cells of runtimes.rows) lines.push(row(cells));
    const charts = options.charts?.get(RUNTIMES_SECTION) ?? [];
    if (charts.length > 0) lines.push('', ...charts.map((chart) => `![${chart.title}](${chart.file})`));
  }
  lines.push('', '## Method', '');
  for (const sentence of [...describeMethod(results), ...describeOpenMethod(results)]) lines.push(`* ${sentence}`);
  for (const section of buildOpenSections(results)) {
    lines.push('', `## ${section.title}`, '', row(CAPACITY_COLUMNS), row(CAPACITY_COLUMNS.map(() => ':--')));
    for (const cells of section.capacityRows) lines.push(row(cells));
    if (section.tailSentence !== null) lines.push('', section.tailSentence);
    for (const chart of options.charts?.get(section.key) ?? []) lines.push('', `![${chart.title}](${chart.file})`);
    lines.push(
      '',
      row(STEP_COLUMNS),
      row(STEP_COLUMNS.map((name, index) => (index === 0 || name === 'Notes' ? ':--' : '--:'))),
    );
    for (const cells of section.stepRows) lines.push(row(cells));
  }
  for (const section of buildSections(results)) {
    lines.push('', `## ${section.title}`, '', row(COLUMNS), row(ALIGNMENT));
    for (const reportRow of section.rows) lines.push(row(reportRow.cells));
    const charts = options.charts?.get(section.key) ?? [];
    if (charts.length > 0) {
      lines.push('');
      for (const chart of charts) lines.push(`![${chart.title}](${chart.file})`);
    }
  }
  const overTime = options.charts?.get(OVER_TIME_SECTION) ?? [];
  if (overTime.length > 0) {
    lines.push('', `## ${OVER_TIME_TITLE}`, '', OVER_TIME_WHAT, '');
    for (const chart of overTime) lines.push(`* [${chart.title}](${chart.file})`);
  }
  lines.push('');
  return lines.join('\n');
}
