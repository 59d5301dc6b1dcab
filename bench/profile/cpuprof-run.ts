/**
 * --tool cpuprof: the server runs under Node's own `--cpu-prof` while the load generator
 * drives it, then stops gracefully, which is when each process and each worker thread
 * writes its .cpuprofile. Cluster workers inherit the primary's execArgv, and Node 20 also
 * profiles worker threads, so the pool's threads get files of their own.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchServer, type LaunchedServer } from '../../servers/launch.js';
import { CpuProfileError, readCpuProfile, type CpuProfile } from './cpuprofile.js';
import { ProfileFailure } from './failure.js';
import { summarizeProfiles, type HotFunctionSummary } from './hot-functions.js';
import { spawnLoadgen, type LoadOutcome } from '../../loadgen/spawn-loadgen.js';
import { judgeLoad } from './judge-load.js';
import type { ProfileCommand } from './profile-options.js';

/** Writing a large profile happens after the server's own shutdown; give it room. */
const STOP_TIMEOUT_MS = 20_000;
const START_TIMEOUT_MS = 15_000;

/** Node names them CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile. */
const PROFILE_NAME = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/;

export interface ProfileFile {
  path: string;
  pid: number;
  threadId: number;
  /** main, cluster primary, cluster worker, or pool thread. */
  role: string;
}

export interface CpuprofReport {
  reportDir: string;
  serverPid: number;
  files: ProfileFile[];
  summary: HotFunctionSummary;
  load: LoadOutcome;
  warnings: string[];
}

export async function runCpuprof(
  command: ProfileCommand,
  reportDir: string,
  projectRoot: string,
): Promise<CpuprofReport> {
  const { server: settings, load } = command;
  let server: LaunchedServer;
  try {
    server = await launchServer({
      architecture: settings.architecture,
      protocol: settings.protocol,
      port: settings.port,
      cpuUs: settings.cpuUs,
      ioMs: settings.ioMs,
      seed: settings.seed,
      workers: settings.workers,
      schedule: settings.schedule,
      ...(settings.execPath === undefined ? {} : { execPath: settings.execPath }),
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', reportDir],
      startTimeoutMs: START_TIMEOUT_MS,
    });
  } catch (error) {
    throw new ProfileFailure(
      `the ${settings.architecture} server did not start: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  let outcome: LoadOutcome;
  try {
    outcome = await spawnLoadgen({ host: server.host, port: server.port, mode: 'closed', ...load });
  } finally {
    await stopWritingProfiles(server);
  }
  const verdict = judgeLoad(outcome);
  if (verdict.fatal !== null) throw new ProfileFailure(verdict.fatal);
  const warnings = verdict.warning === null ? [] : [verdict.warning];

  const files = findProfiles(reportDir, server.pid, settings.architecture);
  warnings.push(...checkProfileCount(files, settings.architecture, server.listening.workers));
  const summary = summarizeProfiles(
    files.map((file) => readProfileOf(file)),
    projectRoot,
  );
  if (summary.functions.length === 0) throw new ProfileFailure(`the profiles in ${reportDir} hold no samples`);
  return { reportDir, serverPid: server.pid, files, summary, load: outcome, warnings };
}

/** A process killed while writing leaves a truncated file: that is a failed run, said plainly. */
function readProfileOf(file: ProfileFile): CpuProfile {
  try {
    return readCpuProfile(file.path);
  } catch (error) {
    if (error instanceof CpuProfileError) throw new ProfileFailure(`${file.role} ${file.pid}: ${error.message}`);
    throw error;
  }
}

function findProfiles(reportDir: string, serverPid: number, architecture: string): ProfileFile[] {
  const files: ProfileFile[] = [];
  for (const name of readdirSync(reportDir).sort()) {
    const match = PROFILE_NAME.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    const threadId = Number(match[2]);
    files.push({ path: join(reportDir, name), pid, threadId, role: roleOf(pid, threadId, serverPid, architecture) });
  }
  if (files.length === 0) {
    throw new ProfileFailure(`node --cpu-prof wrote no .cpuprofile into ${reportDir}`);
  }
  return files;
}

function roleOf(pid: number, threadId: number, serverPid: number, architecture: string): string {
  if (pid !== serverPid) return 'cluster worker';
  if (threadId !== 0) return 'pool thread';
  return architecture === 'cluster' ? 'cluster primary' : 'main thread';
}

/** The cluster's promise is one profile per worker: fewer is a failure, not a footnote. */
function checkProfileCount(files: ProfileFile[], architecture: string, workers: number): string[] {
  if (architecture === 'cluster') {
    const workerFiles = files.filter((file) => file.role === 'cluster worker').length;
    if (workerFiles < workers) {
      throw new ProfileFailure(`expected a profile from each of the ${workers} cluster workers, found ${workerFiles}`);
    }
  }
  if (architecture === 'pool') {
    const threadFiles = files.filter((file) => file.role === 'pool thread').length;
    if (threadFiles < workers) {
      return [
        `${threadFiles} of ${workers} pool threads wrote a profile; this Node version may not profile worker threads`,
      ];
    }
  }
  return [];
}

/** Stops the server; only a process that exits by itself writes its profile, SIGKILL loses it. */
async function stopWritingProfiles(server: LaunchedServer): Promise<void> {
  const exit = await server.stop(STOP_TIMEOUT_MS);
  if (exit.graceful) return;
  throw new ProfileFailure(
    `the server did not exit cleanly after SIGTERM (${exit.signal ?? `exit ${exit.code}`}), so its profiles are missing or incomplete; stderr: ${server.stderrTail().trim() || '(empty)'}`,
  );
}
