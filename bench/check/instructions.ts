/**
 * Hardware instruction counts (`perf stat -e instructions:u`), the least noisy cost metric,
 * where the machine allows it: many VMs expose no performance counters, and then perf prints
 * `<not supported>`. Probed at run time; the check falls back to normalised CPU time.
 */
import { spawn, spawnSync } from 'node:child_process';
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

function perfStatOutput(args: string[]): { stderr: () => string; stop: () => Promise<void> } {
  const child = spawn('perf', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', () => undefined);
  return {
    stderr: () => stderr,
    async stop() {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_LIMIT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts counting the pids' user-space instructions; the returned stop() gives the count. */
export async function countInstructions(pids: readonly number[]): Promise<{ stop: () => Promise<number | null> }> {
  const perf = perfStatOutput(['stat', '-e', EVENT, '-x', ',', '-p', pids.join(',')]);
  await sleep(ATTACH_MS);
  return {
    async stop() {
      await perf.stop();
      return parsePerfCsv(perf.stderr());
    },
  };
}
