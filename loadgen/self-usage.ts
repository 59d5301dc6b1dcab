/**
 * How much CPU a generator thread uses: the number that tells whether the generator, not
 * the server, was the limit of a run.
 */
import { readFileSync } from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { ThreadUsage } from './plan.js';

export interface UsageSample {
  atMs: number;
  thread: { onCpuNs: number; waitingNs: number } | null;
  processCpu: NodeJS.CpuUsage;
  eventLoop: EventLoopUtilization;
}

/*
 * Node 20 has no process.threadCpuUsage(), and in a worker thread process.cpuUsage() is the
 * whole process's. On Linux /proc/thread-self/schedstat gives the calling thread's own time on
 * a CPU and its time spent runnable but waiting for one, in nanoseconds; a synchronous read
 * runs on the calling thread, so it names the right thread. Elsewhere the event-loop
 * utilisation stands in for it, which is close for a loop that does nothing but network I/O.
 */
function threadSchedulerTimes(): { onCpuNs: number; waitingNs: number } | null {
  try {
    const [onCpu, waiting] = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ');
    const onCpuNs = Number(onCpu);
    const waitingNs = Number(waiting);
    return Number.isFinite(onCpuNs) && Number.isFinite(waitingNs) ? { onCpuNs, waitingNs } : null;
  } catch {
    return null;
  }
}

export function sampleUsage(): UsageSample {
  return {
    atMs: performance.now(),
    thread: threadSchedulerTimes(),
    processCpu: process.cpuUsage(),
    eventLoop: performance.eventLoopUtilization(),
  };
}

export function usageBetween(start: UsageSample, end: UsageSample): ThreadUsage {
  const wallNs = Math.max(end.atMs - start.atMs, 1e-3) * 1e6;
  const processCpuUs = end.processCpu.user - start.processCpu.user + (end.processCpu.system - start.processCpu.system);
  const before = start.thread;
  const after = end.thread;
  const onCpuNs = before === null || after === null ? null : after.onCpuNs - before.onCpuNs;
  const waitingNs = before === null || after === null ? null : after.waitingNs - before.waitingNs;
  return {
    threadCoreFraction: onCpuNs === null ? null : onCpuNs / wallNs,
    threadCpuDemandFraction: onCpuNs === null || waitingNs === null ? null : (onCpuNs + waitingNs) / wallNs,
    eventLoopUtilization: performance.eventLoopUtilization(end.eventLoop, start.eventLoop).utilization,
    processCpuSeconds: processCpuUs / 1e6,
  };
}
