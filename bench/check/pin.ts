/**
 * Puts the checker, and so every server it starts (children inherit the affinity), on one CPU.
 * On a 2-vCPU VM a server answering a client on the other CPU costs about three times the CPU
 * time per answer of one answering a client on its own CPU (each answer then needs a
 * cross-CPU wake-up, which a VM pays dearly for), and which of the two happens was up to the
 * scheduler and the neighbours' load: the measured cost jumped between two levels. On one CPU
 * every answer is the same hand-over on the same core.
 */
import { spawnSync } from 'node:child_process';

export class PinError extends Error {}

let pinnedCpu: number | null = null;

/** The CPUs this process may run on, from `taskset -c -p` ("...current affinity list: 0-3,6"). */
function allowedCpus(): number[] {
  const query = spawnSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8', timeout: 5000 });
  if (query.error !== undefined || query.status !== 0) {
    throw new PinError(
      `taskset (util-linux) is needed to pin the check to one CPU: ${query.error?.message ?? query.stderr.trim()}`,
    );
  }
  const list = query.stdout.split(':').pop()?.trim() ?? '';
  return list.split(',').flatMap((range) => {
    const [first, last] = range.split('-').map(Number);
    if (first === undefined || !Number.isInteger(first)) return [];
    const end = last !== undefined && Number.isInteger(last) ? last : first;
    return Array.from({ length: end - first + 1 }, (_, index) => first + index);
  });
}

/**
 * Pins every thread of this process to the last CPU it may use (the first one tends to take
 * more of the machine's interrupts) and returns it. Idempotent.
 */
export function pinToOneCpu(): number {
  if (pinnedCpu !== null) return pinnedCpu;
  const cpu = allowedCpus().pop();
  if (cpu === undefined) throw new PinError('taskset reported no CPU this process may use');
  const pin = spawnSync('taskset', ['-a', '-c', '-p', String(cpu), String(process.pid)], {
    encoding: 'utf8',
    timeout: 5000,
  });
  if (pin.error !== undefined || pin.status !== 0) {
    throw new PinError(`cannot pin the check to CPU ${cpu}: ${pin.error?.message ?? pin.stderr.trim()}`);
  }
  pinnedCpu = cpu;
  return cpu;
}
