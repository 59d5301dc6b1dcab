/** Where profile reports go: a fresh directory per run, so that no run overwrites another's. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILES_DIR } from '../shared/paths.js';

/** This file runs as dist/bench/profile/profile-dir.js; the project is three levels up. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEFAULT_PROFILES_DIR = join(PROJECT_ROOT, PROFILES_DIR);

/** e.g. 20261122-014938 in UTC, so that names sort by time. */
function timestamp(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
}

/** Creates <parent>/<tool>-<architecture>-<time>[-n] and returns its absolute path. */
export function createReportDirectory(parent: string, tool: string, architecture: string, now = new Date()): string {
  const base = join(resolve(parent), `${tool}-${architecture}-${timestamp(now)}`);
  mkdirSync(resolve(parent), { recursive: true });
  for (let attempt = 1; attempt <= 100; attempt++) {
    const candidate = attempt === 1 ? base : `${base}-${attempt}`;
    try {
      mkdirSync(candidate);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`cannot create a fresh report directory next to ${base}`);
}
