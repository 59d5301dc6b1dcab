/**
 * How much CPU a generator thread uses: the number that tells whether the generator, not
 * the server, was the limit of a run.
 */
import { readFileSync } from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { ThreadUsage } from './plan.js';

export interface UsageSample {
  atMs: number;
  threadCpuNs: number | null;
  processCpu: NodeJS.CpuUsage;
  eventLoop: EventLoopUtilization;
}

/*
 * Node 20 has no process.threadCpuUsage(), and in a worker thread process.cpuUsage() is the
 * whole process's. On Linux /proc/thread-self/schedstat gives the calling thread's own time
 * on CPU in nanoseconds; a synchronous read runs on the calling thread, so it names the right
 * thread. Elsewhere the event-loop utilisation stands in for it, which is close for a loop
 * that does nothing but network I/O.
 */
function threadCpuNs(): number | null {
  try {
    const text = readFileSync('/proc/thread-self/schedstat', 'latin1');
    const value = Number(text.slice(0, text.indexOf(' ')));
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

export function sampleUsage(): UsageSample {
  return {
    atMs: performance.now(),
    threadCpuNs: threadCpuNs(),
    processCpu: process.cpuUsage(),
    eventLoop: performance.eventLoopUtilization(),
  };
}

export function usageBetween(start: UsageSample, end: UsageSample): ThreadUsage {
  const wallMs = Math.max(end.atMs - start.atMs, 1e-3);
  const threadCoreFraction =
    start.threadCpuNs === null || end.threadCpuNs === null ? null : (end.threadCpuNs - start.threadCpuNs) / 1e6 / wallMs;
  const processCpuUs =
    end.processCpu.user - start.processCpu.user + (end.processCpu.system - start.processCpu.system);
  return {
    threadCoreFraction,
    eventLoopUtilization: performance.eventLoopUtilization(end.eventLoop, start.eventLoop).utilization,
    processCpuSeconds: processCpuUs / 1e6,
  };
}
