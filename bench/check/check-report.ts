/** The check's report for people: a table per point and one line of outcome. */
import Table from 'cli-table3';
import type { CheckReport, PointReport } from './check.js';
import { EXIT_PASS, EXIT_REGRESSION } from './decide.js';
import { METRICS } from './metrics.js';

function percent(fraction: number): string {
  const value = (fraction * 100).toFixed(1);
  return fraction > 0 ? `+${value}%` : `${value}%`;
}

function figure(value: number | null): string {
  if (value === null) return '-';
  return value >= 1000 ? value.toFixed(0) : value.toPrecision(4);
}

function pair(baseline: number | null, now: number | null): string {
  return `${figure(baseline)} → ${figure(now)}`;
}

const VERDICT_TEXT: Record<PointReport['verdict'], string> = {
  ok: 'ok',
  improved: 'improved',
  regression: 'REGRESSION',
  'not-confirmed': 'ok (not confirmed)',
  unmeasured: 'NOT MEASURED',
  'not-in-baseline': 'NOT IN BASELINE',
};

function pointLabel(point: PointReport): string {
  if (point.extraCpuUs === 0) return point.id;
  const share = point.injectedFraction === null ? '' : ` ≈ ${percent(point.injectedFraction)}`;
  return `${point.id} (+${point.extraCpuUs} cpu-us${share})`;
}

function pointRow(point: PointReport): string[] {
  const { first, confirmation, info } = point;
  /** The first look's value, and the confirmation's beside it when there was one. */
  const looks = (show: (look: NonNullable<typeof first>) => string): string =>
    first === null ? '-' : confirmation === null ? show(first) : `${show(first)}, again ${show(confirmation)}`;
  const now = looks((look) => figure(look.now));
  const change = looks((look) => percent(look.change));
  const threshold =
    first === null ? '-' : `±${(Math.max(first.threshold, confirmation?.threshold ?? 0) * 100).toFixed(1)}%`;
  const verdict =
    point.reason === null ? VERDICT_TEXT[point.verdict] : `${VERDICT_TEXT[point.verdict]}: ${point.reason}`;
  return [
    pointLabel(point),
    first === null ? '-' : figure(first.baseline),
    now,
    change,
    threshold,
    verdict,
    info === null ? '-' : pair(info.throughputBaseline, info.throughputNow),
    info === null ? '-' : pair(info.latencyP99BaselineUs, info.latencyP99NowUs),
  ];
}

export function renderReport(report: CheckReport): string {
  const lines: string[] = [];
  if (report.metric !== null) {
    const metric = METRICS[report.metric];
    lines.push(`metric: ${metric.label} (${metric.unit}): ${metric.explanation}`);
    if (report.policy !== null) {
      lines.push(
        `threshold per point: the larger of ${(report.policy.floor * 100).toFixed(0)}% and ${report.policy.multiple} standard deviations of the difference of the figures (lower quartiles of the repetitions; from the robust spread of all of them)`,
      );
    }
  }
  for (const note of report.metricNotes) lines.push(`note: ${note}`);
  const { baseline, now } = report.referenceUsPerUnit;
  if (baseline !== null && now !== null) {
    lines.push(
      `reference: one cpu-us of burnCpu took ${now.toFixed(3)} CPU µs here, ${baseline.toFixed(3)} when the baseline was recorded`,
    );
  }
  if (report.machineChanges.length > 0) {
    lines.push(
      `machine: the baseline was recorded on another (${report.machineChanges.join(', ')}); if every point moved together, that is the likely cause: re-record the baseline on this machine (docs/check.md)`,
    );
  }
  if (report.points.length > 0) {
    const table = new Table({
      head: ['point', 'baseline', 'now', 'change', 'threshold', 'verdict', 'answers/s', 'p99 µs'],
      style: { head: [], border: [] },
    });
    for (const point of report.points) table.push(pointRow(point));
    lines.push(table.toString());
  }
  const status = report.exitCode === EXIT_PASS ? 'PASS' : report.exitCode === EXIT_REGRESSION ? 'FAIL' : 'CANNOT RUN';
  lines.push(`${status}: ${report.summary} (${report.durationS.toFixed(0)} s; exit ${report.exitCode})`);
  return `${lines.join('\n')}\n`;
}
