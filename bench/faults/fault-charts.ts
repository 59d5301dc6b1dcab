/**
 * The throughput around each fault: one chart per fault, one line per architecture, answers per
 * second in the load generator's 100 ms buckets, with time counted from each run's fault (its
 * own moment: a knob strikes when its Nth question comes), and a rule at the fault.
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../report/charts.js';
import type { FaultRun, FaultSuiteResults } from './fault-record.js';
import { FAULT_SCENARIOS } from './fault-scenarios.js';

export interface FaultChart {
  /** e.g. fault-crash.svg */
  file: string;
  fault: string;
  title: string;
  svg: string;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const CONFIG = { font: 'Helvetica, Arial, sans-serif', view: { stroke: null } };

/** The moment the run is read from: its fault, or the planned moment when none came. */
function originMs(run: FaultRun, beforeS: number): number {
  return run.faultAtMs ?? beforeS * 1000;
}

function pointsOf(
  run: FaultRun,
  beforeS: number,
  afterS: number,
): { architecture: string; seconds: number; throughput: number }[] {
  const timeline = run.load?.timeline;
  if (timeline === undefined) return [];
  const origin = originMs(run, beforeS);
  const full = Math.floor(run.windowMs / timeline.bucketMs);
  // As far as the figures are read: `after` seconds from the fault.
  const last = Math.min(full, Math.floor((origin + afterS * 1000) / timeline.bucketMs));
  return timeline.answers.slice(0, last).map((answers, index) => ({
    architecture: run.architecture,
    // The middle of the bucket: a rate belongs to the span it was counted over.
    seconds: Math.round(((index + 0.5) * timeline.bucketMs - origin) / 10) / 100,
    throughput: Math.round((answers * 1000) / timeline.bucketMs),
  }));
}

export function faultChartSpec(results: FaultSuiteResults, fault: string): TopLevelSpec | null {
  const scenario = FAULT_SCENARIOS.find((candidate) => candidate.name === fault);
  const runs = results.runs.filter((run) => run.fault === fault);
  const values = runs.flatMap((run) => pointsOf(run, results.options.beforeS, results.options.afterS));
  if (scenario === undefined || values.length === 0) return null;
  const architectures = [...new Set(runs.map((run) => run.architecture))];
  const origin = scenario.injection.kind === 'none' ? 'the planned moment' : 'the fault';
  return {
    $schema: SCHEMA,
    title: { text: `${fault}: ${scenario.label}`, subtitle: `answers per second in 100 ms buckets; 0 s is ${origin}` },
    width: 520,
    height: 240,
    config: CONFIG,
    layer: [
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'seconds', type: 'quantitative', title: `seconds from ${origin}` },
          y: { field: 'throughput', type: 'quantitative', title: 'answers per second' },
          color: { field: 'architecture', type: 'nominal', title: 'architecture', scale: { domain: architectures } },
        },
      },
      {
        data: { values: [{ seconds: 0 }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
        encoding: { x: { field: 'seconds', type: 'quantitative' } },
      },
    ],
  };
}

export async function renderFaultCharts(results: FaultSuiteResults): Promise<FaultChart[]> {
  const charts: FaultChart[] = [];
  for (const scenario of FAULT_SCENARIOS) {
    const spec = faultChartSpec(results, scenario.name);
    if (spec === null) continue;
    charts.push({
      file: `fault-${scenario.name}.svg`,
      fault: scenario.name,
      title: `Throughput around the fault: ${scenario.name}`,
      svg: await renderSvg(spec),
    });
  }
  return charts;
}
