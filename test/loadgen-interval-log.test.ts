/**
 * Interval histograms and their HdrHistogram log: what the generator recorded per interval
 * comes back from a log written with HistogramLogWriter and read with HistogramLogReader;
 * `npm run load -- --interval-log FILE` writes one, and refuses a bad path and autocannon.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { DEFAULT_LOAD_OPTIONS, runLoad, type LoadResult } from '../loadgen/index.js';
import { formatIntervalLog, readIntervalLog } from '../loadgen/interval-log.js';
import { runLoadCli } from './helpers/load-cli.js';
import { launchServer, type LaunchedServer } from '../servers/launch.js';

describe('interval histograms', () => {
  let server: LaunchedServer;
  let result: LoadResult;
  const dir = mkdtempSync(path.join(tmpdir(), 'zenbench-interval-log-'));
  before(async () => {
    server = await launchServer({ architecture: 'async' });
    // Two threads, so that the log holds every thread's intervals merged.
    result = await runLoad({
      ...DEFAULT_LOAD_OPTIONS,
      port: server.port,
      connections: 4,
      threads: 2,
      warmupS: 0.2,
      durationS: 0.55,
      keepIntervals: true,
    });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('one histogram per timeline bucket, holding exactly that bucket’s answers', () => {
    const intervals = result.intervals;
    const timeline = result.timeline;
    assert.ok(intervals !== undefined && timeline !== undefined);
    assert.equal(result.errorTotal, 0);
    assert.equal(intervals.bucketMs, timeline.bucketMs);
    assert.equal(intervals.histograms.length, timeline.answers.length);
    assert.equal(intervals.histograms.length, 6, 'a 0.55 s window in 100 ms intervals');
    intervals.histograms.forEach((encoded, index) => {
      const histogram = decodeFromCompressedBase64(encoded);
      assert.equal(histogram.totalCount, timeline.answers[index], `interval ${index}`);
      const slowest = timeline.maxLatencyUs[index]!;
      // Three significant digits: the histogram's max is the slowest answer to within 0.1%.
      assert.ok(Math.abs(histogram.maxValue - slowest) <= slowest / 1000 + 1, `interval ${index}: max`);
    });
    const total = intervals.histograms.reduce(
      (sum, encoded) => sum + decodeFromCompressedBase64(encoded).totalCount,
      0,
    );
    assert.equal(total, result.requests);
  });

  test('a log written with HistogramLogWriter reads back interval for interval', () => {
    const intervals = result.intervals!;
    const log = readIntervalLog(formatIntervalLog(intervals, ['a test']));
    assert.equal(log.startEpochMs, Math.round(intervals.windowStartEpochMs));
    assert.equal(log.intervals.length, intervals.histograms.length);
    log.intervals.forEach((interval, index) => {
      const recorded = decodeFromCompressedBase64(intervals.histograms[index]!);
      assert.equal(interval.startMs, index * intervals.bucketMs);
      assert.ok(interval.endMs > interval.startMs && interval.endMs <= (index + 1) * intervals.bucketMs);
      assert.equal(interval.histogram.totalCount, recorded.totalCount);
      for (const percentile of [50, 99, 100]) {
        assert.equal(
          interval.histogram.getValueAtPercentile(percentile),
          recorded.getValueAtPercentile(percentile),
          `interval ${index}, p${percentile}`,
        );
      }
    });
    // The last interval ends with the window.
    assert.equal(log.intervals.at(-1)!.endMs, Math.round(result.durationS * 1000));
  });

  test('npm run load -- --interval-log FILE writes a log of the run it prints', async () => {
    const file = path.join(dir, 'run.hlog');
    const outcome = await runLoadCli([
      '--port',
      String(server.port),
      '--warmup',
      '0.1',
      '--duration',
      '0.3',
      '--connections',
      '2',
      '--json',
      '--interval-log',
      file,
    ]);
    assert.equal(outcome.code, 0, outcome.stderr);
    const printed = JSON.parse(outcome.stdout) as LoadResult;
    assert.equal(printed.intervals, undefined, 'the intervals go to the log, not into the JSON');
    const log = readIntervalLog(readFileSync(file, 'utf8'), file);
    assert.equal(log.intervals.length, 3);
    assert.equal(
      log.intervals.reduce((sum, interval) => sum + interval.histogram.totalCount, 0),
      printed.requests,
    );
  });
});

describe('--interval-log refusals', () => {
  test('a path that cannot be written: one line, exit 2, no run', async () => {
    const outcome = await runLoadCli(['--port', '1', '--interval-log', '/nonexistent-dir/run.hlog']);
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /^zenbench load: cannot write the interval log \/nonexistent-dir\/run\.hlog: .*\n$/);
  });

  test('autocannon, which has no per-interval histograms: one line, exit 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zenbench-interval-log-'));
    try {
      const file = path.join(dir, 'x.hlog');
      const outcome = await runLoadCli(['--instrument', 'autocannon', '--protocol', 'http', '--interval-log', file]);
      assert.equal(outcome.code, 2);
      assert.match(outcome.stderr, /^zenbench load: autocannon keeps no latency histogram per interval; .*\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a log with no intervals is refused in one sentence', () => {
    assert.throws(() => readIntervalLog('#[Histogram log format version 1.3]\n', 'empty.hlog'), /empty\.hlog holds no/);
  });
});
