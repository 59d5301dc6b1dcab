/**
 * The architectures zenbench knows. Adding one is a file in servers/ that exports an
 * Architecture, and one line here; the CLI, tests and bench pick it up from this list.
 */
import { asyncArchitecture } from './async.js';
import { blockingArchitecture } from './blocking.js';
import { clusterArchitecture } from './cluster.js';
import { poolArchitecture } from './pool.js';
import type { Architecture } from './shared/architecture.js';

export const ARCHITECTURES: readonly Architecture[] = [
  blockingArchitecture,
  poolArchitecture,
  clusterArchitecture,
  asyncArchitecture,
];

export const ARCHITECTURE_NAMES: readonly string[] = ARCHITECTURES.map((architecture) => architecture.name);

export function findArchitecture(name: string): Architecture | undefined {
  return ARCHITECTURES.find((architecture) => architecture.name === name);
}
