/**
 * SVG charts of a results file, drawn with vega-lite and rendered headless by vega (no
 * browser, no canvas): throughput against concurrency per workload and pattern, one line per
 * architecture, as the book's chapter charted its servers with FunkLoad; and the latency
 * percentiles of each architecture at the highest concurrency measured.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { acrossRuntimesKeyOf, runtimeSuffix, sectionKeyOf, variantLabel } from '../shared/plan.js';
import { buildOpenCharts } from './open-charts.js';
import type { BenchResults, PointResult } from './results-format.js';

/** ", over HTTP, by autocannon" after a chart's title, or nothing for TCP by our generator. */
function overSuffix(point: PointResult): string {
  const over = variantLabel(point.protocol, point.instrument);
  return over === '' ? '' : `, ${over}`;
}

export interface Chart {
  /** File name, e.g. throughput-io-persistent.svg. */
  file: string;
  title: string;
  /** `${workload}/${pattern}`: the report section it belongs to. */
  section: string;
  spec: TopLevelSpec;
}

export interface RenderedChart extends Omit<Chart, 'spec'> {
  svg: string;
}

export const CHART_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** The look every chart of the reports shares. */
export const CHART_CONFIG = { font: 'Helvetica, Arial, sans-serif', view: { stroke: null } };

function groupBySection(results: BenchResults): Map<string, PointResult[]> {
  const groups = new Map<string, PointResult[]>();
  // The open-loop sweeps have charts of their own (open-charts.ts).
  for (const point of results.points.filter((candidate) => candidate.open === undefined)) {
    const key = sectionKeyOf(point);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [point]);
    else group.push(point);
  }
  return groups;
}

/** One colour per architecture, the same in every chart of a run. */
function colorOf(architectures: readonly string[]): {
  field: 'architecture';
  type: 'nominal';
  title: string;
  scale: { domain: string[] };
} {
  return { field: 'architecture', type: 'nominal', title: 'architecture', scale: { domain: [...architectures] } };
}

function throughputChart(
  section: string,
  points: readonly PointResult[],
  cores: number,
  architectures: readonly string[],
): Chart | null {
  const first = points[0];
  if (first === undefined) return null;
  const values = points.flatMap((point) =>
    point.summary === null
      ? []
      : [
          {
            architecture: point.architecture,
            connections: point.connections,
            throughput: Math.round(point.summary.throughput),
            low: point.summary.intervals.throughput.low,
            high: point.summary.intervals.throughput.high,
            loadgen: point.summary.saturated ? 'saturated' : 'not saturated',
          },
        ],
  );
  if (values.length === 0) return null;
  const title = `Throughput: ${first.workload.label}, ${first.pattern.label}${overSuffix(first)} (${cores} cores)`;
  const spec: TopLevelSpec = {
    ...chartFrame(title, values),
    encoding: {
      x: connectionsAxis(values),
      color: colorOf(architectures),
    },
    layer: [
      {
        mark: LINE_MARK,
        encoding: {
          y: { field: 'throughput', type: 'quantitative', title: 'answers per second' },
          shape: {
            field: 'loadgen',
            type: 'nominal',
            title: 'load generator',
            scale: { domain: ['not saturated', 'saturated'], range: ['circle', 'cross'] },
          },
        },
      },
      INTERVAL_LAYER,
    ],
  };
  return { file: `throughput-${section.replace(/[/@]/g, '-')}.svg`, title, section, spec };
}

/** What every chart here shares: size and look. */
/** What every single-panel chart of the report starts with: schema, title, size and looks. */
export function chartHead(title: string) {
  return { $schema: CHART_SCHEMA, title, width: 420, height: 260, config: CHART_CONFIG };
}

function chartFrame(title: string, values: object[]) {
  return { ...chartHead(title), data: { values } };
}

/** The x axis of a chart against concurrency: log 2, ticks at the levels measured. */
function connectionsAxis(values: readonly { connections: number }[]) {
  return {
    field: 'connections',
    type: 'quantitative' as const,
    title: 'concurrent connections',
    scale: { type: 'log' as const, base: 2 },
    axis: { values: [...new Set(values.map((value) => value.connections))] },
  };
}

/** Lines with their points marked. */
const LINE_MARK = { type: 'line' as const, point: { size: 60, filled: true } };

/** Each median's confidence interval (fields low and high) as an error bar. */
const INTERVAL_LAYER = {
  mark: { type: 'errorbar' as const, ticks: true },
  encoding: { y: { field: 'low', type: 'quantitative' as const }, y2: { field: 'high' } },
};

const PERCENTILES = [
  { label: 'p50', field: 'latencyP50Us' },
  { label: 'p90', field: 'latencyP90Us' },
  { label: 'p99', field: 'latencyP99Us' },
  { label: 'p99.9', field: 'latencyP999Us' },
] as const;

function latencyChart(section: string, points: readonly PointResult[], architectures: readonly string[]): Chart | null {
  const measured = points.filter((point) => point.summary !== null);
  const connections = Math.max(...measured.map((point) => point.connections));
  const atTop = measured.filter((point) => point.connections === connections);
  const first = atTop[0];
  if (first === undefined) return null;
  // Floor at 1 µs so that a log scale can draw it.
  const ms = (us: number | undefined): number => Math.max(us ?? 0, 1) / 1000;
  const values = atTop.flatMap((point) =>
    PERCENTILES.map(({ label, field }) => {
      const interval = field === 'latencyP50Us' || field === 'latencyP99Us' ? point.summary?.intervals[field] : null;
      return {
        architecture: point.architecture,
        percentile: label,
        latencyMs: ms(point.summary?.[field]),
        ...(interval === null || interval === undefined ? {} : { low: ms(interval.low), high: ms(interval.high) }),
      };
    }),
  );
  const title = `Latency at ${connections} connections: ${first.workload.label}, ${first.pattern.label}${overSuffix(first)}`;
  const spec: TopLevelSpec = {
    ...chartFrame(title, values),
    // Lines run over the percentiles, as HdrHistogram's plots draw them; bars cannot start at
    // 0 on a log scale. p50 and p99 carry their intervals.
    encoding: {
      x: {
        field: 'percentile',
        type: 'ordinal',
        sort: PERCENTILES.map(({ label }) => label),
        title: 'percentile',
        axis: { labelAngle: 0 },
      },
      color: colorOf(architectures),
    },
    layer: [
      {
        mark: LINE_MARK,
        encoding: {
          y: { field: 'latencyMs', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
        },
      },
      INTERVAL_LAYER,
    ],
  };
  return { file: `latency-${section.replace(/[/@]/g, '-')}.svg`, title, section, spec };
}

/** The `section` of the charts that go with the table "Same architecture, different runtime". */
export const RUNTIMES_SECTION = 'runtimes';

/**
 * In a run under several Nodes, throughput against concurrency per workload and pattern with
 * one line per architecture and Node: the colour is the architecture, the dash the Node.
 */
function runtimesCharts(results: BenchResults, architectures: readonly string[]): Chart[] {
  const groups = new Map<string, PointResult[]>();
  for (const point of results.points) {
    if (point.open !== undefined || runtimeSuffix(point) === '') continue;
    const key = acrossRuntimesKeyOf(point);
    groups.set(key, [...(groups.get(key) ?? []), point]);
  }
  return [...groups].flatMap(([key, points]) => {
    const first = points[0];
    const values = points.flatMap((point) =>
      point.summary === null
        ? []
        : [
            {
              architecture: point.architecture,
              node: `${point.runtime} (${point.node})`,
              connections: point.connections,
              throughput: Math.round(point.summary.throughput),
              low: point.summary.intervals.throughput.low,
              high: point.summary.intervals.throughput.high,
            },
          ],
    );
    if (first === undefined || values.length === 0) return [];
    const title = `Same architecture, different runtime: ${first.workload.label}, ${first.pattern.label}${overSuffix(first)}`;
    const spec: TopLevelSpec = {
      ...chartFrame(title, values),
      encoding: {
        x: connectionsAxis(values),
        color: colorOf(architectures),
        strokeDash: { field: 'node', type: 'nominal', title: 'Node' },
      },
      layer: [
        {
          mark: LINE_MARK,
          encoding: { y: { field: 'throughput', type: 'quantitative', title: 'answers per second' } },
        },
        INTERVAL_LAYER,
      ],
    };
    return [{ file: `runtimes-${key.replace(/[/@]/g, '-')}.svg`, title, section: RUNTIMES_SECTION, spec }];
  });
}

/** Chart specifications for every workload and pattern in the results. */
export function buildCharts(results: BenchResults): Chart[] {
  const charts: Chart[] = [];
  const architectures = [...new Set(results.points.map((point) => point.architecture))];
  for (const [section, points] of groupBySection(results)) {
    const throughput = throughputChart(section, points, results.environment.cores, architectures);
    if (throughput !== null) charts.push(throughput);
    const latency = latencyChart(section, points, architectures);
    if (latency !== null) charts.push(latency);
  }
  charts.push(...runtimesCharts(results, architectures));
  charts.push(...buildOpenCharts(results));
  return charts;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders the charts of a results file, followed by `more` (the over-time charts, built elsewhere). */
export async function renderCharts(results: BenchResults, more: readonly Chart[] = []): Promise<RenderedChart[]> {
  const rendered: RenderedChart[] = [];
  for (const { spec, ...chart } of [...buildCharts(results), ...more]) {
    rendered.push({ ...chart, svg: await renderSvg(spec) });
  }
  return rendered;
}
