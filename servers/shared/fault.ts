/**
 * The --fault knob: a deliberate defect in the code that serves a question, so that the fault
 * suite (bench/faults/) can show what one bad question costs each architecture.
 *
 * - `crash:N`: one question in N raises an error that nothing catches, in the thread that works
 *   it out. Node ends a process whose main thread has an uncaught error, and a worker thread
 *   that has one: async and blocking die whole, a cluster worker dies (the primary forks
 *   another), a pool thread dies (piscina starts another) with the task it held.
 * - `stall:N:MS`: one question in N blocks its thread for MS ms before it is worked out.
 *
 * "One in N" is counted per server process: the Nth, 2Nth, ... question that process takes,
 * whichever of its threads takes it (a pool's threads share the count), so a run repeats. A
 * cluster's workers are processes of their own and count their own questions, and an even load
 * would bring them all to their Nth question in the same millisecond, so that one fault would
 * look like the whole cluster's. They are put out of step instead: worker i (0 to W-1, from the
 * cluster's worker ids, or the numbers reuseport gives its processes) first faults at its
 * question N x (1 + 2i + i / W), then every N. The first fault of a cluster is the first
 * worker's alone, even when the load is spread unevenly or moves to the others after it (2N
 * questions of slack), and over a long run the workers' faults take turns, evenly spaced.
 * A worker forked to replace one counts afresh from its start.
 */
import { writeSync } from 'node:fs';
import { UsageError } from '../../lib/cli.js';
import type { ServerOptions } from './architecture.js';
import { processNumber } from './service-time.js';
import { blockThread, countQuestion } from './work.js';

export type Fault =
  | { readonly kind: 'none' }
  | { readonly kind: 'crash'; readonly every: number }
  | { readonly kind: 'stall'; readonly every: number; readonly ms: number };

export const NO_FAULT: Fault = { kind: 'none' };

/** Limits that keep a fault a fault: a stall is at most a minute, one in a billion at the rarest. */
const MAX_EVERY = 1_000_000_000;
const MAX_STALL_MS = 60_000;

export const FAULT_SYNTAX = 'none, crash:N or stall:N:MS';

/** The error a `crash` question raises; never caught. */
export class InjectedCrash extends Error {
  constructor(question: number, fault: string) {
    super(`--fault ${fault}: question ${question} of this process crashes its thread (deliberately uncaught)`);
    this.name = 'InjectedCrash';
  }
}

/** Parses the option's text; a mistake is a UsageError of one line naming the option. */
export function parseFault(text: string): Fault {
  const bad = (why: string): never => {
    throw new UsageError(`--fault must be ${FAULT_SYNTAX} (${why}; got '${text}')`);
  };
  const whole = (part: string | undefined, what: string, max: number): number => {
    if (part === undefined || !/^\d+$/.test(part)) return bad(`${what} is not a whole number`);
    const value = Number(part);
    if (value < 1 || value > max) return bad(`${what} must be from 1 to ${max}`);
    return value;
  };
  const [kind, ...parts] = text.split(':');
  switch (kind) {
    case 'none':
      if (parts.length > 0) bad('none takes no numbers');
      return NO_FAULT;
    case 'crash':
      if (parts.length !== 1) bad('crash takes one number, N');
      return { kind: 'crash', every: whole(parts[0], 'N', MAX_EVERY) };
    case 'stall':
      if (parts.length !== 2) bad('stall takes two numbers, N and MS');
      return { kind: 'stall', every: whole(parts[0], 'N', MAX_EVERY), ms: whole(parts[1], 'MS', MAX_STALL_MS) };
    default:
      return bad(`unknown fault '${kind ?? ''}'`);
  }
}

/** The option's text for a fault: what parseFault reads back. */
export function faultText(fault: Fault): string {
  switch (fault.kind) {
    case 'none':
      return 'none';
    case 'crash':
      return `crash:${fault.every}`;
    case 'stall':
      return `stall:${fault.every}:${fault.ms}`;
  }
}

/** Questions this process skips before it counts: non-zero only for a cluster's workers after the first. */
let offset: number | null = null;

function countingOffset(every: number, workers: number): number {
  if (offset === null) {
    const number = processNumber();
    const slot = number === 0 ? 0 : (number - 1) % workers;
    offset = 2 * slot * every + Math.floor((slot * every) / workers);
  }
  return offset;
}

/**
 * Called by each architecture where a question's work begins, in the thread that does the
 * work. Mostly it returns null: go on and answer. The one question in N of a stall has blocked
 * the thread for MS ms first. The one in N of a crash gets a promise that never settles (the
 * question is never answered), and the error is thrown on the next tick, where nothing can
 * catch it; a pool thread's task must return for that tick to come, which a promise does.
 */
export function meetFault({ fault, workers }: Pick<ServerOptions, 'fault' | 'workers'>): Promise<never> | null {
  if (fault.kind === 'none') return null;
  const question = countQuestion();
  const counted = question - countingOffset(fault.every, workers);
  if (counted <= 0 || counted % fault.every !== 0) return null;
  // A line on stderr says when, for the fault suite's timeline and a reader; written at once,
  // as a thread about to die would lose a buffered write.
  const what = fault.kind === 'crash' ? 'crashes its thread' : `stalls its thread for ${fault.ms} ms`;
  writeSync(
    2,
    `zenbench server: --fault ${faultText(fault)}: question ${question} of process ${process.pid} ${what}\n`,
  );
  if (fault.kind === 'stall') {
    blockThread(fault.ms);
    return null;
  }
  const crash = new InjectedCrash(question, faultText(fault));
  process.nextTick(() => {
    throw crash;
  });
  return new Promise<never>(() => undefined);
}
