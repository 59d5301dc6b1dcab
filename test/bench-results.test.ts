/**
 * The results writer and the reports, from a committed fixture (test/fixtures/bench-results-v1.json:
 * 3 architectures x {none, io} x persistent x {1, 16} connections x 3 repetitions, plus a pool
 * point that never started; the cluster/none/c16 point has a saturated load generator, the
 * async/none/c16 point a repetition whose server had to be killed).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildCharts, renderSvg } from '../bench/report/charts.js';
import { renderHtml } from '../bench/report/html.js';
import { renderMarkdown } from '../bench/report/markdown.js';
import { buildSections, SATURATED_MARK } from '../bench/report/tables.js';
import {
  FORMAT_VERSION,
  parseBenchResults,
  readBenchResults,
  ResultsFormatError,
} from '../bench/report/results-format.js';
import { timestampFileName, writeResults } from '../bench/report/write-results.js';
import { RESULTS_FIXTURE } from './helpers/results-fixture.js';

export const FIXTURE = RESULTS_FIXTURE;

const temporary = mkdtempSync(path.join(os.tmpdir(), 'zenbench-results-'));
after(() => rmSync(temporary, { recursive: true, force: true }));

describe('results format', () => {
  it('reads the fixture and checks its version', () => {
    const results = readBenchResults(FIXTURE);
    assert.equal(results.formatVersion, FORMAT_VERSION);
    assert.equal(results.points.length, 13);
    const text = readFileSync(FIXTURE, 'utf8');
    assert.throws(() => parseBenchResults(text.replace('"formatVersion":1', '"formatVersion":99')), ResultsFormatError);
    assert.throws(() => parseBenchResults('{"tool":"other"}'), ResultsFormatError);
    assert.throws(() => parseBenchResults('not json'), ResultsFormatError);
    assert.throws(() => readBenchResults(path.join(temporary, 'missing.json')), ResultsFormatError);
  });

  it('names files by UTC timestamp, sortable and without colons', () => {
    assert.equal(timestampFileName('2026-11-22T01:41:46.123Z'), '2026-11-22T01-41-46Z.json');
  });
});

describe('results writer', () => {
  it('writes the JSON, latest.json, Markdown, HTML and one SVG per chart', async () => {
    const results = readBenchResults(FIXTURE);
    const out = path.join(temporary, 'out');
    mkdirSync(path.join(out, 'charts'), { recursive: true });
    writeFileSync(path.join(out, 'charts', 'throughput-cpu-pipelined.svg'), '<svg>from an earlier run</svg>');
    writeFileSync(path.join(out, 'charts', 'notes.txt'), 'not a chart');
    const written = await writeResults(results, out);
    assert.equal(path.basename(written.json), '2026-11-22T01-00-00Z.json');
    assert.deepEqual(JSON.parse(readFileSync(written.json, 'utf8')), results);
    assert.equal(readFileSync(written.latestJson, 'utf8'), readFileSync(written.json, 'utf8'));
    assert.deepEqual(readBenchResults(written.latestJson), results);
    assert.deepEqual(readdirSync(path.join(out, 'charts')).sort(), [
      'latency-io-persistent.svg',
      'latency-none-persistent.svg',
      'notes.txt',
      'throughput-io-persistent.svg',
      'throughput-none-persistent.svg',
    ]);
    for (const chart of written.charts) assert.match(readFileSync(chart, 'utf8'), /^<svg[\s\S]*<\/svg>$/);
    assert.match(
      readFileSync(written.markdown, 'utf8'),
      /!\[Throughput: no work, persistent connections \(2 cores\)\]\(charts\/throughput-none-persistent\.svg\)/,
    );
  });
});

describe('Markdown report', () => {
  const results = readBenchResults(FIXTURE);
  const markdown = renderMarkdown(results);

  it('states machine, core count, Node, date and method first', () => {
    assert.match(markdown, /\* \*\*Machine:\*\* AMD EPYC, 2 cores/);
    assert.match(markdown, /\* \*\*Node:\*\* v20\.20\.2/);
    assert.match(markdown, /\* \*\*Date:\*\* 2026-11-22T01:00:00\.000Z/);
    assert.match(markdown, /## Method[\s\S]*CPU µs\/answer[\s\S]*not pinned/);
  });

  it('has one table per workload and pattern, one row per architecture and concurrency', () => {
    const tables = markdown.split('\n## ').filter((part) => part.includes('| Architecture |'));
    assert.equal(tables.length, 2);
    const ioTable = tables.find((table) => table.startsWith('I/O-bound')) ?? '';
    const rows = ioTable.split('\n').filter((line) => /^\| (blocking|async|cluster|pool) /.test(line));
    assert.equal(rows.length, 7);
  });

  it('shows starved connections, the saturated marker and failures instead of hiding them', () => {
    const blocking16 = markdown.split('\n').find((line) => line.startsWith('| blocking | 16 | 9,500'));
    assert.ok(blocking16, 'blocking, 16 connections row');
    assert.match(blocking16, /\| 15 \| 15 \|/); // errors, starved connections
    const cluster16 = markdown.split('\n').find((line) => line.startsWith('| cluster | 16 | 26,000'));
    assert.ok(cluster16?.includes(SATURATED_MARK));
    const pool = markdown.split('\n').find((line) => line.startsWith('| pool | 16 |'));
    assert.match(pool ?? '', /failed 3 of 3 \(start\): pool exited before listening/);
    const async16 = markdown.split('\n').find((line) => line.startsWith('| async | 16 | 21,000'));
    assert.match(async16 ?? '', /failed 1 of 3 \(stop\)/);
  });

  it('heads the report with the verdict and prints every figure with its interval', () => {
    const verdict = markdown.split('\n## ').find((part) => part.startsWith('Which architecture for which load?')) ?? '';
    const rows = verdict.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Over'));
    assert.equal(rows.length - 1, 4, 'one row per workload, pattern and concurrency (after the alignment row)');
    assert.ok(markdown.indexOf('## Which architecture') < markdown.indexOf('## Method'));
    // The fixture's 3 repetitions of async/none/persistent/c1 give its throughput a range.
    const async1 = markdown.split('\n').find((line) => line.startsWith('| async | 1 |')) ?? '';
    assert.match(async1, /^\| async \| 1 \| [\d,.]+ \([\d,.]+–[\d,.]+\) \|/);
    assert.match(markdown, /with 3 it holds the median with 75\.0% confidence/);
  });

  it('sorts each concurrency level fastest first', () => {
    const [none] = buildSections(results);
    assert.deepEqual(
      none?.rows.map((row) => `${row.architecture}/${row.connections}`),
      ['async/1', 'blocking/1', 'cluster/1', 'cluster/16', 'async/16', 'blocking/16'],
    );
  });
});

describe('charts', () => {
  const results = readBenchResults(FIXTURE);

  it('draws throughput against concurrency, one line per architecture, and latency percentiles', async () => {
    const charts = buildCharts(results);
    assert.deepEqual(
      charts.map((chart) => chart.file),
      [
        'throughput-none-persistent.svg',
        'latency-none-persistent.svg',
        'throughput-io-persistent.svg',
        'latency-io-persistent.svg',
      ],
    );
    // Each median carries its interval as an error bar from low to high.
    const layers = JSON.stringify(charts.map((chart) => chart.spec));
    assert.equal((layers.match(/"type":"errorbar"/g) ?? []).length, charts.length);
    assert.match(layers, /"y2":\{"field":"high"\}/);
    const throughput = charts[0];
    assert.ok(throughput);
    const svg = await renderSvg(throughput.spec);
    for (const label of ['blocking', 'async', 'cluster', 'answers per second', 'concurrent connections', 'saturated']) {
      assert.ok(svg.includes(label), `throughput chart mentions ${label}`);
    }
    // The failed pool point has no figures, so it has no data in the io chart.
    const ioData = JSON.stringify(charts[2]?.spec);
    assert.ok(ioData.includes('"architecture":"async"'));
    assert.ok(!ioData.includes('"architecture":"pool"'));
  });

  it('puts tables and inline SVG charts on one page that needs nothing beside it', async () => {
    const { renderCharts } = await import('../bench/report/charts.js');
    const html = renderHtml(results, await renderCharts(results));
    // The verdict, then one table per workload and pattern.
    assert.equal((html.match(/<table>/g) ?? []).length, 3);
    assert.equal((html.match(/<svg /g) ?? []).length, 4);
    assert.ok(html.includes('class="saturated"'));
    assert.ok(html.includes('class="failed"'));
    assert.doesNotMatch(html, /<(script|link|img)\b/);
    assert.match(html, /<h2>Which architecture for which load\?<\/h2>/);
  });
});
