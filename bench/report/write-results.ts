/**
 * Writes a run's results: the JSON record under its UTC timestamp and as latest.json, and the
 * readable views of it (latest.md, latest.html, charts/*.svg), the over-time charts drawn from
 * the interval logs the run left in intervals/.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderCharts } from './charts.js';
import { renderHtml } from './html.js';
import { intervalLogsIn } from './interval-files.js';
import { renderMarkdown } from './markdown.js';
import { buildOverTimeCharts } from './over-time-chart.js';
import type { BenchResults } from './results-format.js';
import { FAULTS_SUBDIRECTORY } from '../shared/paths.js';

export interface WrittenFiles {
  json: string;
  latestJson: string;
  markdown: string;
  html: string;
  charts: string[];
}

/** 2026-11-22T01:41:46.123Z -> 2026-11-22T01-41-46Z: sortable, and legal in every file system. */
export function timestampFileName(isoTime: string): string {
  return `${isoTime.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.json`;
}

export const CHARTS_DIRECTORY = 'charts';

/** The names this writer gives charts; nothing else in the charts directory is touched. */
const CHART_FILE = /^(throughput|latency|over-time|runtimes|open-latency|open-achieved)-[a-z0-9-]+\.svg$/;

/**
 * The readable views of a results file, regenerated from it and its interval logs alone.
 * @param overTimeExtra ids of points to chart over time besides those with errors
 * (over-time-chart.ts, pointsForOverTimeCharts).
 */
export async function writeReports(
  results: BenchResults,
  outDir: string,
  overTimeExtra: readonly string[] = [],
): Promise<Pick<WrittenFiles, 'markdown' | 'html' | 'charts'>> {
  const chartsDir = path.join(outDir, CHARTS_DIRECTORY);
  mkdirSync(chartsDir, { recursive: true });
  const charts = await renderCharts(results, buildOverTimeCharts(results, intervalLogsIn(outDir), overTimeExtra));
  const chartFiles: string[] = [];
  for (const chart of charts) {
    const file = path.join(chartsDir, chart.file);
    writeFileSync(file, chart.svg);
    chartFiles.push(file);
  }
  // Charts of an earlier run's sections would sit beside these and be taken for this run's.
  const current = new Set(charts.map((chart) => chart.file));
  for (const name of readdirSync(chartsDir)) {
    if (CHART_FILE.test(name) && !current.has(name)) rmSync(path.join(chartsDir, name));
  }
  const links = new Map<string, { title: string; file: string }[]>();
  for (const chart of charts) {
    const list = links.get(chart.section) ?? [];
    list.push({ title: chart.title, file: `${CHARTS_DIRECTORY}/${chart.file}` });
    links.set(chart.section, list);
  }
  // The fault suite writes into faults/ beside these by default (bench/shared/paths.ts).
  const faults = (file: string): string | undefined =>
    existsSync(path.join(outDir, FAULTS_SUBDIRECTORY, file)) ? `${FAULTS_SUBDIRECTORY}/${file}` : undefined;
  const markdown = path.join(outDir, 'latest.md');
  writeFileSync(markdown, renderMarkdown(results, { charts: links, faultsReport: faults('latest.md') }));
  const html = path.join(outDir, 'latest.html');
  writeFileSync(html, renderHtml(results, charts, faults('latest.html')));
  return { markdown, html, charts: chartFiles };
}

export async function writeResults(
  results: BenchResults,
  outDir: string,
  overTimeExtra: readonly string[] = [],
): Promise<WrittenFiles> {
  mkdirSync(outDir, { recursive: true });
  const text = `${JSON.stringify(results, null, 2)}\n`;
  const json = path.join(outDir, timestampFileName(results.startedAt));
  writeFileSync(json, text);
  const latestJson = path.join(outDir, 'latest.json');
  writeFileSync(latestJson, text);
  return { json, latestJson, ...(await writeReports(results, outDir, overTimeExtra)) };
}
