/** Runs `npm run profile`'s entry point for the profile tests, and makes sure it leaves nothing running. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
export function runProfile(args: string[], outDir: string, timeoutMs: number): Promise<ProfileRun> {
  const child = spawn(process.execPath, [PROFILE_MAIN, ...args, '--out', outDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      killProcessesMentioning(outDir);
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
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
