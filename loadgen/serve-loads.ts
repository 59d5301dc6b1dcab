/**
 * The load generator as a long-lived process: one JSON line of LoadOptions on stdin per run,
 * one JSON line back on stdout with its result ({"result": ...} or {"error": "..."}), until
 * stdin ends. While a run goes on it says when its measured window opens and closes
 * ({"event": "window-start"}, {"event": "window-end"}), so that the caller can read the
 * server's counters around exactly that window. The bench runs hundreds of short windows; a
 * process per window would cost a Node start-up each (about 0.2 s here), which this pays once.
 * Started by spawn-loadgen.ts.
 */
import { createInterface } from 'node:readline';
import { runLoad } from './index.js';
import type { LoadOptions } from './types.js';

export type WindowEvent = 'window-start' | 'window-end';

async function serve(): Promise<void> {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    let reply: unknown;
    const timers: NodeJS.Timeout[] = [];
    try {
      const options = JSON.parse(line) as LoadOptions;
      // The engine times its window from the same moment, on the same event loop.
      const say = (event: WindowEvent): void => void process.stdout.write(`${JSON.stringify({ event })}\n`);
      timers.push(setTimeout(() => say('window-start'), options.warmupS * 1000));
      timers.push(setTimeout(() => say('window-end'), (options.warmupS + options.durationS) * 1000));
      reply = { result: await runLoad(options) };
    } catch (error) {
      reply = { error: error instanceof Error ? error.message : String(error) };
    }
    timers.forEach(clearTimeout);
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
}

serve().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`load service: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
