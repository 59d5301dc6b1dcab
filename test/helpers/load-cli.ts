/** Runs `npm run load`'s entry as a child, bounded in time, and keeps what it printed. */
import { fileURLToPath } from 'node:url';
import { startChild } from '../../lib/child-process.js';

const MAIN = fileURLToPath(new URL('../../loadgen/main.js', import.meta.url));
const RUN_LIMIT_MS = 15_000;

export interface LoadCliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runLoadCli(args: string[]): Promise<LoadCliOutcome> {
  const child = startChild({ command: [process.execPath, MAIN, ...args], keepOutput: true });
  const exit = await child.waitForExit(RUN_LIMIT_MS);
  if (exit === null) {
    child.kill();
    throw new Error(`load CLI still running after ${RUN_LIMIT_MS} ms: ${args.join(' ')}`);
  }
  return { code: exit.code, stdout: child.stdout(), stderr: child.stderr() };
}
