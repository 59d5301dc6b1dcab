/**
 * `npm run bench:compare -- A.json B.json [--json]`: run B against run A, point by point; with
 * more files, their reproducibility; with --learn, the spread between them for bench.
 * Exit codes: 0 compared (whatever the verdicts); 2 bad usage or unreadable files.
 */
import { writeFileSync } from 'node:fs';
import Table from 'cli-table3';
import { fail, parseOrExit } from '../../lib/cli.js';
import { parseOptions } from '../../lib/option-table.js';
import { COMPARE_OPTIONS, COMPARE_USAGE } from './compare-options.js';
import { compareResults, SIGNIFICANCE_LEVEL, type ComparisonReport, type MetricComparison } from './compare-results.js';
import { formatMs, formatThroughput } from '../report/tables.js';
import { readBenchResults, ResultsFormatError, type BenchResults } from '../report/results-format.js';
import { INTERVAL_LEVEL } from '../report/point-summary.js';
import {
  learnRunToRun,
  NO_RUN_TO_RUN,
  readRunToRunOption,
  RunToRunFileError,
  unlearnableBecause,
  withRunToRun,
  type RunToRunSpread,
} from '../report/run-to-run.js';
import { reproducibilityOf, type Reproducibility } from './reproducibility.js';

const PROG = 'bench:compare';

function describeChange(metric: MetricComparison): string {
  // A percentage the repetitions do not support would be read as a finding.
  if (metric.changePercent === null || metric.verdict === 'no difference shown') return metric.verdict;
  const sign = metric.changePercent > 0 ? '+' : '';
  const change = `${sign}${metric.changePercent.toFixed(1)}%`;
  const noise = metric.noisePercent === null ? '' : `, noise ±${(metric.noisePercent / 2).toFixed(1)}%`;
  if (metric.verdict === 'beyond noise') {
    return `${change} ${metric.better === true ? 'better' : 'WORSE'} (p=${(metric.pValue ?? 1).toFixed(3)})`;
  }
  return `${change} (${metric.verdict}${noise})`;
}

function pair(metric: MetricComparison, format: (value: number) => string): string {
  const show = (value: number | null): string => (value === null ? '–' : format(value));
  return `${show(metric.a)} → ${show(metric.b)}`;
}

function renderReport(report: ComparisonReport, pathA: string, pathB: string): string {
  const lines = [`A: ${pathA}`, `B: ${pathB}`];
  if (report.environmentDifferences.length > 0) {
    lines.push(`Warning: the runs were made on different setups (${report.environmentDifferences.join('; ')})`);
  }
  const table = new Table({
    head: ['Point', 'Throughput/s', 'Change', 'p99 ms', 'Change', 'CPU µs/answer', 'Change'],
    style: { head: [], border: [] },
  });
  for (const point of report.points) {
    table.push([
      point.id,
      pair(point.throughput, formatThroughput),
      describeChange(point.throughput),
      pair(point.latencyP99Us, formatMs),
      describeChange(point.latencyP99Us),
      pair(point.cpuUsPerAnswer, (value) => value.toFixed(1)),
      describeChange(point.cpuUsPerAnswer),
    ]);
  }
  lines.push(table.toString());
  if (report.onlyInA.length > 0) lines.push(`Only in A: ${report.onlyInA.join(', ')}`);
  if (report.onlyInB.length > 0) lines.push(`Only in B: ${report.onlyInB.join(', ')}`);
  const beyond = report.points.filter((point) => point.throughput.verdict === 'beyond noise').length;
  lines.push(
    `${report.points.length} points compared; throughput changed beyond noise at ${beyond}. ` +
      `Noise test: complete separation of the repetitions, exact p <= ${SIGNIFICANCE_LEVEL}.`,
  );
  const { agreement, machineSpeed } = report;
  if (machineSpeed.changePercent !== null) {
    const change = machineSpeed.changePercent;
    lines.push(
      `Machine: B did the reference CPU work in ${change >= 0 ? '+' : ''}${change.toFixed(1)}% ${change >= 0 ? 'more' : 'less'} CPU time than A (median over rounds)${Math.abs(change) >= 2 ? ': the runs were on a different footing, and every figure moves with it' : ''}.`,
    );
  }
  if (agreement.mediansCompared > 0) {
    const share = ((agreement.mediansInside / agreement.mediansCompared) * 100).toFixed(0);
    const conflicts = agreement.conflictingWinners.map(
      (conflict) => `${conflict.group}: ${conflict.a} vs ${conflict.b}`,
    );
    lines.push(
      `Agreement: ${agreement.mediansInside} of ${agreement.mediansCompared} throughput medians (${share}%) lie inside the other run's interval; ` +
        `${conflicts.length === 0 ? 'no group names different clear winners' : `different clear winners in ${conflicts.join('; ')}`}.`,
    );
  }
  if (report.wholeRunShifted) {
    lines.push(
      `Warning: most points moved the same way (median throughput change ${(report.medianThroughputChangePercent ?? 0).toFixed(1)}%). ` +
        'That is more often the machine than the code: repetitions only measure noise within a run. ' +
        'Compare CPU µs/answer, and runs made under the same conditions (a quiet machine, --pin).',
    );
  }
  return lines.join('\n');
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function renderReproducibility(
  report: Reproducibility,
  paths: readonly string[],
  runs: readonly BenchResults[],
): string {
  const lines = paths.map((file, index) => `${index + 1}: ${file} (${runs[index]?.startedAt ?? ''})`);
  const table = new Table({
    head: ['Runs', "Throughput medians inside the other's interval", 'Different clear winners'],
    style: { head: [], border: [] },
  });
  for (const pair of report.pairs) {
    const share = pair.mediansCompared === 0 ? '–' : ((pair.mediansInside / pair.mediansCompared) * 100).toFixed(0);
    const conflicts = pair.conflictingWinners.map((conflict) => `${conflict.group}: ${conflict.a} vs ${conflict.b}`);
    table.push([
      `${pair.a + 1}-${pair.b + 1}`,
      `${pair.mediansInside} of ${pair.mediansCompared} (${share}%)`,
      conflicts.length === 0 ? 'none' : conflicts.join('; '),
    ]);
  }
  lines.push(table.toString());
  if (report.medianSpread !== null) {
    const worst = report.worst.map(
      (point) => `${point.id} (${point.medians.map(formatThroughput).join(', ')}: +${percent(point.spread)})`,
    );
    lines.push(
      `A point's medians over the runs spread (highest over lowest) by ${percent(report.medianSpread)} at the median; most: ${worst.join('; ')}.`,
    );
  }
  return lines.join('\n');
}

function describeSpread(spread: RunToRunSpread, file: string): string {
  const classes = Object.entries(spread.classes).map(([name, entry]) => {
    const sigma = entry.sigma.throughput;
    return `${name} ${sigma === null ? '–' : `±${percent(sigma)}`} (${entry.points} points)`;
  });
  return `Wrote ${file}: the spread between ${spread.runs.length} runs, throughput σ of ln(median) by class: ${classes.join(', ')}.`;
}

function main(): void {
  const { values, help, positionals } = parseOrExit(PROG, () =>
    parseOptions(COMPARE_OPTIONS, process.argv.slice(2), true),
  );
  if (help) {
    process.stdout.write(`${COMPARE_USAGE}\n`);
    return;
  }
  if (positionals.length < 2) fail(PROG, 'give two results files, A.json B.json, or more (see --help)');
  let runs: BenchResults[];
  try {
    runs = positionals.map((file) => readBenchResults(file));
  } catch (error) {
    if (error instanceof ResultsFormatError) fail(PROG, error.message);
    throw error;
  }
  const rederive = values.runToRun;
  if (rederive !== undefined) {
    let spread: RunToRunSpread | null;
    try {
      spread = readRunToRunOption(rederive);
    } catch (error) {
      if (error instanceof RunToRunFileError) fail(PROG, error.message);
      throw error;
    }
    runs = runs.map((run) => withRunToRun(run, spread, rederive, INTERVAL_LEVEL));
  }
  const [runA, runB] = runs;
  const [pathA, pathB] = positionals;
  const output: string[] = [];
  if (rederive !== undefined) {
    output.push(
      rederive === NO_RUN_TO_RUN
        ? "Intervals: each run's own repetitions alone."
        : `Intervals: derived again from each run's own repetitions and the spread in ${rederive}.`,
    );
  }
  if (runs.length === 2 && runA !== undefined && runB !== undefined) {
    const report = compareResults(runA, runB);
    output.push(values.json ? JSON.stringify(report, null, 2) : renderReport(report, pathA ?? '', pathB ?? ''));
  } else {
    const report = reproducibilityOf(runs);
    output.push(values.json ? JSON.stringify(report, null, 2) : renderReproducibility(report, positionals, runs));
  }
  if (values.learn !== undefined) {
    const why = unlearnableBecause(runs);
    if (why !== null) fail(PROG, `cannot --learn: ${why}; learn from runs of one machine`);
    const spread = learnRunToRun(runs);
    writeFileSync(values.learn, `${JSON.stringify(spread, null, 2)}\n`);
    // With --json, stdout is the comparison alone.
    if (values.json) process.stderr.write(`${describeSpread(spread, values.learn)}\n`);
    else output.push(describeSpread(spread, values.learn));
  }
  process.stdout.write(`${output.join('\n')}\n`);
}

main();
