/**
 * The per-request work knobs, the book's `time.sleep(0.0)  # increase to simulate an
 * expensive operation`, in the three ways an architecture can spend it.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Xorshift steps that take one microsecond on the reference machine (2-core AMD EPYC,
 * Node 20.20, measured with `npm run bench:micro`). The unit is a fixed amount of work, not
 * a clock reading: a busy machine makes `--cpu-us 100` take longer, as real work would, and
 * a regression check counting CPU time sees the same work every run.
 */
export const XORSHIFT_STEPS_PER_US = 640;

let sink = 0x9e3779b9 | 0;

/** Steps between two looks at the cut-off flag: about 100 cpu-us, cheap against the work. */
const STEPS_PER_CHECK = 1 << 16;

/**
 * Shared by every thread of a server process: the watchdog (watchdog.ts) raises the cut-off
 * flag when a shutdown has run out of time, and wakes the threads blocked in blockThread.
 */
const enum Cell {
  Blocker = 0,
  CutOff = 1,
  /** Questions being worked out right now, so that the watchdog can say what it cut off. */
  Busy = 2,
}
/**
 * The cells above, then (8-aligned) the questions the process's threads have counted for the
 * --fault knob (fault.ts): 64 bits, so that no run is long enough to wrap it.
 */
const QUESTIONS_OFFSET = 16;
let control = new Int32Array(new SharedArrayBuffer(QUESTIONS_OFFSET + BigInt64Array.BYTES_PER_ELEMENT), 0, 3);
let questions = new BigInt64Array(control.buffer, QUESTIONS_OFFSET, 1);

/** The memory the watchdog and the pool's threads share with this thread's work. */
export function workControl(): SharedArrayBuffer {
  return control.buffer;
}

/** Makes this thread's work obey a control shared by another thread (the pool's threads call it). */
export function adoptWorkControl(buffer: SharedArrayBuffer): void {
  control = new Int32Array(buffer, 0, 3);
  questions = new BigInt64Array(buffer, QUESTIONS_OFFSET, 1);
}

/** Counts one question for the whole process, all its threads together; returns its number, from 1. */
export function countQuestion(): number {
  return Number(Atomics.add(questions, 0, 1n)) + 1;
}

/** Stops all work of the process, now and later; threads waiting in blockThread wake at once. */
export function cutOffWork(buffer: SharedArrayBuffer): number {
  const shared = new Int32Array(buffer);
  Atomics.store(shared, Cell.CutOff, 1);
  Atomics.notify(shared, Cell.Blocker);
  return Atomics.load(shared, Cell.Busy);
}

/** Thrown by work that a shutdown cut off: the connection that asked is cut off with it. */
export class WorkCutOff extends Error {
  constructor() {
    super('work cut off by the shutdown');
  }
}

/**
 * Burns `us` cpu-us of deterministic work. The result feeds a module-level sink, so the JIT
 * cannot prove the loop dead and drop it.
 */
export function burnCpu(us: number): number {
  let steps = Math.round(us * XORSHIFT_STEPS_PER_US);
  if (steps === 0) return sink;
  let x = sink | 1;
  Atomics.add(control, Cell.Busy, 1);
  try {
    while (steps > 0) {
      if (Atomics.load(control, Cell.CutOff) !== 0) throw new WorkCutOff();
      const slice = Math.min(steps, STEPS_PER_CHECK);
      for (let i = 0; i < slice; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
      }
      steps -= slice;
    }
  } finally {
    Atomics.sub(control, Cell.Busy, 1);
  }
  sink = x;
  return x;
}

/** Blocks the calling thread for `ms`, as a synchronous database driver would. */
export function blockThread(ms: number): void {
  if (ms <= 0) return;
  if (Atomics.load(control, Cell.CutOff) !== 0) throw new WorkCutOff();
  Atomics.add(control, Cell.Busy, 1);
  try {
    Atomics.wait(control, Cell.Blocker, 0, ms);
  } finally {
    Atomics.sub(control, Cell.Busy, 1);
  }
  if (Atomics.load(control, Cell.CutOff) !== 0) throw new WorkCutOff();
}

/** Waits `ms` without blocking the event loop, as an asynchronous driver would. */
export function waitAsync(ms: number): Promise<void> {
  return sleep(ms);
}
