/**
 * CPU time and memory of a process and all its descendants, read from Linux /proc.
 * A server is measured as a tree because the cluster architecture is several processes;
 * worker threads (the pool) need no special care, a process's counters include its threads.
 *
 * Reused by the CI regression check: keep it free of bench-specific knowledge.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's time fields; 100 on every usual Linux. */
const CLOCK_TICKS_PER_SECOND = readClockTicks();

/** The unit of /proc's CPU times (USER_HZ), as the system says. */
export function clockTicksPerSecond(): number {
  return CLOCK_TICKS_PER_SECOND;
}

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** Whether this machine has the /proc files the measurements need. */
export function processTreeMeasurable(): boolean {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
}

interface StatFields {
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  cpuTicks: number;
}

/**
 * The fields we need from /proc/<pid>/stat. The command name (field 2) is in parentheses and
 * may itself hold spaces and parentheses, so the fields are counted from the last ')'.
 */
function readStat(pid: number): StatFields | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // exited between listing and reading
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); so field N is fields[N - 3].
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  if (![ppid, utime, stime, cutime, cstime].every(Number.isFinite)) return null;
  return { ppid, cpuTicks: utime + stime + cutime + cstime };
}

/**
 * Linux with CONFIG_PROC_CHILDREN lists each thread's children in /proc/<pid>/task/<tid>/children:
 * a few reads per process instead of a scan of all of /proc, which matters when sampling
 * every 150 ms on a machine whose cores the measurement shares.
 */
const HAS_CHILDREN_FILES = (() => {
  try {
    readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8');
    return true;
  } catch {
    return false;
  }
})();

function childrenFromTaskFiles(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const word of text.split(' ')) if (word.length > 0) children.push(Number(word));
  }
  return children;
}

/** The pid and every live descendant of it, the root first. Empty when the root has exited. */
export function listProcessTree(rootPid: number): number[] {
  if (readStat(rootPid) === null) return [];
  if (HAS_CHILDREN_FILES) {
    const tree = [rootPid];
    // Bounded: a pid is listed once, by its one parent, and /proc lists finitely many.
    for (let index = 0; index < tree.length && tree.length < 100_000; index++) {
      const pid = tree[index];
      if (pid !== undefined) tree.push(...childrenFromTaskFiles(pid));
    }
    return tree;
  }
  return listProcessTreeByScan(rootPid);
}

/** The portable way: every process's parent, from a scan of /proc. */
function listProcessTreeByScan(rootPid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = readStat(pid);
    if (stat === null) continue;
    const siblings = childrenOf.get(stat.ppid);
    if (siblings === undefined) childrenOf.set(stat.ppid, [pid]);
    else siblings.push(pid);
  }
  const tree = [rootPid];
  // Bounded: each pid is visited once, and /proc lists finitely many.
  for (let index = 0; index < tree.length; index++) {
    const pid = tree[index];
    if (pid === undefined) break;
    for (const child of childrenOf.get(pid) ?? []) tree.push(child);
  }
  return tree;
}

export interface TreeCpuSample {
  /** CPU seconds (user + system) the tree has used so far, its reaped children included. */
  cpuSeconds: number;
  pids: number[];
}

/**
 * CPU seconds used by the tree so far. A child that exits and is reaped by its parent hands
 * its counters to the parent's cutime/cstime, which we add, so the difference of two samples
 * stays right when a cluster worker dies and is replaced between them. What is lost: a
 * process of the tree that has exited and not yet been reaped between the samples, or whose
 * parent is outside the tree (only the root's, which is the bench's child).
 */
export function sampleTreeCpu(rootPid: number): TreeCpuSample {
  const pids = listProcessTree(rootPid);
  let ticks = 0;
  for (const pid of pids) ticks += readStat(pid)?.cpuTicks ?? 0;
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, pids };
}

/**
 * CPU seconds the tree used while `action` ran: counters read just before and just after it.
 * Use it around exactly the window to be measured (after any warm-up).
 */
export async function measureTreeCpu<T>(
  rootPid: number,
  action: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: number }> {
  const before = sampleTreeCpu(rootPid);
  const result = await action();
  const after = sampleTreeCpu(rootPid);
  return { result, cpuSeconds: Math.max(0, after.cpuSeconds - before.cpuSeconds) };
}

/** Resident memory of one process in bytes (VmRSS), 0 when it is gone. */
function readRssBytes(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0;
  }
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
}

export interface TreeRssSample {
  /** Sum of the processes' RSS; pages shared between processes count once per process, as in `ps`. */
  rssBytes: number;
  processCount: number;
}

export function sampleTreeRss(rootPid: number): TreeRssSample {
  const pids = listProcessTree(rootPid);
  let rssBytes = 0;
  for (const pid of pids) rssBytes += readRssBytes(pid);
  return { rssBytes, processCount: pids.length };
}

export interface PeakRss {
  peakRssBytes: number;
  /** Most processes seen in the tree at once (a cluster primary and its workers). */
  maxProcessCount: number;
  samples: number;
}

/**
 * Samples the tree's RSS on a timer and keeps the peak. A peak shorter than the interval can
 * be missed; 150 ms is frequent enough for a server's steady state and cheap for /proc.
 */
export class PeakRssSampler {
  private timer: NodeJS.Timeout | null = null;
  private peak: PeakRss = { peakRssBytes: 0, maxProcessCount: 0, samples: 0 };

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 150,
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling, after one last sample, and returns the peak seen. */
  stop(): PeakRss {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      this.sample();
    }
    return { ...this.peak };
  }

  private sample(): void {
    const { rssBytes, processCount } = sampleTreeRss(this.rootPid);
    if (processCount === 0) return;
    this.peak.samples++;
    this.peak.peakRssBytes = Math.max(this.peak.peakRssBytes, rssBytes);
    this.peak.maxProcessCount = Math.max(this.peak.maxProcessCount, processCount);
  }
}

/** Whether a process of that pid exists (and may be signalled by us). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
