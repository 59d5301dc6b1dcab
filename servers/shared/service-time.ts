/**
 * What a question costs under --cpu-us and --io-ms: a fixed amount, as the book's
 * `time.sleep(0.0)` has it, or a distribution, because real services have a tail of expensive
 * requests and that tail is where the architectures differ most. One syntax for the server's
 * command line, the bench's workloads and the profiler:
 *
 * - `N`: every question costs N (a whole number).
 * - `exp:MEAN`: exponentially distributed with that mean (a whole number, at least 1).
 * - `mix:P%:A:B`: P% of the questions cost A, the others B (P above 0 and below 100, decimals
 *   allowed; A and B whole numbers), e.g. `mix:98%:50:5000`.
 *
 * Draws come from a seeded generator per thread that works out questions (`--seed`), so a run
 * can be repeated: see serviceCosts for the streams.
 */
import cluster from 'node:cluster';
import { isMainThread, threadId } from 'node:worker_threads';
import { UsageError } from '../../lib/cli.js';
import type { ParsedSpec } from '../../lib/option-table.js';
import { seededRandom, streamSeed } from '../../lib/seeded-random.js';

export type ServiceDistribution =
  | { readonly kind: 'exp'; readonly mean: number }
  | { readonly kind: 'mix'; readonly percent: number; readonly a: number; readonly b: number };
/** A plain number is a fixed cost, so that fixed values read and travel as they always have. */
export type ServiceTime = number | ServiceDistribution;

/** One of the two knobs: its flag, its limit, and whether its draws must be whole units. */
export interface ServiceKnob {
  readonly flag: string;
  readonly max: number;
  /** Draws are rounded to whole units, so that every architecture's wait is a whole number of ms. */
  readonly whole: boolean;
  /** The knob's part of its generator's stream number, so the two knobs draw independently. */
  readonly stream: number;
}

export const CPU_US: ServiceKnob = { flag: 'cpu-us', max: 10_000_000, whole: false, stream: 1 };
export const IO_MS: ServiceKnob = { flag: 'io-ms', max: 600_000, whole: true, stream: 2 };

export const SERVICE_TIME_SYNTAX = 'N, exp:MEAN or mix:P%:A:B';

/** Reads a knob's text; a mistake is a UsageError of one line naming the option. */
export function parseServiceTime(text: string, knob: ServiceKnob, name = `--${knob.flag}`): ServiceTime {
  const bad = (why: string): never => {
    throw new UsageError(`${name} must be ${SERVICE_TIME_SYNTAX} (${why}; got '${text}')`);
  };
  const whole = (part: string | undefined, what: string, min: number): number => {
    if (part === undefined || !/^\d+$/.test(part)) return bad(`${what} is not a whole number`);
    const value = Number(part);
    if (value < min || value > knob.max) return bad(`${what} must be from ${min} to ${knob.max}`);
    return value;
  };
  const [kind = '', ...parts] = text.trim().split(':');
  if (parts.length === 0) return whole(kind, 'N', 0);
  switch (kind) {
    case 'exp':
      if (parts.length !== 1) bad('exp takes one number, MEAN');
      return { kind: 'exp', mean: whole(parts[0], 'MEAN', 1) };
    case 'mix': {
      if (parts.length !== 3) bad('mix takes P%, A and B');
      const share = /^(\d+(?:\.\d+)?)%$/.exec(parts[0] ?? '');
      const percent = Number(share?.[1]);
      if (share === null || !(percent > 0 && percent < 100)) bad('P% must be a percentage above 0% and below 100%');
      return { kind: 'mix', percent, a: whole(parts[1], 'A', 0), b: whole(parts[2], 'B', 0) };
    }
    default:
      return bad(`unknown distribution '${kind}'`);
  }
}

/** The text parseServiceTime reads back. */
export function serviceTimeText(time: ServiceTime): string {
  if (typeof time === 'number') return String(time);
  return time.kind === 'exp' ? `exp:${time.mean}` : `mix:${time.percent}%:${time.a}:${time.b}`;
}

/** The mean cost of a question. */
export function serviceTimeMean(time: ServiceTime): number {
  if (typeof time === 'number') return time;
  // Divided last, so that whole percentages give an exact mean (149, not 149.00000000000009).
  return time.kind === 'exp' ? time.mean : (time.percent * time.a + (100 - time.percent) * time.b) / 100;
}

/** The cost of a fixed service time, for what needs one (the regression check adds to it). */
export function fixedServiceTime(time: ServiceTime, what: string): number {
  if (typeof time !== 'number') throw new Error(`${what} must be a fixed cost, not ${serviceTimeText(time)}`);
  return time;
}

/** The knob's option entry: the server's table declares it, the profiler and the bench reuse it. */
export function serviceTimeOption(
  knob: ServiceKnob,
  help: string,
): ParsedSpec<ServiceTime> & { readonly default: ServiceTime } {
  return {
    kind: 'parsed',
    flag: knob.flag,
    arg: 'D',
    default: 0,
    limits: `${SERVICE_TIME_SYNTAX}; numbers from 0 to ${knob.max}`,
    help,
    parse: (text, name) => parseServiceTime(text, knob, name),
    format: serviceTimeText,
  };
}

/** Draws the cost of one question. */
export type Draw = () => number;

/** Draws from a distribution with `random`, uniform in [0, 1). */
export function sampler(time: ServiceTime, knob: ServiceKnob, random: () => number): Draw {
  if (typeof time === 'number') return () => time;
  if (time.kind === 'mix') {
    const { percent, a, b } = time;
    return () => (random() * 100 < percent ? a : b);
  }
  const { mean } = time;
  return () => {
    // Inverse transform; 1 - u keeps log away from 0. Capped at the knob's own limit.
    const drawn = Math.min(knob.max, -Math.log(1 - random()) * mean);
    if (!knob.whole) return drawn;
    // Rounded up with the probability of the fraction, so that the mean stays exactly the mean.
    const floor = Math.floor(drawn);
    return random() < drawn - floor ? floor + 1 : floor;
  };
}

/** The seed option's default: fixed, so that two runs given nothing draw the same costs. */
export const DEFAULT_SEED = 1;

/** Set by a process of a multi-process server that is not a cluster worker (see processNumber). */
let processNumberSet: number | null = null;

/**
 * Which process of its server this one is: 0 for a single-process server, the worker's id for a
 * cluster worker (1 to W, and a replacement gets a new id), and the number its parent gave it
 * for reuseport's and inetd's processes (setProcessNumber), counted the same way.
 */
export function processNumber(): number {
  return processNumberSet ?? cluster.worker?.id ?? 0;
}

export function setProcessNumber(number: number): void {
  processNumberSet = number;
}

/** Streams kept apart for the threads of one process: a pool's threads are far fewer. */
const STREAMS_PER_PROCESS = 4096;

/**
 * This thread's stream: its process's number (processNumber) for a main thread, and for a pool
 * thread its Node threadId within the streams of its process (a pool thread of a cluster-pool
 * worker is told its process's number by setProcessNumber). So every thread that works out
 * questions in one server draws from a sequence of its own, the same one every run with the
 * same seed.
 */
function streamOfThisThread(): number {
  if (!isMainThread) return processNumber() * STREAMS_PER_PROCESS + threadId;
  return processNumber();
}

export interface ServiceCosts {
  readonly cpuUs: Draw;
  readonly ioMs: Draw;
}

/** The two knobs' draws for the thread that calls it, each from its own seeded stream. */
export function serviceCosts(options: { cpuUs: ServiceTime; ioMs: ServiceTime; seed: number }): ServiceCosts {
  const stream = streamOfThisThread();
  const draw = (time: ServiceTime, knob: ServiceKnob): Draw =>
    sampler(time, knob, seededRandom(streamSeed(options.seed, stream, knob.stream)));
  return { cpuUs: draw(options.cpuUs, CPU_US), ioMs: draw(options.ioMs, IO_MS) };
}
