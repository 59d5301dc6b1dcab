/**
 * The load generators a run can be measured with: ours (zenbench: TCP and HTTP, every mode,
 * microsecond latency) and autocannon (HTTP, closed mode). The load service runs either.
 */
import { runAutocannon, type WindowCallbacks } from './autocannon-load.js';
import { runLoad } from './index.js';
import { LOAD_COMMAND_OPTIONS } from './load-options.js';
import type { LoadOptions, LoadResult } from './types.js';

export const INSTRUMENTS = LOAD_COMMAND_OPTIONS.instrument.choices;
export type Instrument = (typeof INSTRUMENTS)[number];

/** One run asked of the load service: the load and the instrument that drives it (ours unless said). */
export interface LoadRequest extends LoadOptions {
  instrument?: Instrument;
}

/** Runs one load; `window` hears when the measured window opens and closes. */
export async function runLoadWith(request: LoadRequest, window: WindowCallbacks): Promise<LoadResult> {
  const { instrument = 'zenbench', ...options } = request;
  if (instrument === 'autocannon') return runAutocannon(options, window);
  // The engine times its window from the same moment, on the same event loop.
  const timers = [
    setTimeout(() => window.onWindowStart?.(), options.warmupS * 1000),
    setTimeout(() => window.onWindowEnd?.(), (options.warmupS + options.durationS) * 1000),
  ];
  try {
    return await runLoad(options);
  } finally {
    timers.forEach(clearTimeout);
  }
}
