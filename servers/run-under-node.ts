/**
 * `npm run server -- ... --node 24`: the command starts the same server under that Node and
 * stays as its parent, passing every stop signal on and exiting with its exit code. The
 * listening line comes from the server itself, so its pid is that of the process under the
 * other Node.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ensureNodeRuntime } from '../lib/node-runtimes.js';
import { onStopSignal } from './shared/signals.js';

/** argv without `--node X` / `--node=X`: the server under the other Node runs on its own Node. */
export function withoutNodeOption(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index] ?? '';
    if (word === '--node') index++;
    else if (!word.startsWith('--node=')) kept.push(word);
  }
  return kept;
}

/** Resolves when the server under `line` has exited, with the exit code to pass on. */
export async function runUnderNode(line: number, entry: string, argv: readonly string[], say: (text: string) => void) {
  const runtime = ensureNodeRuntime(line, say);
  const child = spawn(runtime.execPath, [entry, ...withoutNodeOption(argv)], { stdio: 'inherit' });
  onStopSignal((signal) => child.kill(signal));
  return new Promise<number>((resolve) => {
    child.on('error', (error) => {
      say(`cannot start ${runtime.execPath}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  });
}
