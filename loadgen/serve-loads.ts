/**
 * The load generator as a long-lived process: one JSON line of LoadRequest (LoadOptions and
 * the instrument, ours or autocannon) on stdin per run, one JSON line back on stdout with its
 * result ({"result": ...} or {"error": "..."}), until stdin ends. While a run goes on it says
 * when its measured window opens and closes ({"event": "window-start"}, {"event":
 * "window-end"}), so that the caller can read the
 * server's counters around exactly that window. The bench runs hundreds of short windows; a
 * process per window would cost a Node start-up each (about 0.2 s here), which this pays once.
 * Started by spawn-loadgen.ts.
 */
import { createInterface } from 'node:readline';
import { runLoadWith, type LoadRequest } from './instruments.js';

export type WindowEvent = 'window-start' | 'window-end';

async function serve(): Promise<void> {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    let reply: unknown;
    try {
      const request = JSON.parse(line) as LoadRequest;
      const say = (event: WindowEvent): void => void process.stdout.write(`${JSON.stringify({ event })}\n`);
      reply = {
        result: await runLoadWith(request, {
          onWindowStart: () => say('window-start'),
          onWindowEnd: () => say('window-end'),
        }),
      };
    } catch (error) {
      reply = { error: error instanceof Error ? error.message : String(error) };
    }
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
