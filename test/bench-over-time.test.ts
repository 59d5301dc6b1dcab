/**
 * Latency over time in the bench's reports: which points get a chart, and the chart drawn from
 * an interval log (test/fixtures/interval-log.hlog: 100 µs answers, a 100 ms interval without
 * any, the backlog answered at 250 ms, then recovery; the last interval 50 ms long).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readIntervalLog } from '../loadgen/interval-log.js';
import { renderSvg } from '../bench/report/charts.js';
import { INTERVALS_DIRECTORY, intervalLogName, type IntervalLogSource } from '../bench/report/interval-files.js';
import { buildOverTimeCharts, OVER_TIME_SECTION, pointsForOverTimeCharts } from '../bench/report/over-time-chart.js';
import { readBenchResults, type BenchResults } from '../bench/report/results-format.js';
import { writeReports } from '../bench/report/write-results.js';
import { RESULTS_FIXTURE } from './helpers/results-fixture.js';

/** The results fixture bench-results.test.ts describes. */
const FIXTURE = RESULTS_FIXTURE;
const LOG_FIXTURE = fileURLToPath(new URL('../../test/fixtures/interval-log.hlog', import.meta.url));
const LOG = readIntervalLog(readFileSync(LOG_FIXTURE, 'utf8'), LOG_FIXTURE);
/** The fixture's points with errors (blocking's starved connections at 16). */
const WITH_ERRORS = ['blocking/none/persistent/c16', 'blocking/io/persistent/c16'];

const temporary = mkdtempSync(path.join(os.tmpdir(), 'zenbench-over-time-'));
after(() => rmSync(temporary, { recursive: true, force: true }));

/** A log source that has the fixture log for the given point and rounds, and remembers what was asked. */
function logsFor(pointId: string, rounds: readonly number[], asked: string[] = []): IntervalLogSource {
  return (id, repetition) => {
    asked.push(`${id}#${repetition}`);
    return id === pointId && rounds.includes(repetition) ? LOG : null;
  };
}

interface Row {
  seconds: number;
  answers: number;
  errors: number;
  p50?: number;
  p99?: number;
  max?: number;
}

function rowsOf(spec: object): Row[] {
  return (spec as { data: { values: Row[] } }).data.values;
}

function panelsOf(spec: object): { encoding: { y: { title: string } } }[] {
  return (spec as { vconcat: { encoding: { y: { title: string } } }[] }).vconcat;
}

describe('which points are charted over time', () => {
  const results = readBenchResults(FIXTURE);

  it('every point with errors, in the results’ order', () => {
    assert.deepEqual(
      pointsForOverTimeCharts(results.points, []).map((point) => point.id),
      WITH_ERRORS,
    );
  });

  it('and the ids passed besides, once each; unknown ids are no points', () => {
    const extra = ['async/io/persistent/c1', 'blocking/none/persistent/c16', 'no/such/point/c1'];
    assert.deepEqual(
      pointsForOverTimeCharts(results.points, extra).map((point) => point.id),
      ['blocking/none/persistent/c16', 'async/io/persistent/c1', 'blocking/io/persistent/c16'],
    );
  });
});

describe('the over-time chart', () => {
  const results = readBenchResults(FIXTURE);

  it('draws p50, p99 and max per interval, and answers per interval, from the log', async () => {
    const charts = buildOverTimeCharts(results, logsFor('async/io/persistent/c1', [1, 2, 3]), [
      'async/io/persistent/c1',
    ]);
    assert.equal(charts.length, 1);
    const chart = charts[0]!;
    assert.equal(chart.section, OVER_TIME_SECTION);
    assert.equal(chart.file, 'over-time-async-io-persistent-c1.svg');
    const rows = rowsOf(chart.spec);
    assert.deepEqual(
      rows.map((row) => [row.seconds, row.answers]),
      [
        [0, 1000],
        [0.1, 1000],
        [0.2, 0],
        [0.3, 1000],
        [0.4, 500],
      ],
    );
    // The stall: an interval without answers has no latency to draw.
    assert.equal(rows[2]!.p50, undefined);
    // The backlog: half the interval's answers at 250 ms, the rest at 100 µs (3 significant digits).
    assert.ok(Math.abs(rows[3]!.p99! - 250) < 0.5, `p99 ${rows[3]!.p99}`);
    assert.ok(Math.abs(rows[3]!.p50! - 0.1) < 0.001, `p50 ${rows[3]!.p50}`);
    assert.ok(Math.abs(rows[1]!.max! - 2) < 0.01, `max ${rows[1]!.max}`);
    assert.deepEqual(
      panelsOf(chart.spec).map((panel) => panel.encoding.y.title),
      ['latency (ms, log scale)', 'answers per interval'],
    );
    assert.match(await renderSvg(chart.spec), /^<svg/);
  });

  it('adds an errors panel when the round had errors, and picks the round with the most', () => {
    const withTimeline = structuredClone<BenchResults>(results);
    const point = withTimeline.points.find((candidate) => candidate.id === 'blocking/none/persistent/c16')!;
    const round2 = point.repetitions.find((repetition) => repetition.repetition === 2)!;
    round2.load!.errorTotal = 40;
    round2.load!.timeline = { bucketMs: 100, answers: [], errors: [0, 0, 25, 0, 15], maxLatencyUs: [] };
    const asked: string[] = [];
    const charts = buildOverTimeCharts(withTimeline, logsFor(point.id, [1, 2, 3], asked), []);
    const chart = charts.find((candidate) => candidate.file === 'over-time-blocking-none-persistent-c16.svg')!;
    assert.match(chart.title, /round 2$/);
    assert.deepEqual(
      rowsOf(chart.spec).map((row) => row.errors),
      [0, 0, 25, 0, 15],
    );
    assert.equal(panelsOf(chart.spec).at(-1)!.encoding.y.title, 'errors per interval');
  });

  it('draws nothing for a point whose rounds left no log', () => {
    assert.deepEqual(
      buildOverTimeCharts(results, () => null, ['async/io/persistent/c1']),
      [],
    );
  });
});

describe('the reports', () => {
  it('write the over-time charts from <out>/intervals/ and link them from latest.md', async () => {
    const results = readBenchResults(FIXTURE);
    const out = path.join(temporary, 'out');
    mkdirSync(path.join(out, INTERVALS_DIRECTORY), { recursive: true });
    copyFileSync(LOG_FIXTURE, path.join(out, INTERVALS_DIRECTORY, intervalLogName('async/io/persistent/c1', 2)));
    const written = await writeReports(results, out, ['async/io/persistent/c1']);
    assert.ok(readdirSync(path.join(out, 'charts')).includes('over-time-async-io-persistent-c1.svg'));
    const markdown = readFileSync(written.markdown, 'utf8');
    assert.match(markdown, /## Latency over time/);
    assert.match(
      markdown,
      /\* \[Latency over time: async\/io\/persistent\/c1, round 2\]\(charts\/over-time-async-io-persistent-c1\.svg\)/,
    );
    assert.match(readFileSync(written.html, 'utf8'), /<h2>Latency over time<\/h2>/);
  });

  it('name a point’s log after its id, without / and @', () => {
    assert.equal(
      intervalLogName('async/none/persistent/c16/http@autocannon', 3),
      'async_none_persistent_c16_http_autocannon.r3.hlog',
    );
  });
});
