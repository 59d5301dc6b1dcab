/**
 * The reports' content, independent of their format: one table per workload and traffic
 * pattern, one row per architecture and concurrency level, and the sentences that say on what
 * machine and how the figures were taken. Markdown, HTML and the terminal all print this.
 */
import { median, medianInterval, normalQuantile } from '../../lib/stats.js';
import type { Instrument } from '../../loadgen/instruments.js';
import type { ProtocolName } from '../../protocol/protocol-names.js';
import { pointId, runtimeSuffix, sectionKeyOf, variantLabel } from '../shared/plan.js';
import { PRIMARY_INSTRUMENT } from '../shared/scenarios.js';
import { INTERVAL_LEVEL } from './point-summary.js';
import type {
  BenchEnvironment,
  BenchResults,
  FigureInterval,
  PatternRecord,
  PointResult,
  WorkloadRecord,
} from './results-format.js';
import { judgeAll, orderOf, rankLabels, type GroupVerdict } from './verdict.js';
import { DEFAULT_RUNNER_TIMINGS } from '../run/runner.js';
import { DISTURBANCE_LIMITS } from '../run/window-meter.js';

export const COLUMNS = [
  'Architecture',
  'Connections',
  'Throughput (answers/s)',
  'Rank',
  'p50 (ms)',
  'p99 (ms)',
  'CPU µs/answer',
  'Cores: server / load',
  'RSS (MB)',
  'Errors',
  'Starved connections',
  'Notes',
] as const;

/** Columns whose cells are numbers, right-aligned in every format. */
export const NUMERIC_COLUMNS: readonly boolean[] = COLUMNS.map((name) => name !== 'Architecture' && name !== 'Notes');

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
  /** sectionKeyOf its points: how charts and pages find the section. */
  key: string;
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

/**
 * A median with its interval, rounded to what the interval supports: the interval's half-width
 * sets the last digit shown, so that no digit is printed that the repetitions do not hold
 * (but at least two significant ones). With no spread at all, `plain` formats the median.
 */
export function formatWithInterval(
  value: number,
  interval: FigureInterval | null,
  plain: (value: number) => string,
): string {
  if (interval === null || !(interval.high > interval.low)) return plain(value);
  const halfWidth = (interval.high - interval.low) / 2;
  const magnitude = Math.floor(Math.log10(Math.max(Math.abs(value), halfWidth)));
  const exponent = Math.min(Math.floor(Math.log10(halfWidth)), magnitude - 1);
  const step = 10 ** exponent;
  const decimals = Math.max(0, -exponent);
  const show = (figure: number): string =>
    new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(
      Math.round(figure / step) * step,
    );
  return `${show(value)} (${show(interval.low)}–${show(interval.high)})`;
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
  if (summary !== null && summary.disturbedRepetitions > 0) {
    notes.push(`machine disturbed in ${summary.disturbedRepetitions} of ${summary.repetitions}`);
  }
  return notes.join('; ');
}

function coresCell(server: number | null, load: number | null): string {
  const show = (cores: number | null): string => (cores === null ? '–' : cores.toFixed(2));
  return server === null && load === null ? '–' : `${show(server)} / ${show(load)}`;
}

function rowFor(point: PointResult, rank: string): ReportRow {
  const summary = point.summary;
  const dash = '–';
  const ms = (us: number): number => us / 1000;
  const msInterval = (interval: FigureInterval): FigureInterval => ({ low: ms(interval.low), high: ms(interval.high) });
  const plainMs = (value: number): string => formatMs(value * 1000);
  const cells =
    summary === null
      ? [
          point.architecture,
          String(point.connections),
          dash,
          dash,
          dash,
          dash,
          dash,
          dash,
          dash,
          dash,
          dash,
          notesFor(point),
        ]
      : [
          point.architecture,
          String(point.connections),
          formatWithInterval(summary.throughput, summary.intervals.throughput, formatThroughput),
          rank,
          formatWithInterval(ms(summary.latencyP50Us), msInterval(summary.intervals.latencyP50Us), plainMs),
          formatWithInterval(ms(summary.latencyP99Us), msInterval(summary.intervals.latencyP99Us), plainMs),
          summary.cpuUsPerAnswer === null
            ? dash
            : formatWithInterval(summary.cpuUsPerAnswer, summary.intervals.cpuUsPerAnswer, (value) => value.toFixed(1)),
          coresCell(summary.serverCores, summary.loadgenCores),
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

/** The closed-loop points: the sweeps' steps are judged by capacity, not throughput (open-capacity.ts). */
export function closedPoints(results: BenchResults): PointResult[] {
  return results.points.filter((point) => point.open === undefined);
}

/** Sections in the order the points were planned; within one, by concurrency, fastest first. */
export function buildSections(results: BenchResults): ReportSection[] {
  const sections = new Map<string, ReportSection>();
  const pointsOf = new Map<string, PointResult[]>();
  // The open-loop sweeps have sections of their own (open-tables.ts).
  for (const point of closedPoints(results)) {
    const key = sectionKeyOf(point);
    if (!sections.has(key)) {
      const over = variantLabel(point.protocol, point.instrument);
      sections.set(key, {
        key,
        workload: point.workload,
        pattern: point.pattern,
        title: `${point.workload.label}, ${point.pattern.label}${over === '' ? '' : `, ${over}`}${onRuntime(point)}`,
        rows: [],
      });
      pointsOf.set(key, []);
    }
    pointsOf.get(key)?.push(point);
  }
  const ranks = rankByPoint(judgeAll(closedPoints(results)));
  for (const [key, section] of sections) {
    const points = [...(pointsOf.get(key) ?? [])].sort(
      (a, b) => a.connections - b.connections || (b.summary?.throughput ?? -1) - (a.summary?.throughput ?? -1),
    );
    section.rows = points.map((point) => rowFor(point, ranks.get(point.id) ?? '–'));
  }
  return [...sections.values()];
}

/** Each candidate's rank within its group by throughput, "=" where level with the one above. */
function rankByPoint(verdicts: readonly GroupVerdict[]): Map<string, string> {
  const ranks = new Map<string, string>();
  for (const verdict of verdicts) {
    const labels = rankLabels(verdict.ranking);
    verdict.ranking.forEach((entry, index) => ranks.set(entry.id, labels[index] ?? '–'));
  }
  return ranks;
}

export function percent(fraction: number): string {
  if (!Number.isFinite(fraction)) return fraction > 0 ? '+∞' : '−∞';
  const value = fraction * 100;
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(Math.abs(value) >= 10 ? 0 : 1)}%`;
}

export const VERDICT_COLUMNS = [
  'Over',
  'Workload',
  'Pattern',
  'Connections',
  'Verdict',
  'Margin over the next',
  'Order (≈ level, > clearly ahead)',
  'Left out',
] as const;

/**
 * The protocol and, where it is not the protocol's own, the instrument: "TCP", "HTTP", "HTTP, by
 * zenbench"; then the Node in a run under several ("TCP, node24").
 */
export function overLabel(protocol: ProtocolName, instrument: Instrument, runtime: string | null = null): string {
  const label = protocol.toUpperCase();
  const over = instrument === PRIMARY_INSTRUMENT[protocol] ? label : `${label}, by ${instrument}`;
  return runtime === null ? over : `${over}, ${runtime}`;
}

/** ", on node24 (v24.21.0)" after a section's title in a run under several Nodes; '' otherwise. */
export function onRuntime(point: PointResult): string {
  return runtimeSuffix(point) === '' ? '' : `, on ${point.runtime} (${point.node})`;
}

/** A verdict in a word: the best, "level: a, b" where the intervals overlap, or none to name. */
export function verdictWord(verdict: { best: string | null; level: readonly string[] }): string {
  if (verdict.best !== null) return verdict.best;
  return verdict.level.length > 1 ? `level: ${verdict.level.join(', ')}` : 'no candidate';
}

/** "Which architecture for which load?": one row per workload, pattern and concurrency. */
export function buildVerdictRows(results: BenchResults): string[][] {
  return judgeAll(closedPoints(results)).map((verdict) => {
    const [top, next] = verdict.ranking;
    const said = verdictWord(verdict);
    const margin =
      verdict.margin === null || top === undefined || next === undefined
        ? '–'
        : `${percent(verdict.margin.value)} (${percent(verdict.margin.low)} to ${percent(verdict.margin.high)}) over ${next.architecture}`;
    const excluded = verdict.excluded.map((entry) => `${entry.architecture} (${entry.reason})`).join(', ');
    return [
      overLabel(verdict.protocol, verdict.instrument, verdict.runtime),
      verdict.workloadLabel,
      verdict.patternLabel,
      String(verdict.connections),
      said,
      margin,
      orderOf(verdict.ranking),
      excluded || '–',
    ];
  });
}

export function describeMachine(environment: BenchEnvironment): string {
  const memoryGb = (environment.totalMemoryBytes / 1024 ** 3).toFixed(1);
  return `${environment.cpuModel}, ${environment.cores} cores, ${memoryGb} GB RAM, ${environment.platform} ${environment.kernel} (${environment.arch})`;
}

function repetitionsConfidence(repetitions: number): number {
  return medianInterval(
    Array.from({ length: repetitions }, (_, index) => index),
    INTERVAL_LEVEL,
  ).confidence;
}

function machineSpeedSentence(results: BenchResults): string[] {
  const speeds = results.rounds.map((round) => round.referenceCpuUsPerUnit);
  if (speeds.length === 0) return [];
  const show = (value: number): string => value.toFixed(3);
  return [
    `Machine speed, taken at the start of each round while no server ran: one unit of the servers' own reference CPU work (burnCpu) took ${show(Math.min(...speeds))}–${show(Math.max(...speeds))} CPU µs (median ${show(median(speeds))}); bench:compare sets it beside another run's.`,
  ];
}

/** What the interval in parentheses is: a repeat run's median, or this run's median alone. */
function intervalSentence(results: BenchResults): string {
  const { repeat } = results.options;
  const withinRun = `this run's distribution-free confidence interval of the median (order statistics of the repetitions; with ${repeat} it holds the median with ${(repetitionsConfidence(repeat) * 100).toFixed(1)}% confidence)`;
  const digits = 'Digits the interval does not support are not printed.';
  const spread = results.runToRun;
  if (spread?.applied !== true) {
    const why =
      spread === null
        ? 'no spread between runs was given (--run-to-run)'
        : `the spread between runs in ${spread.source} ${spread.why ?? 'was not applied'}`;
    return `Figures are medians over the repetitions, with ${withinRun} in parentheses. It is this run's alone: ${why}, so a repeat run's median may well fall outside it (docs/bench.md, "Intervals"). ${digits}`;
  }
  const z = normalQuantile((1 + INTERVAL_LEVEL) / 2).toFixed(3);
  const missing =
    spread.missingClasses.length === 0
      ? ''
      : ` It knows nothing of ${spread.missingClasses.join(', ')}: their intervals are this run's alone.`;
  return `Figures are medians over the repetitions. The interval in parentheses is where the median of a repeat run on this machine falls ${Math.round(INTERVAL_LEVEL * 100)}% of the time: the wider of ${withinRun} and median × exp(±${z} · √2 · σ), σ the spread of ln(median) between runs of the point's class (workload, protocol, closed or open loop), learned from ${spread.learnedFrom.length} runs on ${spread.machine} (${spread.source}, ${spread.learnedFrom.map((at) => at.slice(0, 16).replace('T', ' ')).join(', ')} UTC). The rounds of one run share the VM's level of those minutes; the next run may sit on another, which only earlier runs show.${missing} ${digits}`;
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
    `Suite \`${options.suite}\`; each point: a server process on 127.0.0.1, fresh for each workload and round, then one run of the load generator in its own process: ${options.warmupS} s of warm-up on the same connections, then a ${options.durationS} s measured window; after the round's last point of a workload, SIGTERM and a check that the server exited cleanly.`,
    `${options.repeat} repetition(s) per point, in rounds: each round measures every point once, the architectures of a group one after the other in an order that rotates, so that the machine's slow episodes spread over all of them.`,
    intervalSentence(results),
    `Verdict: the best architecture by median throughput where its interval clears every other's, with the margin over the next and its interval; "level" where the intervals overlap. Tiers: an architecture and the later ones whose intervals overlap its own; Rank gives a tier one number ("=1"), Order writes the tiers as "a ≈ b > c". Points with errors or starved connections do not compete.`,
    `Throughput counts correct answers per second. Latency is per question, from the load generator's HDR histogram.`,
    ...(results.points.some((point) => point.instrument === 'autocannon')
      ? [
          `Over HTTP the load generator is autocannon (every response's body checked), unless the section says "by zenbench": it warms up on connections of its own, then measures a run on new ones, and its latency has a resolution of 1 ms. At the cross-check levels our own generator measures the same points on the same server in the same round; the table "Two instruments over HTTP" compares the two, which agree when within ${Math.round(AGREEMENT_LIMIT * 100)}% of each other.`,
        ]
      : []),
    `CPU µs/answer: user + system CPU time of the server's whole process tree (cluster workers, pool threads) during the measured window, divided by the answers in it. RSS: peak of the tree's summed resident memory, sampled every ${DEFAULT_RUNNER_TIMINGS.rssSampleIntervalMs} ms during the window.`,
    `Cores: the server's process tree and the load generator, in cores' worth of CPU during the measured window. A repetition counts as disturbed when the hypervisor stole more than ${DISTURBANCE_LIMITS.stealCores} of a core or other processes took more than ${DISTURBANCE_LIMITS.otherCores}.`,
    `Starved connections: connections that never got an answer during the whole run, warm-up included (the blocking server serves one connection at a time). ${SATURATED_MARK}: the load generator, not the server, was the bottleneck (a thread above 90% of a core), so the figure understates the server.`,
    `${pin}.`,
    ...machineSpeedSentence(results),
  ];
}

/** The host's Node, and the servers' where --node gave others. */
function nodeLine(results: BenchResults): string {
  const { environment } = results;
  const host = `${environment.node} (V8 ${environment.v8})`;
  const servers = [...new Set(results.points.map((point) => point.node))];
  if (servers.length === 0 || (servers.length === 1 && servers[0] === environment.node)) return host;
  return `servers on ${servers.join(', ')}; the load generator and the bench on the host's ${host}`;
}

export function describeRun(results: BenchResults): { label: string; value: string }[] {
  const { environment } = results;
  const commit = environment.gitCommit === null ? 'unknown' : environment.gitCommit.slice(0, 12);
  return [
    { label: 'Machine', value: describeMachine(environment) },
    { label: 'Node', value: nodeLine(results) },
    { label: 'Date', value: results.startedAt },
    { label: 'Commit', value: `${commit}${environment.gitDirty ? ' (with uncommitted changes)' : ''}` },
    { label: 'Intervals', value: intervalsInBrief(results) },
  ];
}

/** What the intervals in parentheses are, in a line (intervalSentence says it whole). */
function intervalsInBrief(results: BenchResults): string {
  const spread = results.runToRun;
  if (spread?.applied === true) {
    const lacking = spread.missingClasses.length;
    const alone = lacking === 0 ? '' : `; this run's alone for the ${lacking} class(es) it lacks`;
    return `where a repeat run's median falls, ${Math.round(INTERVAL_LEVEL * 100)}% (with the spread between ${spread.learnedFrom.length} earlier runs from ${spread.source}${alone}; Method says how)`;
  }
  return `this run's repetitions alone (${(repetitionsConfidence(results.options.repeat) * 100).toFixed(1)}% confidence intervals of the medians); a repeat run's median may fall outside`;
}

export const AGREEMENT_COLUMNS = [
  'Architecture',
  'Workload',
  'Pattern',
  'Connections',
  'autocannon (answers/s)',
  'zenbench (answers/s)',
  'zenbench vs autocannon',
] as const;

/**
 * Within this fraction of each other the two instruments agree on an HTTP point's throughput
 * (issue 13's goal at 16 connections on async and cluster).
 */
export const AGREEMENT_LIMIT = 0.1;

/** The HTTP points both instruments measured, side by side: how far our generator is from autocannon. */
export function buildAgreementRows(results: BenchResults): string[][] {
  const byId = new Map(results.points.map((point) => [point.id, point]));
  return results.points.flatMap((check) => {
    if (check.protocol === 'tcp' || check.instrument === PRIMARY_INSTRUMENT[check.protocol]) return [];
    const own = byId.get(
      pointId(
        check.architecture,
        check.workload.name,
        check.pattern.name,
        check.connections,
        check.protocol,
        undefined,
        runtimeSuffix(check),
      ),
    );
    const a = own?.summary;
    const b = check.summary;
    if (a === undefined || a === null || b === null) return [];
    const difference = a.throughput > 0 ? b.throughput / a.throughput - 1 : Number.NaN;
    const verdict = Math.abs(difference) <= AGREEMENT_LIMIT ? 'agree' : 'differ';
    return [
      [
        `${check.architecture}${runtimeSuffix(check)}`,
        check.workload.label,
        check.pattern.label,
        String(check.connections),
        formatWithInterval(a.throughput, a.intervals.throughput, formatThroughput),
        formatWithInterval(b.throughput, b.intervals.throughput, formatThroughput),
        Number.isNaN(difference) ? '–' : `${percent(difference)} (${verdict})`,
      ],
    ];
  });
}

export const AGREEMENT_TITLE = 'Two instruments over HTTP: autocannon and our generator';
