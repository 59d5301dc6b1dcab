/**
 * The open-loop sweeps' charts, in vega-lite like charts.ts: p50 and p99 against the offered
 * rate (log scales, the objective drawn as a rule), and the achieved rate against the offered
 * one (the diagonal is keeping up), one line per architecture.
 */
import type { TopLevelSpec } from 'vega-lite';
import { medianOrNull } from '../../lib/stats.js';
import { sectionKeyOf, variantLabel } from '../shared/plan.js';
import { chartHead, type Chart } from './charts.js';
import { sweepsOf } from './open-capacity.js';
import { objectiveLabel } from './open-tables.js';
import type { BenchResults, PointResult } from './results-format.js';

function fileStem(section: string): string {
  return section.replace(/[/@]/g, '-');
}

function latencyValues(steps: readonly PointResult[]): object[] {
  // Floor at 1 µs so that a log scale can draw it.
  const ms = (us: number): number => Math.max(us, 1) / 1000;
  return steps.flatMap((step) => {
    const summary = step.summary;
    if (summary === null) return [];
    const rate = step.open?.rate ?? 0;
    return [
      {
        architecture: step.architecture,
        percentile: 'p50',
        offered: rate,
        latencyMs: ms(summary.latencyP50Us),
        low: ms(summary.intervals.latencyP50Us.low),
        high: ms(summary.intervals.latencyP50Us.high),
      },
      {
        architecture: step.architecture,
        percentile: 'p99',
        offered: rate,
        latencyMs: ms(summary.latencyP99Us),
        low: ms(summary.intervals.latencyP99Us.low),
        high: ms(summary.intervals.latencyP99Us.high),
      },
    ];
  });
}

function latencyChart(section: string, steps: readonly PointResult[], architectures: readonly string[]): Chart | null {
  const first = steps[0];
  const objectiveP99Ms = first?.open?.objectiveP99Ms;
  const values = latencyValues(steps);
  if (first === undefined || objectiveP99Ms === undefined || values.length === 0) return null;
  const over = variantLabel(first.protocol, first.instrument);
  const title = `Latency vs offered rate: ${first.workload.label}${over === '' ? '' : `, ${over}`} (${objectiveLabel(objectiveP99Ms)})`;
  const x = {
    field: 'offered',
    type: 'quantitative' as const,
    title: 'offered rate (questions/s, log scale)',
    scale: { type: 'log' as const },
  };
  const spec: TopLevelSpec = {
    ...chartHead(title),
    layer: [
      {
        data: { values },
        encoding: {
          x,
          color: {
            field: 'architecture',
            type: 'nominal',
            title: 'architecture',
            scale: { domain: [...architectures] },
          },
          strokeDash: { field: 'percentile', type: 'nominal', title: 'percentile' },
        },
        layer: [
          {
            mark: { type: 'line', point: { size: 50, filled: true } },
            encoding: {
              y: { field: 'latencyMs', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
            },
          },
          {
            mark: { type: 'errorbar', ticks: true },
            encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
          },
        ],
      },
      {
        data: { values: [{ objective: objectiveP99Ms }] },
        mark: { type: 'rule', color: 'firebrick', strokeDash: [6, 3] },
        encoding: { y: { field: 'objective', type: 'quantitative' } },
      },
    ],
  };
  return { file: `open-latency-${fileStem(section)}.svg`, title, section, spec };
}

function achievedChart(section: string, steps: readonly PointResult[], architectures: readonly string[]): Chart | null {
  const first = steps[0];
  const values = steps.flatMap((step) => {
    const achieved = medianOrNull(
      step.repetitions.flatMap((repetition) =>
        repetition.load?.achievedRate === undefined ? [] : [repetition.load.achievedRate],
      ),
    );
    return achieved === null ? [] : [{ architecture: step.architecture, offered: step.open?.rate ?? 0, achieved }];
  });
  if (first === undefined || values.length === 0) return null;
  const over = variantLabel(first.protocol, first.instrument);
  const title = `Achieved vs offered rate: ${first.workload.label}${over === '' ? '' : `, ${over}`}`;
  const rates = values.map((value) => value.offered);
  const diagonal = [Math.min(...rates), Math.max(...rates)].map((rate) => ({ offered: rate, achieved: rate }));
  const scale = { type: 'log' as const };
  const spec: TopLevelSpec = {
    ...chartHead(title),
    layer: [
      {
        data: { values: diagonal },
        mark: { type: 'line', color: 'gray', strokeDash: [4, 4] },
        encoding: {
          x: { field: 'offered', type: 'quantitative' },
          y: { field: 'achieved', type: 'quantitative' },
        },
      },
      {
        data: { values },
        mark: { type: 'line', point: { size: 50, filled: true } },
        encoding: {
          x: { field: 'offered', type: 'quantitative', title: 'offered rate (questions/s, log scale)', scale },
          y: { field: 'achieved', type: 'quantitative', title: 'achieved rate (questions/s, log scale)', scale },
          color: {
            field: 'architecture',
            type: 'nominal',
            title: 'architecture',
            scale: { domain: [...architectures] },
          },
        },
      },
    ],
  };
  return { file: `open-achieved-${fileStem(section)}.svg`, title, section, spec };
}

/** Both charts for every sweep (all architectures of one workload and protocol together). */
export function buildOpenCharts(results: BenchResults): Chart[] {
  const architectures = [...new Set(results.points.map((point) => point.architecture))];
  const bySection = new Map<string, PointResult[]>();
  for (const sweep of sweepsOf(results.points)) {
    const first = sweep.steps[0];
    if (first === undefined) continue;
    const section = sectionKeyOf(first);
    bySection.set(section, [...(bySection.get(section) ?? []), ...sweep.steps]);
  }
  return [...bySection].flatMap(([section, steps]) =>
    [latencyChart(section, steps, architectures), achievedChart(section, steps, architectures)].flatMap((chart) =>
      chart === null ? [] : [chart],
    ),
  );
}
