/**
 * How far a point's median moves from one run of a suite to the next on one machine, and the
 * repeat-run intervals the bench prints from it.
 *
 * A run's own repetitions cannot see every kind of noise: this VM's cost per round trip holds a
 * level for minutes, so four rounds inside five minutes often share one level, and the next
 * run sits on another (docs/evidence/bench-reproducibility.md). What a reader needs of an
 * interval is where a repeat run's median will fall. So the spread between runs is learned
 * from earlier runs of the suite on the same machine (`bench:compare --learn`), as the
 * standard deviation of ln(median) of a point across runs, pooled over the points of a class
 * (workload, protocol, closed or open loop) that move together; and each printed interval is
 * the wider of this run's confidence interval of the median and the prediction for a repeat
 * run's median, median x exp(±z · √2 · σ) (the difference of two runs' medians has √2 times
 * the spread of one). Metrology calls this combining a Type A (this run's repetitions) and a
 * Type B (earlier runs) component of uncertainty.
 */
import { readText } from '../../lib/read-text.js';
import { normalQuantile } from '../../lib/stats.js';
import type {
  BenchEnvironment,
  BenchResults,
  FigureInterval,
  PointResult,
  PointSummary,
  RunToRunRecord,
} from './results-format.js';

/** The figures that carry intervals (PointSummary.intervals). */
export const SPREAD_FIGURES = ['throughput', 'latencyP50Us', 'latencyP99Us', 'cpuUsPerAnswer'] as const;
export type SpreadFigure = (typeof SPREAD_FIGURES)[number];

const SPREAD_FORMAT_VERSION = 1;

/** The machine a spread was learned on: one of another model or core count moves differently. */
export type SpreadMachine = Pick<BenchEnvironment, 'cpuModel' | 'cores' | 'platform' | 'kernel' | 'totalMemoryBytes'>;

export interface ClassSpread {
  /** Points of the class measured in at least two of the runs. */
  points: number;
  /** Standard deviation of ln(median) between runs, pooled over the points; null: never in two runs. */
  sigma: Record<SpreadFigure, number | null>;
}

/** The file `bench:compare --learn` writes and `bench --run-to-run` reads (reference/run-to-run.json). */
export interface RunToRunSpread {
  tool: 'zenbench';
  kind: 'run-to-run-spread';
  formatVersion: typeof SPREAD_FORMAT_VERSION;
  machine: SpreadMachine;
  /** The runs it was learned from. */
  runs: { startedAt: string; gitCommit: string | null; suite: string }[];
  /** By class (classOf). */
  classes: Record<string, ClassSpread>;
}

/** The points that move together between runs: one workload, over one protocol, closed or open loop. */
export function classOf(point: Pick<PointResult, 'workload' | 'protocol' | 'open'>): string {
  return `${point.workload.name}/${point.protocol}/${point.open === undefined ? 'closed' : 'open'}`;
}

function figureValue(summary: PointSummary, figure: SpreadFigure): number | null {
  const value = summary[figure];
  return value !== null && value > 0 && Number.isFinite(value) ? value : null;
}

function zeroByFigure(): Record<SpreadFigure, number> {
  return { throughput: 0, latencyP50Us: 0, latencyP99Us: 0, cpuUsPerAnswer: 0 };
}

/**
 * A point as measured: its id, and the windows it was measured in. Two runs' points of one id
 * measured with another warm-up (a sweep's first step got a longer one) are not the same
 * measurement, and their difference is not noise.
 */
function sameMeasurementKey(point: PointResult): string {
  return `${point.id} ${point.warmupS} ${point.durationS}`;
}

/**
 * The spread between runs of one suite, per class and figure: the pooled standard deviation of
 * each point's ln(median) around its mean over the runs (k runs give a point k - 1 degrees of
 * freedom). Failed points are left out; so is a point in only one run (or measured with other
 * windows in the others).
 */
export function learnRunToRun(runs: readonly BenchResults[]): RunToRunSpread {
  const first = runs[0];
  if (first === undefined || runs.length < 2)
    throw new RangeError('learning a run-to-run spread needs two runs or more');
  const sums = new Map<
    string,
    { points: number; squares: Record<SpreadFigure, number>; freedom: Record<SpreadFigure, number> }
  >();
  const keys = [...new Set(runs.flatMap((run) => run.points.map(sameMeasurementKey)))];
  for (const key of keys) {
    const measured = runs.flatMap((run) => {
      const point = run.points.find((candidate) => sameMeasurementKey(candidate) === key);
      return point?.summary === null || point?.summary === undefined || point.summary.failed ? [] : [point];
    });
    const anyPoint = measured[0];
    if (anyPoint === undefined || measured.length < 2) continue;
    const pointClass = classOf(anyPoint);
    const entry = sums.get(pointClass) ?? { points: 0, squares: zeroByFigure(), freedom: zeroByFigure() };
    sums.set(pointClass, entry);
    entry.points++;
    for (const figure of SPREAD_FIGURES) {
      const logs = measured.flatMap((point) => {
        const value = point.summary === null ? null : figureValue(point.summary, figure);
        return value === null ? [] : [Math.log(value)];
      });
      if (logs.length < 2) continue;
      const mean = logs.reduce((sum, value) => sum + value, 0) / logs.length;
      entry.squares[figure] += logs.reduce((sum, value) => sum + (value - mean) ** 2, 0);
      entry.freedom[figure] += logs.length - 1;
    }
  }
  const classes: Record<string, ClassSpread> = {};
  for (const [key, entry] of sums) {
    const sigma = (figure: SpreadFigure): number | null =>
      entry.freedom[figure] === 0 ? null : Math.sqrt(entry.squares[figure] / entry.freedom[figure]);
    classes[key] = {
      points: entry.points,
      sigma: {
        throughput: sigma('throughput'),
        latencyP50Us: sigma('latencyP50Us'),
        latencyP99Us: sigma('latencyP99Us'),
        cpuUsPerAnswer: sigma('cpuUsPerAnswer'),
      },
    };
  }
  const { cpuModel, cores, platform, kernel, totalMemoryBytes } = first.environment;
  return {
    tool: 'zenbench',
    kind: 'run-to-run-spread',
    formatVersion: SPREAD_FORMAT_VERSION,
    machine: { cpuModel, cores, platform, kernel, totalMemoryBytes },
    runs: runs.map((run) => ({
      startedAt: run.startedAt,
      gitCommit: run.environment.gitCommit,
      suite: run.options.suite,
    })),
    classes,
  };
}

/** Why runs cannot be learned from together (made on different machines), or null. */
export function unlearnableBecause(runs: readonly BenchResults[]): string | null {
  const first = runs[0];
  if (first === undefined) return 'no runs';
  const other = runs.find((run) => machineDifference(first.environment, run.environment) !== null);
  return other === undefined
    ? null
    : `the runs were made on different machines (${machineDifference(first.environment, other.environment)})`;
}

/** Where two machines differ in what moves a run's figures, or null. */
function machineDifference(a: SpreadMachine, b: SpreadMachine): string | null {
  if (a.cpuModel !== b.cpuModel) return `CPU ${a.cpuModel} vs ${b.cpuModel}`;
  if (a.cores !== b.cores) return `${a.cores} vs ${b.cores} cores`;
  if (a.platform !== b.platform) return `${a.platform} vs ${b.platform}`;
  return null;
}

export function describeSpreadMachine(machine: SpreadMachine): string {
  return `${machine.cpuModel}, ${machine.cores} cores, ${machine.platform} ${machine.kernel}`;
}

/** --run-to-run's word for no spread between runs: every interval is the run's own. */
export const NO_RUN_TO_RUN = 'none';

export class RunToRunFileError extends Error {}

export function parseRunToRun(text: string, source: string): RunToRunSpread {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new RunToRunFileError(`${source}: not JSON`);
  }
  const spread = data as Partial<RunToRunSpread> | null;
  if (spread?.kind !== 'run-to-run-spread' || spread.formatVersion !== SPREAD_FORMAT_VERSION) {
    throw new RunToRunFileError(
      `${source}: not a run-to-run spread of format ${SPREAD_FORMAT_VERSION} (write one with npm run bench:compare -- --learn FILE RUN.json ...)`,
    );
  }
  if (typeof spread.machine !== 'object' || typeof spread.classes !== 'object' || !Array.isArray(spread.runs)) {
    throw new RunToRunFileError(`${source}: machine, runs or classes missing`);
  }
  return spread as RunToRunSpread;
}

export function readRunToRun(path: string): RunToRunSpread {
  const read = readText(path);
  if ('problem' in read) throw new RunToRunFileError(`${path}: cannot read (${read.problem})`);
  return parseRunToRun(read.text, path);
}

/**
 * The spread a --run-to-run value names: null for NO_RUN_TO_RUN. Unreadable: RunToRunFileError
 * whose message is the user's one line, the same in every command that takes the option.
 */
export function readRunToRunOption(value: string): RunToRunSpread | null {
  if (value === NO_RUN_TO_RUN) return null;
  try {
    return readRunToRun(value);
  } catch (error) {
    if (!(error instanceof RunToRunFileError)) throw error;
    throw new RunToRunFileError(`--run-to-run ${error.message}; give another file, or ${NO_RUN_TO_RUN}`);
  }
}

/**
 * The interval a repeat run's median falls in with the given chance: this run's interval,
 * widened where the spread between runs reaches further.
 */
export function repeatRunInterval(
  median: number,
  withinRun: FigureInterval,
  sigma: number | null,
  level: number,
): FigureInterval {
  if (sigma === null || !(sigma > 0) || !(median > 0)) return withinRun;
  const reach = normalQuantile((1 + level) / 2) * Math.SQRT2 * sigma;
  return {
    low: Math.min(withinRun.low, median * Math.exp(-reach)),
    high: Math.max(withinRun.high, median * Math.exp(reach)),
  };
}

function widened(summary: PointSummary, spread: ClassSpread, level: number): PointSummary {
  const within = summary.withinRunIntervals;
  const widen = (figure: SpreadFigure, interval: FigureInterval): FigureInterval =>
    repeatRunInterval(summary[figure] ?? 0, interval, spread.sigma[figure], level);
  return {
    ...summary,
    intervals: {
      throughput: widen('throughput', within.throughput),
      latencyP50Us: widen('latencyP50Us', within.latencyP50Us),
      latencyP99Us: widen('latencyP99Us', within.latencyP99Us),
      cpuUsPerAnswer: within.cpuUsPerAnswer === null ? null : widen('cpuUsPerAnswer', within.cpuUsPerAnswer),
    },
  };
}

/**
 * The run's points with repeat-run intervals where the spread knows their class and was
 * learned on this machine, and the record of what was done.
 */
export function applyRunToRun(
  points: readonly PointResult[],
  environment: BenchEnvironment,
  spread: RunToRunSpread,
  source: string,
  level: number,
): { points: PointResult[]; record: RunToRunRecord } {
  const difference = machineDifference(spread.machine, environment);
  const record: RunToRunRecord = {
    source,
    learnedFrom: spread.runs.map((run) => run.startedAt),
    machine: describeSpreadMachine(spread.machine),
    applied: difference === null,
    why: difference === null ? null : `learned on another machine (${difference})`,
    missingClasses: [],
    classes: {},
  };
  if (difference !== null) return { points: [...points], record };
  const missing = new Set<string>();
  const updated = points.map((point) => {
    const pointClass = classOf(point);
    const classSpread = spread.classes[pointClass];
    if (point.summary === null) return point;
    if (classSpread === undefined) {
      missing.add(pointClass);
      return point;
    }
    record.classes[pointClass] = classSpread;
    return { ...point, summary: widened(point.summary, classSpread, level) };
  });
  record.missingClasses = [...missing];
  return { points: updated, record };
}

/**
 * A run's intervals derived again from its own and another spread (null: its own alone), as
 * if it had been run with that --run-to-run: judges a spread on runs it was not learned from.
 */
export function withRunToRun(
  results: BenchResults,
  spread: RunToRunSpread | null,
  source: string,
  level: number,
): BenchResults {
  const own = results.points.map((point) =>
    point.summary === null
      ? point
      : { ...point, summary: { ...point.summary, intervals: point.summary.withinRunIntervals } },
  );
  if (spread === null) return { ...results, points: own, runToRun: null };
  const { points, record } = applyRunToRun(own, results.environment, spread, source, level);
  return { ...results, points, runToRun: record };
}
