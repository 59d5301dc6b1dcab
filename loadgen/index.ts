/**
 * The load generator as a library: `runLoad(options)` runs one load against a zen server and
 * resolves to its LoadResult. A failing server never makes it throw: refused connects, resets,
 * wrong answers and silence all end up as error counts, within the run's time bound.
 * It throws only for options that cannot be run (LoadOptionsError) or a fault of its own.
 */
import { epochNowMs, runThread } from './engine.js';
import { resolveLoadOptions } from './load-options.js';
import { planThreads } from './plan.js';
import { buildResult } from './result.js';
import { runInWorkers } from './threads.js';
import type { LoadOptions, LoadResult } from './types.js';

export { DEFAULT_LOAD_OPTIONS, LoadOptionsError, isLoopbackHost, resolveLoadOptions } from './load-options.js';
export type * from './types.js';

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const resolved = resolveLoadOptions(options);
  const plans = planThreads(resolved);
  const reports = plans.length === 1 ? [await runThread(plans[0]!, epochNowMs())] : await runInWorkers(plans);
  return buildResult(resolved, reports);
}
