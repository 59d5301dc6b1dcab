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

/**
 * Burns `us` cpu-us of deterministic work. The result feeds a module-level sink, so the JIT
 * cannot prove the loop dead and drop it.
 */
export function burnCpu(us: number): number {
  const steps = Math.round(us * XORSHIFT_STEPS_PER_US);
  let x = sink | 1;
  for (let i = 0; i < steps; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  sink = x;
  return x;
}

const blocker = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the calling thread for `ms`, as a synchronous database driver would. */
export function blockThread(ms: number): void {
  if (ms > 0) Atomics.wait(blocker, 0, 0, ms);
}

/** Waits `ms` without blocking the event loop, as an asynchronous driver would. */
export function waitAsync(ms: number): Promise<void> {
  return sleep(ms);
}
