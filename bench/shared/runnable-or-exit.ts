/**
 * The architectures a command can measure: those every Node its servers run under can run.
 * Each one left out is named on stderr with its reason; when none is left, the command has
 * nothing to do and says so in one line (exit 2) rather than write an empty result.
 */
import { fail } from '../../lib/cli.js';
import { splitRunnable } from '../../servers/registry.js';

export function runnableOrExit(
  prog: string,
  names: readonly string[],
  { versions, remedy }: { versions?: readonly string[]; remedy: string },
): string[] {
  const { runnable, leftOut } = splitRunnable(names, versions);
  if (runnable.length === 0 && leftOut.length > 0) {
    fail(prog, `nothing to measure: ${leftOut.map(({ reason }) => reason).join('; ')}: ${remedy}`, 2);
  }
  for (const { name, reason } of leftOut) process.stderr.write(`${prog}: left out: ${name}: ${reason}\n`);
  return runnable;
}
