/**
 * The reports' content, independent of their format: one table per workload and traffic
 * pattern, one row per architecture and concurrency level, and the sentences that say on what
 * machine and how the figures were taken. Markdown, HTML and the terminal all print this.
 */
import type { BenchEnvironment, BenchResults, PatternRecord, PointResult, WorkloadRecord } from './results-format.js';

export const COLUMNS = [
  'Architecture',
  'Connections',
  'Throughput (answers/s)',
  'p50 (ms)',
  'p99 (ms)',
  'CPU µs/answer',
  'RSS (MB)',
  'Errors',
  'Starved connections',
  'Notes',
] as const;

/** Marks a figure taken while the load generator, not the server, was the bottleneck. */
export const SATURATED_MARK = '⚠ loadgen saturated';

export interface ReportRow {
  architecture: string;
  connections: number;
  cells: string[];
  saturated: boolean;
  failed: boolean;
}

export interface ReportSection {
  workload: WorkloadRecord;
  pattern: PatternRecord;
  title: string;
  rows: ReportRow[];
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatThroughput(answersPerSecond: number): string {
  return integer.format(answersPerSecond);
}

export function formatMs(us: number): string {
  const ms = us / 1000;
  return ms >= 100 ? integer.format(ms) : ms.toFixed(2);
}

export function formatMb(bytes: number | null): string {
  return bytes === null ? '–' : (bytes / (1024 * 1024)).toFixed(1);
}

function notesFor(point: PointResult): string {
  const notes: string[] = [];
  const summary = point.summary;
  if (summary?.saturated) notes.push(SATURATED_MARK);
  // The same failure in every repetition is said once, with its count.
  const failures = new Map<string, number>();
  for (const repetition of point.repetitions) {
    if (repetition.failure === null) continue;
    const text = `(${repetition.failure.stage}): ${repetition.failure.message}`;
    failures.set(text, (failures.get(text) ?? 0) + 1);
  }
  for (const [text, count] of failures) {
    notes.push(`failed ${count} of ${point.repetitions.length} ${text}`);
  }
  if (summary !== null && summary.repetitions > 1) {
    notes.push(
      `${summary.repetitions} reps, ${formatThroughput(summary.throughputMin)}–${formatThroughput(summary.throughputMax)}/s`,
    );
  }
  return notes.join('; ');
}

function rowFor(point: PointResult): ReportRow {
  const summary = point.summary;
  const dash = '–';
  const cells =
    summary === null
      ? [point.architecture, String(point.connections), dash, dash, dash, dash, dash, dash, dash, notesFor(point)]
      : [
          point.architecture,
          String(point.connections),
          formatThroughput(summary.throughput),
          formatMs(summary.latencyP50Us),
          formatMs(summary.latencyP99Us),
          summary.cpuUsPerAnswer === null ? dash : summary.cpuUsPerAnswer.toFixed(1),
          formatMb(summary.peakRssBytes),
          String(summary.errorTotal),
          String(summary.starvedConnections),
          notesFor(point),
        ];
  return {
    architecture: point.architecture,
    connections: point.connections,
    cells,
    saturated: summary?.saturated ?? false,
    failed: summary === null || summary.failed,
  };
}

/** Sections in the order the points were planned; within one, by concurrency, fastest first. */
export function buildSections(results: BenchResults): ReportSection[] {
  const sections = new Map<string, ReportSection>();
  const pointsOf = new Map<string, PointResult[]>();
  for (const point of results.points) {
    const key = `${point.workload.name}/${point.pattern.name}`;
    if (!sections.has(key)) {
      sections.set(key, {
        workload: point.workload,
        pattern: point.pattern,
        title: `${point.workload.label}, ${point.pattern.label}`,
        rows: [],
      });
      pointsOf.set(key, []);
    }
    pointsOf.get(key)?.push(point);
  }
  for (const [key, section] of sections) {
    const points = [...(pointsOf.get(key) ?? [])].sort(
      (a, b) => a.connections - b.connections || (b.summary?.throughput ?? -1) - (a.summary?.throughput ?? -1),
    );
    section.rows = points.map(rowFor);
  }
  return [...sections.values()];
}

export function describeMachine(environment: BenchEnvironment): string {
  const memoryGb = (environment.totalMemoryBytes / 1024 ** 3).toFixed(1);
  return `${environment.cpuModel}, ${environment.cores} cores, ${memoryGb} GB RAM, ${environment.platform} ${environment.kernel} (${environment.arch})`;
}

/** The method, in sentences a reader needs to trust (or distrust) the numbers. */
export function describeMethod(results: BenchResults): string[] {
  const { options, environment } = results;
  const pin = options.pin.applied
    ? `pinned with taskset: server on CPU ${options.pin.serverCpus}, load generator on CPU ${options.pin.loadgenCpus}`
    : options.pin.requested
      ? 'pinning was asked for but taskset was not available: not pinned'
      : `not pinned: server and load generator share all ${environment.cores} cores`;
  return [
    `Suite \`${options.suite}\`; each point: a fresh server process on 127.0.0.1, a ${options.warmupS} s warm-up run, then a ${options.durationS} s measured run of the load generator in its own process, then SIGTERM and a check that the server exited cleanly.`,
    `${options.repeat} repetition(s) per point; figures are medians over repetitions.`,
    `Throughput counts correct answers per second. Latency is per question, from the load generator's HDR histogram.`,
    `CPU µs/answer: user + system CPU time of the server's whole process tree (cluster workers, pool threads) during the measured window, divided by the answers in it. RSS: peak of the tree's summed resident memory, sampled every 150 ms.`,
    `Starved connections: connections that were open during the measured window and never got an answer (the blocking server serves one connection at a time). ${SATURATED_MARK}: the load generator, not the server, was the bottleneck (a thread above 90% of a core), so the figure understates the server.`,
    `${pin}.`,
  ];
}

export function describeRun(results: BenchResults): { label: string; value: string }[] {
  const { environment } = results;
  const commit = environment.gitCommit === null ? 'unknown' : environment.gitCommit.slice(0, 12);
  return [
    { label: 'Machine', value: describeMachine(environment) },
    { label: 'Node', value: `${environment.node} (V8 ${environment.v8})` },
    { label: 'Date', value: results.startedAt },
    { label: 'Commit', value: `${commit}${environment.gitDirty ? ' (with uncommitted changes)' : ''}` },
  ];
}
