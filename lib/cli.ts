/**
 * What every zenbench command does with a user's mistake: one line that says what to do,
 * and a non-zero exit (2 for bad usage, as the README promises).
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

/** An integer option within [min, max], or the default when it was not given. */
export function integerOption(
  values: Record<string, string | boolean | undefined>,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw);
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} must be a whole number ${range} (got '${text}')`);
  }
  return value;
}

/** A number option (fractions allowed) within [min, max], or the default. */
export function numberOption(
  values: Record<string, string | boolean | undefined>,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_VALUE,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw);
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Number.MAX_VALUE ? `${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} must be a number ${range} (got '${text}')`);
  }
  return value;
}

/** One of a fixed set of words, or the default. */
export function choiceOption<C extends string>(
  values: Record<string, string | boolean | undefined>,
  name: string,
  fallback: C,
  choices: readonly C[],
): C {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw);
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')} (got '${text}')`);
  }
  return text as C;
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
