/**
 * What every zenbench command does with a user's mistake: one line that says what to do,
 * and a non-zero exit (2 for bad usage, as docs/ promises).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

/** Prints `prog: message` on stderr and exits; never returns. */
export function fail(prog: string, message: string, exitCode = 2): never {
  process.stderr.write(`${prog}: ${message}\n`);
  process.exit(exitCode);
}

/** Runs `parse`; a UsageError it throws becomes the one-line message and exit `exitCode`. */
export function parseOrExit<T>(prog: string, parse: () => T, exitCode = 2): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageError) fail(prog, error.message, exitCode);
    throw error;
  }
}

/** node:util parseArgs, with its errors turned into a UsageError of one line. */
export function parseCommandLine<T extends ParseArgsConfig['options']>(
  argv: string[],
  options: T,
  allowPositionals = false,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: values, positionals };
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? String(error)) : String(error);
    throw new UsageError(`${message} (see --help)`);
  }
}

/**
 * The one positional argument naming an architecture, checked against the known names.
 * With --help it may be missing; then the result is ''.
 */
export function architectureArgument(positionals: string[], names: readonly string[], help: boolean): string {
  const [architecture, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (see --help)`);
  if (architecture === undefined) {
    if (help) return '';
    throw new UsageError(`name an architecture: ${names.join(', ')} (see --help)`);
  }
  if (!names.includes(architecture)) {
    throw new UsageError(`unknown architecture '${architecture}': choose one of ${names.join(', ')}`);
  }
  return architecture;
}
