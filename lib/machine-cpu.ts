/**
 * The whole machine's CPU time from /proc/stat, so that a measurement can say what else the
 * machine did meanwhile: time stolen by the hypervisor, and time spent by processes other
 * than the ones measured.
 */
import { readFileSync } from 'node:fs';
import { clockTicksPerSecond } from './process-tree.js';

export interface MachineCpuReading {
  /** CPU seconds spent running anything (user, nice, system, irq, softirq), all CPUs together. */
  busyS: number;
  /** CPU seconds the hypervisor gave to other guests while this one wanted to run. */
  stealS: number;
}

/** The aggregate "cpu" line of /proc/stat; null where there is none. */
export function readMachineCpu(): MachineCpuReading | null {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const line = text.split('\n').find((entry) => entry.startsWith('cpu '));
  if (line === undefined) return null;
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const ticks = clockTicksPerSecond();
  return { busyS: (user + nice + system + irq + softirq) / ticks, stealS: steal / ticks };
}
