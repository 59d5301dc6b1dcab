/**
 * Writes a fault suite run: the JSON record under its UTC timestamp and as latest.json, and
 * its readable views (latest.md, latest.html, charts/fault-*.svg).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CHARTS_DIRECTORY, timestampFileName } from '../report/write-results.js';
import { renderFaultCharts } from './fault-charts.js';
import { renderFaultsHtml } from './fault-html.js';
import { renderFaultsMarkdown } from './fault-markdown.js';
import type { FaultSuiteResults } from './fault-record.js';

export interface WrittenFaultFiles {
  json: string;
  latestJson: string;
  markdown: string;
  html: string;
  charts: string[];
}

const CHART_FILE = /^fault-[a-z0-9-]+\.svg$/;

export async function writeFaultResults(results: FaultSuiteResults, outDir: string): Promise<WrittenFaultFiles> {
  const chartsDir = path.join(outDir, CHARTS_DIRECTORY);
  mkdirSync(chartsDir, { recursive: true });
  const text = `${JSON.stringify(results, null, 2)}\n`;
  const json = path.join(outDir, timestampFileName(results.startedAt));
  writeFileSync(json, text);
  const latestJson = path.join(outDir, 'latest.json');
  writeFileSync(latestJson, text);
  const charts = await renderFaultCharts(results);
  const chartFiles = charts.map((chart) => {
    const file = path.join(chartsDir, chart.file);
    writeFileSync(file, chart.svg);
    return file;
  });
  // A chart of a fault this run left out would be taken for this run's.
  const current = new Set(charts.map((chart) => chart.file));
  for (const name of readdirSync(chartsDir)) {
    if (CHART_FILE.test(name) && !current.has(name)) rmSync(path.join(chartsDir, name));
  }
  // Under the bench's results by default (bench/shared/paths.ts): its page is one level up.
  const benchPage = (file: string): string | undefined =>
    existsSync(path.join(outDir, '..', file)) ? `../${file}` : undefined;
  const markdown = path.join(outDir, 'latest.md');
  writeFileSync(markdown, renderFaultsMarkdown(results, charts, CHARTS_DIRECTORY, benchPage('latest.md')));
  const html = path.join(outDir, 'latest.html');
  writeFileSync(html, renderFaultsHtml(results, charts, benchPage('latest.html')));
  return { json, latestJson, markdown, html, charts: chartFiles };
}
