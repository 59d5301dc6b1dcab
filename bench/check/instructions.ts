/**
 * Hardware instruction counts (`perf stat -e instructions:u`), the least noisy cost metric,
 * where the machine allows it: many VMs expose no performance counters, and then perf prints
 * `<not supported>`. Probed at run time; the check falls back to normalised CPU time.
 */
import { spawnSync } from 'node:child_process';
import { startChild } from '../../lib/child-process.js';
import { setTimeout as sleep } from 'node:timers/promises';

const EVENT = 'instructions:u';
/** perf needs a moment to attach to running processes; an idle server executes ~nothing meanwhile. */
const ATTACH_MS = 150;
const STOP_LIMIT_MS = 5000;

export interface CounterProbe {
  available: boolean;
  /** Why not, for the report; empty when available. */
  reason: string;
}

/** The instruction count in `perf stat -x,` output, or null when perf could not count. */
export function parsePerfCsv(text: string): number | null {
  for (const line of text.split('\n')) {
    const fields = line.split(',');
    if (fields[2]?.startsWith('instructions') !== true) continue;
    const value = Number(fields[0]);
    return fields[0] !== '' && Number.isFinite(value) ? value : null;
  }
  return null;
}

export function probeInstructionsCounter(): CounterProbe {
  const probe = spawnSync('perf', ['stat', '-e', EVENT, '-x', ',', '--', 'true'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (probe.error !== undefined) return { available: false, reason: `perf cannot run (${probe.error.message})` };
  if (parsePerfCsv(probe.stderr) !== null) return { available: true, reason: '' };
  const said = probe.stderr.trim().split('\n').pop() ?? '';
  return {
    available: false,
    reason: `perf stat -e ${EVENT} counts nothing here (${said || `exit ${String(probe.status)}`})`,
  };
}

/** Starts counting the pids' user-space instructions; the returned stop() gives the count. */
export async function countInstructions(pids: readonly number[]): Promise<{ stop: () => Promise<number | null> }> {
  const perf = startChild({ command: ['perf', 'stat', '-e', EVENT, '-x', ',', '-p', pids.join(',')] });
  await sleep(ATTACH_MS);
  return {
    async stop() {
      // perf prints its counts when interrupted.
      await perf.stop(STOP_LIMIT_MS, 'SIGINT');
      return parsePerfCsv(perf.stderr());
    },
  };
}
