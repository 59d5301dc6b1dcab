/**
 * Nanosecond CPU time of a server's process tree, for windows of a few milliseconds.
 * lib/process-tree.ts gives the tree and CPU time in clock ticks (10 ms), which is right for
 * a bench point of seconds but would put a 4% rounding error on each of our ~15 ms chunks.
 * The scheduler keeps each thread's time in nanoseconds in /proc/<pid>/task/<tid>/schedstat;
 * we sum that over every thread of every process of the tree, and fall back to the tick
 * figure for a window in which a thread exited (its nanoseconds are then lost from the sum).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { listProcessTree, sampleTreeCpu } from './process-tree.js';

export interface TreeCpuReading {
  /** Sum over the tree's live threads of their CPU time so far, in nanoseconds. */
  threadNs: number;
  /** The same, from /proc/<pid>/stat in clock ticks, reaped children included. */
  tickSeconds: number;
  /** pid/tid of every thread summed. */
  threads: Set<string>;
}

function threadRuntimeNs(pid: number, tid: string): number | null {
  try {
    const first = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0];
    const value = Number(first);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null; // the thread exited while we read
  }
}

/** Whether this kernel exposes per-thread run time. */
export function threadRuntimeAvailable(): boolean {
  try {
    return Number.isFinite(Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[0]));
  } catch {
    return false;
  }
}

export function readTreeCpu(rootPid: number): TreeCpuReading {
  let threadNs = 0;
  const threads = new Set<string>();
  for (const pid of listProcessTree(rootPid)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const ns = threadRuntimeNs(pid, tid);
      if (ns === null) continue;
      threadNs += ns;
      threads.add(`${pid}/${tid}`);
    }
  }
  return { threadNs, tickSeconds: sampleTreeCpu(rootPid).cpuSeconds, threads };
}

/**
 * CPU microseconds the tree used between two readings. A thread that was there at the start
 * and is gone at the end took its nanoseconds with it, so that window is measured in ticks.
 */
export function cpuUsBetween(start: TreeCpuReading, end: TreeCpuReading): { cpuUs: number; precise: boolean } {
  for (const thread of start.threads) {
    if (!end.threads.has(thread)) return { cpuUs: (end.tickSeconds - start.tickSeconds) * 1e6, precise: false };
  }
  return { cpuUs: (end.threadNs - start.threadNs) / 1e3, precise: true };
}
