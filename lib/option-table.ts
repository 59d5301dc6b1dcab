/**
 * Every command's options are declared once, as a table: flag, default, range, help text.
 * Parsing, validation, the usage text, the argument lists that start one command from
 * another, and the options tables in docs/ are all derived from it, so none can drift from
 * the others (the models: autocannon's defaultOptions + validate, Node's createBenchmark).
 */
import { parseCommandLine, UsageError } from './cli.js';

interface Common {
  /** The long flag without its dashes. */
  readonly flag: string;
  readonly help: string;
  /** The value's name in the usage text, e.g. N or ADDR. */
  readonly arg?: string;
  readonly short?: string;
  /** What the usage text says in place of the default, when the default depends on something else. */
  readonly defaultLabel?: string;
}
export interface IntegerSpec extends Common {
  readonly kind: 'integer';
  readonly default?: number;
  readonly min: number;
  readonly max?: number;
}
export interface NumberSpec extends Common {
  readonly kind: 'number';
  readonly default?: number;
  readonly min: number;
  readonly max?: number;
}
export interface ChoiceSpec<C extends string = string> extends Common {
  readonly kind: 'choice';
  readonly default?: C;
  readonly choices: readonly C[];
}
export interface TextSpec extends Common {
  readonly kind: 'text';
  readonly default?: string;
}
export interface FlagSpec extends Common {
  readonly kind: 'flag';
}
/** Comma-separated words; `choices`, when given, are the words allowed. */
export interface WordListSpec extends Common {
  readonly kind: 'words';
  readonly default?: readonly string[];
  readonly choices?: readonly string[];
}
/** Comma-separated whole numbers within [min, max]. */
export interface IntegerListSpec extends Common {
  readonly kind: 'integers';
  readonly default?: readonly number[];
  readonly min: number;
  readonly max: number;
}

/**
 * A value with a syntax of its own (say a distribution): `parse` reads the text and throws a
 * UsageError of one line naming the option (`name`) for a bad one; `format` writes a value
 * back as text that `parse` reads, for the argument builders and the usage text.
 */
export interface ParsedSpec<T = unknown> extends Common {
  readonly kind: 'parsed';
  readonly default?: T;
  /** What the usage text says about the accepted values, in place of a range. */
  readonly limits?: string;
  parse(text: string, name: string): T;
  format(value: T): string;
}

export type OptionSpec =
  IntegerSpec | NumberSpec | ChoiceSpec | TextSpec | FlagSpec | WordListSpec | IntegerListSpec | ParsedSpec;
/** Property name (as the program uses it) to its declaration. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

type ValueOf<S> = S extends IntegerSpec | NumberSpec
  ? number
  : S extends ChoiceSpec<infer C>
    ? C
    : S extends TextSpec
      ? string
      : S extends FlagSpec
        ? boolean
        : S extends WordListSpec
          ? string[]
          : S extends IntegerListSpec
            ? number[]
            : S extends ParsedSpec<infer T>
              ? T
              : never;
type HasDefault<S> = S extends FlagSpec ? true : S extends { readonly default: unknown } ? true : false;
/** What parsing yields: a value for every option, undefined only where the table has no default. */
export type OptionValues<T extends OptionTable> = {
  -readonly [K in keyof T]: HasDefault<T[K]> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

/** Every command takes -h/--help; it is declared here, not in each table. */
const HELP: FlagSpec = { kind: 'flag', flag: 'help', short: 'h', help: 'this text' };

function range(spec: { min: number; max?: number }): string {
  return spec.max === undefined ? `${spec.min} or more` : `from ${spec.min} to ${spec.max}`;
}

/** Checks one value the way the command line would; the message names it by `name`. */
export function checkValue(spec: OptionSpec, value: unknown, name: string): void {
  const bad = (what: string): never => {
    throw new UsageError(`${name} must be ${what} (got '${String(value)}')`);
  };
  switch (spec.kind) {
    case 'integer':
      if (
        typeof value !== 'number' ||
        !Number.isSafeInteger(value) ||
        value < spec.min ||
        value > (spec.max ?? Infinity)
      ) {
        bad(`a whole number ${range(spec)}`);
      }
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < spec.min || value > (spec.max ?? Infinity)) {
        bad(`a number ${range(spec)}`);
      }
      return;
    case 'choice':
      if (typeof value !== 'string' || !spec.choices.includes(value)) bad(`one of ${spec.choices.join(', ')}`);
      return;
    case 'text':
      if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${name} must not be empty`);
      return;
    default:
      return;
  }
}

function parseValue(spec: OptionSpec, raw: string | boolean | undefined): unknown {
  if (spec.kind === 'flag') return raw === true;
  if (raw === undefined) return spec.default === undefined ? undefined : structuredClone(spec.default);
  const text = String(raw);
  const name = `--${spec.flag}`;
  switch (spec.kind) {
    case 'integer': {
      const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isNaN(value)) throw new UsageError(`${name} must be a whole number ${range(spec)} (got '${text}')`);
      checkValue(spec, value, name);
      return value;
    }
    case 'number': {
      const value = text.trim() === '' ? Number.NaN : Number(text);
      checkValue(spec, value, name);
      return value;
    }
    case 'choice':
    case 'text':
      checkValue(spec, text, name);
      return text;
    case 'words': {
      const words = listItems(text, name);
      const unknown = spec.choices === undefined ? undefined : words.find((word) => !spec.choices?.includes(word));
      if (unknown !== undefined) {
        throw new UsageError(`${name}: unknown '${unknown}' (known: ${spec.choices?.join(', ') ?? ''})`);
      }
      return words;
    }
    case 'parsed':
      return spec.parse(text, name);
    case 'integers':
      return listItems(text, name).map((item) => {
        const value = Number(item);
        if (!/^\d+$/.test(item) || value < spec.min || value > spec.max) {
          throw new UsageError(`${name}: '${item}' is not a whole number ${range(spec)}`);
        }
        return value;
      });
  }
}

function listItems(text: string, name: string): string[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) throw new UsageError(`${name} needs at least one value`);
  return [...new Set(items)];
}

export interface ParsedCommandLine<T extends OptionTable> {
  values: OptionValues<T>;
  help: boolean;
  positionals: string[];
}

/** Parses argv against the table; a mistake is a UsageError of one line. */
export function parseOptions<T extends OptionTable>(
  table: T,
  argv: string[],
  allowPositionals = false,
): ParsedCommandLine<T> {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const spec of [...Object.values(table), HELP]) {
    config[spec.flag] = {
      type: spec.kind === 'flag' ? 'boolean' : 'string',
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  const { values: raw, positionals } = parseCommandLine(argv, config, allowPositionals);
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) values[key] = parseValue(spec, raw[spec.flag]);
  return { values: values as OptionValues<T>, help: raw.help === true, positionals };
}

/** The argument list that gives a command these values (undefined and false are left out). */
export function toArgv<T extends OptionTable>(table: T, values: Partial<OptionValues<T>>): string[] {
  const argv: string[] = [];
  for (const [key, spec] of Object.entries(table)) {
    const value: unknown = (values as Record<string, unknown>)[key];
    if (value === undefined || value === false) continue;
    if (value === true) argv.push(`--${spec.flag}`);
    else if (spec.kind === 'parsed') argv.push(`--${spec.flag}`, spec.format(value));
    else argv.push(`--${spec.flag}`, Array.isArray(value) ? value.join(',') : `${value as string | number}`);
  }
  return argv;
}

function flagText(spec: OptionSpec): string {
  const long = `--${spec.flag}${spec.kind === 'flag' ? '' : ` ${spec.arg ?? 'X'}`}`;
  return spec.short === undefined ? long : `-${spec.short}, ${long}`;
}

function defaultText(spec: OptionSpec): string | null {
  if (spec.defaultLabel !== undefined) return spec.defaultLabel;
  if (spec.kind === 'flag' || spec.default === undefined) return null;
  if (spec.kind === 'parsed') return spec.format(spec.default);
  return Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
}

function limitsText(spec: OptionSpec): string | null {
  if (spec.kind === 'integer' || spec.kind === 'number' || spec.kind === 'integers') {
    return spec.max === undefined ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
  }
  if (spec.kind === 'choice') return spec.choices.join(' | ');
  if (spec.kind === 'parsed') return spec.limits ?? null;
  return null;
}

const USAGE_WIDTH = 100;

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/** The options part of a usage text: one aligned entry per option, help last. */
export function usageLines(table: OptionTable): string {
  const specs = [...Object.values(table), HELP];
  const width = Math.max(...specs.map((spec) => flagText(spec).length)) + 4;
  return specs
    .map((spec) => {
      const notes = [limitsText(spec), defaultText(spec) === null ? null : `default ${defaultText(spec)}`];
      const said = notes.filter((note): note is string => note !== null);
      const help = said.length === 0 ? spec.help : `${spec.help} (${said.join('; ')})`;
      const [first = '', ...rest] = wrap(help, Math.max(40, USAGE_WIDTH - width));
      return [`  ${flagText(spec).padEnd(width - 2)}${first}`, ...rest.map((line) => ' '.repeat(width) + line)].join(
        '\n',
      );
    })
    .join('\n');
}

/** The same as a Markdown table, for the command's page in docs/. */
export function optionsMarkdown(table: OptionTable): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = [...Object.values(table), HELP].map((spec) => {
    const limits = limitsText(spec);
    const given = defaultText(spec);
    const described = spec.defaultLabel === undefined ? `\`${cell(given ?? '')}\`` : cell(spec.defaultLabel);
    const fallback = given === null ? (spec.kind === 'flag' ? 'off' : '') : described;
    const help = `${cell(spec.help)}${limits === null ? '' : ` (${cell(limits)})`}`;
    return `| \`${cell(flagText(spec))}\` | ${fallback} | ${help} |`;
  });
  return ['| option | default | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}
