/**
 * The architectures zenbench knows. Adding one is a file in servers/ that exports an
 * Architecture, and one line here; the CLI, tests and bench pick it up from this list.
 */
import { asyncArchitecture } from './async.js';
import { blockingArchitecture } from './blocking.js';
import { clusterArchitecture } from './cluster.js';
import { poolArchitecture } from './pool.js';
import { clusterPoolArchitecture } from './cluster-pool.js';
import { inetdArchitecture } from './inetd.js';
import { reuseportArchitecture } from './reuseport.js';
import { unrunnableReason, type Architecture } from './shared/architecture.js';

export const ARCHITECTURES: readonly Architecture[] = [
  blockingArchitecture,
  poolArchitecture,
  clusterArchitecture,
  asyncArchitecture,
  reuseportArchitecture,
  inetdArchitecture,
  clusterPoolArchitecture,
];

export const ARCHITECTURE_NAMES: readonly string[] = ARCHITECTURES.map((architecture) => architecture.name);

export function findArchitecture(name: string): Architecture | undefined {
  return ARCHITECTURES.find((architecture) => architecture.name === name);
}

/** The architectures this Node can run. */
export function runnableArchitectures(): readonly Architecture[] {
  return ARCHITECTURES.filter((architecture) => unrunnableReason(architecture) === null);
}

/**
 * Names split into those that every one of these Node versions runs (the host's by default; the
 * bench's --node Nodes otherwise) and those one of them cannot, each of the latter with the reason.
 */
export function splitRunnable(
  names: readonly string[],
  versions: readonly string[] = [process.versions.node],
): {
  runnable: string[];
  leftOut: { name: string; reason: string }[];
} {
  const runnable: string[] = [];
  const leftOut: { name: string; reason: string }[] = [];
  for (const name of names) {
    const architecture = findArchitecture(name);
    const reasons =
      architecture === undefined ? [] : versions.flatMap((version) => unrunnableReason(architecture, version) ?? []);
    const reason = reasons[0];
    if (reason === undefined) runnable.push(name);
    else leftOut.push({ name, reason });
  }
  return { runnable, leftOut };
}
