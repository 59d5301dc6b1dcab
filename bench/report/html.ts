/**
 * <out>/latest.html: the tables and the charts on one self-contained page. The SVGs are
 * inlined, so the page opens from disk (file://) with nothing beside it.
 */
import { RUNTIMES_SECTION, type RenderedChart } from './charts.js';
import { buildRuntimeTable, RUNTIME_TITLE } from './runtime-table.js';
import {
  buildCapacityVerdictRows,
  buildOpenSections,
  CAPACITY_COLUMNS,
  describeOpenMethod,
  STEP_COLUMNS,
} from './open-tables.js';
import { OVER_TIME_SECTION, OVER_TIME_TITLE, OVER_TIME_WHAT } from './over-time-chart.js';
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

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Markdown's `code` spans in the method sentences, as HTML. */
function inlineCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #f3f3f3; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.saturated td { background: #fff6dd; }
tr.failed td { background: #fde8e8; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
`;

function table(columns: readonly string[], rows: readonly string[][]): string {
  const head = columns.map((name) => `<th>${escapeHtml(name)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((text) => `<td>${escapeHtml(text)}</td>`).join('')}</tr>`);
  return `<table><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function agreementTable(results: BenchResults): string[] {
  const rows = buildAgreementRows(results);
  if (rows.length === 0) return [];
  return [
    `<h2>${escapeHtml(AGREEMENT_TITLE)}</h2>`,
    '<table><thead><tr>',
    ...AGREEMENT_COLUMNS.map((name) => `<th>${escapeHtml(name)}</th>`),
    '</tr></thead><tbody>',
    ...rows.map((cells) => `<tr>${cells.map((text) => `<td>${escapeHtml(text)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ];
}

function runtimeTable(results: BenchResults, charts: readonly RenderedChart[]): string[] {
  const table = buildRuntimeTable(results.points);
  if (table === null) return [];
  return [
    `<h2>${escapeHtml(RUNTIME_TITLE)}</h2>`,
    '<table><thead><tr>',
    ...table.columns.map((name) => `<th>${escapeHtml(name)}</th>`),
    '</tr></thead><tbody>',
    ...table.rows.map((cells) => `<tr>${cells.map((text) => `<td>${escapeHtml(text)}</td>`).join('')}</tr>`),
    '</tbody></table>',
    '<div class="charts">',
    ...charts.filter((chart) => chart.section === RUNTIMES_SECTION).map((chart) => `<figure>${chart.svg}</figure>`),
    '</div>',
  ];
}

/**
 * @param faultsPage the fault suite's page (npm run bench:faults), relative to this one, to link
 * to when there is one.
 */
export function renderHtml(results: BenchResults, charts: readonly RenderedChart[], faultsPage?: string): string {
  const parts: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>zenbench results ${escapeHtml(results.startedAt)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    '<h1>zenbench results</h1>',
    '<ul>',
    ...describeRun(results).map(
      ({ label, value }) => `<li><strong>${escapeHtml(label)}:</strong> ${escapeHtml(value)}</li>`,
    ),
    '</ul>',
    ...(faultsPage === undefined
      ? []
      : [`<p>How each architecture fails: <a href="${escapeHtml(faultsPage)}">the fault suite's page</a>.</p>`]),
    '<h2>Which architecture for which load?</h2>',
    '<table><thead><tr>',
    ...VERDICT_COLUMNS.map((name) => `<th>${escapeHtml(name)}</th>`),
    '</tr></thead><tbody>',
    ...[...buildCapacityVerdictRows(results), ...buildVerdictRows(results)].map(
      (cells) => `<tr>${cells.map((text) => `<td>${escapeHtml(text)}</td>`).join('')}</tr>`,
    ),
    '</tbody></table>',
    ...agreementTable(results),
    ...runtimeTable(results, charts),
    '<h2>Method</h2>',
    '<ul>',
    ...[...describeMethod(results), ...describeOpenMethod(results)].map(
      (sentence) => `<li>${inlineCode(sentence)}</li>`,
    ),
    '</ul>',
  ];
  const numeric = NUMERIC_COLUMNS;
  for (const section of buildSections(results)) {
    const key = section.key;
    parts.push(`<h2>${escapeHtml(section.title)}</h2>`, '<table><thead><tr>');
    parts.push(...COLUMNS.map((name) => `<th>${escapeHtml(name)}</th>`), '</tr></thead><tbody>');
    for (const row of section.rows) {
      const rowClass = row.failed ? ' class="failed"' : row.saturated ? ' class="saturated"' : '';
      const cells = row.cells.map(
        (text, index) => `<td${numeric[index] ? ' class="number"' : ''}>${escapeHtml(text)}</td>`,
      );
      parts.push(`<tr${rowClass}>${cells.join('')}</tr>`);
    }
    parts.push('</tbody></table>', '<div class="charts">');
    for (const chart of charts.filter((candidate) => candidate.section === key)) {
      parts.push(`<figure>${chart.svg}</figure>`);
    }
    parts.push('</div>');
  }
  for (const section of buildOpenSections(results)) {
    parts.push(`<h2>${escapeHtml(section.title)}</h2>`, table(CAPACITY_COLUMNS, section.capacityRows));
    if (section.tailSentence !== null) parts.push(`<p>${escapeHtml(section.tailSentence)}</p>`);
    parts.push('<div class="charts">');
    for (const chart of charts.filter((candidate) => candidate.section === section.key)) {
      parts.push(`<figure>${chart.svg}</figure>`);
    }
    parts.push('</div>', table(STEP_COLUMNS, section.stepRows));
  }
  const overTime = charts.filter((chart) => chart.section === OVER_TIME_SECTION);
  if (overTime.length > 0) {
    parts.push(`<h2>${escapeHtml(OVER_TIME_TITLE)}</h2>`, `<p>${escapeHtml(OVER_TIME_WHAT)}</p>`);
    parts.push('<div class="charts">', ...overTime.map((chart) => `<figure>${chart.svg}</figure>`), '</div>');
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}
