/**
 * What an architecture is to the rest of zenbench: a name, one line for the reader, and a
 * way to start serving the zen protocol with the common options.
 */

import type { OptionValues } from '../../lib/option-table.js';
import type { SERVER_OPTIONS } from '../server-options.js';
import type { Fault } from './fault.js';

/**
 * The common options, as servers/server-options.ts declares them (their meaning and limits are
 * there), with the number of workers always settled and the fault parsed.
 */
export type ServerOptions = Omit<OptionValues<typeof SERVER_OPTIONS>, 'workers' | 'fault'> & {
  workers: number;
  fault: Fault;
};
export type Schedule = ServerOptions['schedule'];

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** Stops accepting, answers what is in flight, closes every connection. */
  close(): Promise<void>;
}

export interface Architecture {
  readonly name: string;
  readonly summary: string;
  /** The options only some architectures take, so that the listening line reports just those. */
  readonly takes: readonly ('workers' | 'schedule' | 'threads')[];
  /** The oldest Node it runs on, when that is newer than the project's own minimum. */
  readonly minimumNode?: string;
  start(options: ServerOptions): Promise<RunningServer>;
}

/** Why the architecture cannot run on this Node (one line, naming the version it needs), or null if it can. */
export function unrunnableReason(architecture: Architecture, version: string = process.versions.node): string | null {
  const needed = architecture.minimumNode;
  if (needed === undefined || !olderThan(version, needed)) return null;
  return `${architecture.name} needs Node ${needed} or newer (this is ${version})`;
}

function olderThan(version: string, than: string): boolean {
  const parts = (text: string): number[] => text.replace(/^v/, '').split('.').map(Number);
  const [a, b] = [parts(version), parts(than)];
  for (let i = 0; i < 3; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference < 0;
  }
  return false;
}
