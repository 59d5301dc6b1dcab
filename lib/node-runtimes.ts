/**
 * Other Node.js release lines to run servers under. Each line is the npm package `node@<line>`
 * (which installs the platform's binary package), installed on first use into the git-ignored
 * NODE_CACHE_DIR, one folder per line; nothing is downloaded from anywhere but the registry
 * npm is configured with. The host's own line is the host's Node, not a copy of it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './cli.js';
import type { ParsedSpec } from './option-table.js';

export const NODE_CACHE_DIR = '.cache/node';
/** The oldest line the project runs on (package.json engines). */
export const OLDEST_NODE_LINE = 20;
/** No Node line above this exists yet; a larger number is a typo rather than a wish. */
const NEWEST_NODE_LINE = 99;

export interface NodeRuntime {
  /** The release line asked for, e.g. 24. */
  readonly line: number;
  /** How ids and tables name it: node24. */
  readonly label: string;
  /** The exact version, e.g. v24.21.0. */
  readonly version: string;
  readonly execPath: string;
}

export function runtimeLabel(line: number): string {
  return `node${line}`;
}

export function hostNodeLine(): number {
  return Number(process.versions.node.split('.')[0]);
}

/** `--node 22,24`: release lines (major versions), each once, in the order given. */
export function parseNodeLines(text: string, name = '--node'): number[] {
  const words = text.split(',').map((word) => word.trim().replace(/^v/, ''));
  const lines: number[] = [];
  for (const word of words) {
    const line = /^\d+$/.test(word) ? Number(word) : NaN;
    if (!Number.isInteger(line) || line < OLDEST_NODE_LINE || line > NEWEST_NODE_LINE) {
      throw new UsageError(
        `${name} takes Node release lines (major versions from ${OLDEST_NODE_LINE}), comma-separated, e.g. 22,24; got '${text}'`,
      );
    }
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}

export function formatNodeLines(lines: number[]): string {
  return lines.join(',');
}

/** Where a line's installation lives: .cache/node/<line>/. */
export function nodeCachePath(line: number, cacheDir = NODE_CACHE_DIR): string {
  return path.join(cacheDir, String(line));
}

/** The node binary inside a line's installation (the `node` package puts it under its bin/). */
export function cachedNodeBinary(line: number, cacheDir = NODE_CACHE_DIR): string {
  return path.join(nodeCachePath(line, cacheDir), 'node_modules', 'node', 'bin', 'node');
}

/** `v24.21.0` from `node --version`'s output; null for anything else. */
export function parseNodeVersion(output: string): string | null {
  const match = /^v(\d+)\.(\d+)\.(\d+)\s*$/.exec(output.trim());
  return match === null ? null : `v${match[1]}.${match[2]}.${match[3]}`;
}

function versionOf(execPath: string): string {
  const version = parseNodeVersion(execFileSync(execPath, ['--version'], { encoding: 'utf8' }));
  if (version === null) throw new Error(`${execPath} --version did not print a Node version`);
  return version;
}

/**
 * Installs node@<line> into a temporary folder beside the cache and renames it into place, so
 * that an interrupted install never leaves a half-filled cache that looks complete.
 */
function install(line: number, cacheDir: string, say: (line: string) => void): void {
  mkdirSync(cacheDir, { recursive: true });
  const temporary = path.join(cacheDir, `.installing-${line}-${process.pid}`);
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary);
  say(`installing Node ${line} from the npm registry (node@${line}) into ${nodeCachePath(line, cacheDir)}, once`);
  try {
    execFileSync(
      'npm',
      ['install', '--prefix', temporary, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node@${line}`],
      { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
    );
    rmSync(nodeCachePath(line, cacheDir), { recursive: true, force: true });
    renameSync(temporary, nodeCachePath(line, cacheDir));
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? '';
    throw new Error(`cannot install node@${line} with npm${stderr === '' ? '' : `: ${stderr}`}`, { cause: error });
  }
}

/**
 * The runtime of one release line: the host's Node for the host's line, otherwise the cached
 * installation, installed first if need be (with a line on `say`).
 */
export function ensureNodeRuntime(
  line: number,
  say: (text: string) => void = () => undefined,
  cacheDir = NODE_CACHE_DIR,
): NodeRuntime {
  if (line === hostNodeLine()) {
    return { line, label: runtimeLabel(line), version: process.version, execPath: process.execPath };
  }
  const binary = cachedNodeBinary(line, cacheDir);
  if (!existsSync(binary)) install(line, cacheDir, say);
  const execPath = realpathSync(binary);
  const version = versionOf(execPath);
  if (Number(version.slice(1).split('.')[0]) !== line) {
    throw new Error(`${execPath} is ${version}, not Node ${line}: remove ${nodeCachePath(line, cacheDir)}`);
  }
  return { line, label: runtimeLabel(line), version, execPath };
}

/** The host's own Node as a runtime, for runs without --node. */
export function hostRuntime(): NodeRuntime {
  return {
    line: hostNodeLine(),
    label: runtimeLabel(hostNodeLine()),
    version: process.version,
    execPath: process.execPath,
  };
}

/**
 * `--node LIST`, declared once for every command that takes it; each adds its own help. No
 * default: without it, the host's Node.
 */
export const NODE_OPTION = {
  kind: 'parsed',
  flag: 'node',
  arg: 'LIST',
  defaultLabel: "the host's",
  limits: `Node release lines from ${OLDEST_NODE_LINE}, comma-separated, e.g. 22,24`,
  parse: (text: string, name: string): number[] => parseNodeLines(text, name),
  format: formatNodeLines,
} as const satisfies Omit<ParsedSpec<number[]>, 'help'>;

/** Every runtime of `lines` (installing those not cached yet, with a line on `say`), or the host's alone. */
export function resolveRuntimes(lines: readonly number[] | undefined, say: (text: string) => void): NodeRuntime[] {
  if (lines === undefined || lines.length === 0) return [hostRuntime()];
  return lines.map((line) => ensureNodeRuntime(line, say));
}
