/**
 * Counts the outcome of the proof runs (bench/check/prove.sh): reads the JSON reports of a
 * quiet series and an injected series and prints false alarms, detections, and per point how
 * often it was called regressed and the changes seen.
 * Usage: node dist/bench/check/prove-summary.js DIR [BASELINE]  (files quiet-*.json, inject-*.json)
 * With BASELINE, it also replays the runs under other threshold policies (replay.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import { readBaseline } from './baseline.js';
import type { CheckReport } from './check.js';
import { replayReports } from './replay.js';
import { median } from '../../lib/stats.js';

function readSeries(directory: string, prefix: string): CheckReport[] {
  return readdirSync(directory)
    .filter((name) => name.startsWith(`${prefix}-`) && name.endsWith('.json'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .flatMap((name) => {
      try {
        return [JSON.parse(readFileSync(path.join(directory, name), 'utf8')) as CheckReport];
      } catch {
        process.stderr.write(`skipping ${name}: not a report\n`);
        return [];
      }
    });
}

function percent(value: number): string {
  return `${value > 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
}

function describeSeries(name: string, reports: readonly CheckReport[]): string {
  const count = (code: number): number => reports.filter((report) => report.exitCode === code).length;
  const durations = reports.map((report) => report.durationS);
  const ids = [...new Set(reports.flatMap((report) => report.points.map((point) => point.id)))];
  const table = new Table({
    head: ['point', 'injected', 'first look above', 'regression', 'change: min / median / max', 'threshold: median'],
    style: { head: [], border: [] },
  });
  for (const id of ids) {
    const points = reports.flatMap((report) => report.points.filter((point) => point.id === id));
    const changes = points.flatMap((point) => (point.first === null ? [] : [point.first.change]));
    const thresholds = points.flatMap((point) => (point.first === null ? [] : [point.first.threshold]));
    const injected = points.flatMap((point) =>
      point.injectedFraction === null || point.extraCpuUs === 0 ? [] : [point.injectedFraction],
    );
    table.push([
      id,
      injected.length === 0 ? '-' : `${percent(median(injected))} (${points[0]?.extraCpuUs ?? 0} cpu-us)`,
      `${points.filter((point) => point.first?.direction === 'higher').length}/${points.length}`,
      `${points.filter((point) => point.verdict === 'regression').length}/${points.length}`,
      changes.length === 0
        ? '-'
        : `${percent(Math.min(...changes))} / ${percent(median(changes))} / ${percent(Math.max(...changes))}`,
      thresholds.length === 0 ? '-' : `±${(median(thresholds) * 100).toFixed(1)}%`,
    ]);
  }
  const duration =
    durations.length === 0
      ? '-'
      : `${Math.min(...durations).toFixed(0)}-${Math.max(...durations).toFixed(0)} s (median ${median(durations).toFixed(0)} s)`;
  return [
    `${name}: ${reports.length} runs; exit 0: ${count(0)}, exit 1 (regression): ${count(1)}, exit 2 (could not run): ${count(2)}; each run ${duration}`,
    table.toString(),
  ].join('\n');
}

function main(): void {
  const directory = process.argv[2];
  if (directory === undefined) {
    process.stderr.write('usage: node dist/bench/check/prove-summary.js DIR\n');
    process.exit(2);
  }
  const quiet = readSeries(directory, 'quiet');
  const injected = readSeries(directory, 'inject');
  process.stdout.write(
    `${describeSeries('unchanged tree', quiet)}\n\n${describeSeries('injected cost', injected)}\n\n`,
  );
  const falseAlarms = quiet.filter((report) => report.exitCode === 1).length;
  const detections = injected.filter((report) => report.exitCode === 1).length;
  process.stdout.write(`false alarms: ${falseAlarms}/${quiet.length}   detections: ${detections}/${injected.length}\n`);
  const baselinePath = process.argv[3];
  if (baselinePath !== undefined) process.stdout.write(`\n${describeReplays(baselinePath, quiet, injected)}\n`);
}

/** Floors and multiples around the check's own, each replayed on both series. */
function describeReplays(
  baselinePath: string,
  quiet: readonly CheckReport[],
  injected: readonly CheckReport[],
): string {
  const metric = quiet[0]?.metric ?? injected[0]?.metric ?? 'normalised-cpu';
  const baseline = readBaseline(baselinePath);
  const values = new Map(
    baseline.points.flatMap((point) => {
      const samples = point.metrics[metric];
      return samples === undefined ? [] : [[point.id, samples.values] as const];
    }),
  );
  const table = new Table({
    head: ['floor', 'multiple', 'false alarms', 'detections', 'unknown (not re-measured)'],
    style: { head: [], border: [] },
  });
  for (const floor of [0.04, 0.05, 0.06, 0.08, 0.1]) {
    for (const multiple of [3, 4, 5, 6]) {
      const policy = { floor, multiple };
      const q = replayReports(quiet, values, policy);
      const i = replayReports(injected, values, policy);
      table.push([
        `${(floor * 100).toFixed(0)}%`,
        String(multiple),
        `${q.failedRuns}/${q.runs}`,
        `${i.failedRuns}/${i.runs}`,
        `${q.unknownRuns} quiet, ${i.unknownRuns} injected`,
      ]);
    }
  }
  return `replayed under other policies (${metric}; calibration on these runs, not a proof):\n${table.toString()}`;
}

main();
