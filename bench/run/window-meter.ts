/**
 * What each side got of the machine during one measured window: the server's process tree
 * (to the nanosecond, from the scheduler's per-thread counters), the load generator's
 * process, the hypervisor's steal, and everything else, from /proc read at the window's two
 * ends. A window in which the rest of the machine took a noticeable share is flagged: its
 * figures may say more about the neighbours than about the server.
 */
import { readMachineCpu, type MachineCpuReading } from '../../lib/machine-cpu.js';
import { sampleTreeCpu } from '../../lib/process-tree.js';
import { cpuUsBetween, readTreeCpu, type TreeCpuReading } from '../../lib/tree-cpu.js';
import type { MachineShare } from '../report/results-format.js';

/**
 * Above these a window counts as disturbed. A quiet 2-core VM shows well under 0.01 cores of
 * steal; the bench's own process, which reads /proc during the window, and the system's own
 * threads take a few hundredths of a core together.
 */
export const DISTURBANCE_LIMITS = { stealCores: 0.05, otherCores: 0.2 } as const;

interface Reading {
  atMs: number;
  server: TreeCpuReading;
  loadgenS: number | null;
  machine: MachineCpuReading | null;
}

export class WindowMeter {
  private first: Reading | null = null;
  private last: Reading | null = null;

  constructor(
    private readonly serverPid: number,
    private readonly loadgenPid: number,
  ) {}

  /** Reads the counters as the window opens; a later call starts the window again. */
  begin(): void {
    this.first = this.read();
    this.last = null;
  }

  /** Reads the counters as the window closes; later calls change nothing. */
  end(): void {
    if (this.first !== null && this.last === null) this.last = this.read();
  }

  /** The server's CPU seconds in the window, and the machine's shares of it. */
  share(): MachineShare & { serverCpuSeconds: number } {
    const first = this.first;
    const last = this.last ?? this.read();
    if (first === null) throw new Error('WindowMeter.share() before begin()');
    const windowS = Math.max((last.atMs - first.atMs) / 1000, 1e-6);
    const serverCpuSeconds = Math.max(0, cpuUsBetween(first.server, last.server).cpuUs / 1e6);
    const serverCores = serverCpuSeconds / windowS;
    const loadgenCores =
      first.loadgenS === null || last.loadgenS === null ? null : Math.max(0, last.loadgenS - first.loadgenS) / windowS;
    let stealCores: number | null = null;
    let otherCores: number | null = null;
    if (first.machine !== null && last.machine !== null) {
      stealCores = Math.max(0, last.machine.stealS - first.machine.stealS) / windowS;
      const busyCores = Math.max(0, last.machine.busyS - first.machine.busyS) / windowS;
      otherCores = Math.max(0, busyCores - serverCores - (loadgenCores ?? 0));
    }
    const round = (value: number | null): number | null => (value === null ? null : Math.round(value * 1000) / 1000);
    return {
      serverCpuSeconds,
      windowS: round(windowS) ?? 0,
      serverCores: round(serverCores) ?? 0,
      loadgenCores: round(loadgenCores),
      stealCores: round(stealCores),
      otherCores: round(otherCores),
      disturbed: (stealCores ?? 0) > DISTURBANCE_LIMITS.stealCores || (otherCores ?? 0) > DISTURBANCE_LIMITS.otherCores,
    };
  }

  private read(): Reading {
    return {
      atMs: performance.now(),
      server: readTreeCpu(this.serverPid),
      loadgenS: this.loadgenPid > 0 ? sampleTreeCpu(this.loadgenPid).cpuSeconds : null,
      machine: readMachineCpu(),
    };
  }
}
