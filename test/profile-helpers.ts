/** Runs `npm run profile`'s entry point for the profile tests, and makes sure it leaves nothing running. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/child-process.js';

export const PROFILE_MAIN = fileURLToPath(new URL('../bench/profile/main.js', import.meta.url));

export interface ProfileRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function makeOutDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `zenbench-profile-${label}-`));
}

/** Runs the profile CLI; past timeoutMs it is killed, and so is everything it started. */
export async function runProfile(args: string[], outDir: string, timeoutMs: number): Promise<ProfileRun> {
  const child = startChild({ command: [process.execPath, PROFILE_MAIN, ...args, '--out', outDir], keepOutput: true });
  let exit = await child.waitForExit(timeoutMs);
  if (exit === null) {
    child.kill();
    killProcessesMentioning(outDir);
    exit = await child.exited;
  }
  return { ...exit, stdout: child.stdout(), stderr: child.stderr() };
}

/**
 * Processes whose command line names `text`. Every process of a profile run names its out
 * directory (clinic's --dest, the server's --cpu-prof-dir, the load's --result-file), so
 * this finds whatever a run left behind without touching anyone else's processes.
 */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Kills them, and the whole group of any that leads one: clinic runs its server in its own group. */
export function killProcessesMentioning(text: string): number[] {
  const found = processesMentioning(text);
  for (const pid of found) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Not a group leader, or gone already.
      }
    }
  }
  return found;
}

/** The one report directory a run created under outDir. */
export function reportDirectoryIn(outDir: string): string {
  const entries = readdirSync(outDir);
  if (entries.length !== 1 || entries[0] === undefined)
    throw new Error(`expected one report directory in ${outDir}, found ${entries.join(', ') || 'none'}`);
  return join(outDir, entries[0]);
}
