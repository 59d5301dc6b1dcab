/**
 * `npm run bench:compare -- A.json B.json [--json]`: run B against run A, point by point.
 * Exit codes: 0 compared (whatever the verdicts); 2 bad usage or unreadable files.
 */
import Table from 'cli-table3';
import { fail, parseOrExit } from '../../lib/cli.js';
import { parseOptions } from '../../lib/option-table.js';
import { COMPARE_OPTIONS, COMPARE_USAGE } from './compare-options.js';
import { compareResults, SIGNIFICANCE_LEVEL, type ComparisonReport, type MetricComparison } from './compare-results.js';
import { formatMs, formatThroughput } from '../report/tables.js';
import { readBenchResults, ResultsFormatError } from '../report/results-format.js';

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

function main(): void {
  const { values, help, positionals } = parseOrExit(PROG, () =>
    parseOptions(COMPARE_OPTIONS, process.argv.slice(2), true),
  );
  if (help) {
    process.stdout.write(`${COMPARE_USAGE}\n`);
    return;
  }
  const [pathA, pathB, ...extra] = positionals;
  if (pathA === undefined || pathB === undefined || extra.length > 0) {
    fail(PROG, 'give exactly two results files: A.json B.json (see --help)');
  }
  try {
    const report = compareResults(readBenchResults(pathA), readBenchResults(pathB));
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${renderReport(report, pathA, pathB)}\n`);
  } catch (error) {
    if (error instanceof ResultsFormatError) fail(PROG, error.message);
    throw error;
  }
}

main();
