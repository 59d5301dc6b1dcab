/**
 * --tool flame|doctor|bubbleprof|heapprofiler: Clinic.js wraps the server's node, its
 * --on-port runs our load generator (through drive-load.js), and it writes an HTML report.
 * Clinic's exit status alone proves nothing (flame can crash and still exit 0), so the run
 * only counts when the report file is there and holds more than an error page.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_ENTRY, serverArguments } from '../../servers/launch.js';
import { isAlive } from '../../lib/process-tree.js';
import type { ClinicTool } from './clinic-tools.js';
import { ProfileFailure } from './failure.js';
import { startChild, type Child } from '../../lib/child-process.js';
import { toArgv } from '../../lib/option-table.js';
import { LOAD_OPTIONS } from '../../loadgen/load-options.js';
import { loadTimeLimitMs, type LoadOutcome } from '../../loadgen/spawn-loadgen.js';
import { judgeLoad, LOAD_FINISHED_EVENT } from './judge-load.js';
import type { ProfileCommand } from './profile-options.js';

const CLINIC_BIN = createRequire(import.meta.url).resolve('clinic/bin.js');
const DRIVE_LOAD_ENTRY = fileURLToPath(new URL('./drive-load.js', import.meta.url));

/** Clinic's own start-up (0x, preloads) comes before the server's. */
const START_TIMEOUT_MS = 30_000;
/** How long the tool gets to end the server itself once the load is over. */
const SELF_STOP_GRACE_MS = 3000;
/** Writing data and building the HTML take a while; a minute plus 10 s per measured second. */
const ANALYSIS_BASE_MS = 60_000;
const ANALYSIS_PER_LOAD_SECOND_MS = 10_000;
/** Real reports embed their data and visualiser: hundreds of KB. Clinic's error page is about 200 bytes. */
export const MIN_REPORT_BYTES = 32 * 1024;

export interface ClinicReport {
  reportDir: string;
  htmlPath: string;
  htmlBytes: number;
  serverPid: number;
  load: LoadOutcome;
  warnings: string[];
}

/** The server's own complaint if it made one, else clinic's last words. */
function lastWords(clinic: Child): string {
  const lines = clinic
    .recentLines()
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (clinic.spawnError !== null) lines.push(`cannot start clinic: ${clinic.spawnError}`);
  const fromServer = lines.filter((line) => line.startsWith('zenbench server:')).pop();
  const errorLine = lines.filter((line) => /error/i.test(line)).pop();
  return fromServer ?? errorLine ?? lines.pop() ?? '(no output)';
}

/** Single quotes for the shell; envString in clinic still expands $NAME inside them, hence the check. */
function shellWord(word: string): string {
  if (word.includes('$'))
    throw new ProfileFailure(`cannot pass '${word}' to clinic's --on-port: it expands every $ in it`);
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function clinicArguments(
  tool: ClinicTool,
  command: ProfileCommand,
  reportDir: string,
  resultFile: string,
): string[] {
  const { server, load } = command;
  const onPort = [
    shellWord(process.execPath),
    shellWord(DRIVE_LOAD_ENTRY),
    '--port',
    '$PORT',
    ...toArgv(LOAD_OPTIONS, { mode: 'closed', ...load }).map(shellWord),
    '--result-file',
    shellWord(resultFile),
  ].join(' ');
  const serverArgs = serverArguments({
    architecture: server.architecture,
    protocol: server.protocol,
    host: '127.0.0.1',
    port: server.port,
    workers: server.workers,
    schedule: server.schedule,
    cpuUs: server.cpuUs,
    ioMs: server.ioMs,
    seed: server.seed,
  });
  return [
    CLINIC_BIN,
    tool.name,
    '--open=false',
    '--dest',
    reportDir,
    '--on-port',
    onPort,
    '--',
    server.execPath ?? process.execPath,
    SERVER_ENTRY,
    ...serverArgs,
  ];
}

function listeningPid(line: string): number | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(line) as { event?: unknown; pid?: unknown };
    return parsed.event === 'listening' && typeof parsed.pid === 'number' ? parsed.pid : null;
  } catch {
    return null;
  }
}

function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // It exited between our look and the signal: what we wanted anyway.
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

export async function runClinic(
  tool: ClinicTool,
  command: ProfileCommand,
  reportDir: string,
  progress: (message: string) => void,
): Promise<ClinicReport> {
  const resultFile = join(reportDir, 'load-result.json');
  const clinic = startChild({
    command: [process.execPath, ...clinicArguments(tool, command, reportDir, resultFile)],
    // bubbleprof gathers every node_trace.*.log of its working directory, and 0x keeps
    // its temporary files there: a directory of the run's own keeps runs apart.
    cwd: reportDir,
    // One kill then takes down everything clinic started: the server, the shell, the load.
    group: true,
    env: { ...process.env, NO_INSIGHT: '1', NO_UPDATE_NOTIFIER: '1' },
  });
  const name = `clinic ${tool.name}`;
  try {
    const serverPid = await clinic.waitForLine(listeningPid, START_TIMEOUT_MS);
    if (serverPid === null) {
      throw new ProfileFailure(
        `the ${command.server.architecture} server did not start under ${name}: ${lastWords(clinic)}`,
      );
    }
    const { load } = command;
    progress(
      `${name}: server pid ${serverPid} listening; load ${load.connections} connections x pipeline ${load.pipeline} for ${load.warmupS} + ${load.durationS} s`,
    );

    const loadOver = await clinic.waitForLine(
      (line) => (line.includes(LOAD_FINISHED_EVENT) ? true : null),
      loadTimeLimitMs(load) + START_TIMEOUT_MS,
    );
    if (loadOver === null) {
      throw new ProfileFailure(`${name} ended or hung before the load finished: ${lastWords(clinic)}`);
    }
    // doctor, flame and heapprofiler end the server themselves; bubbleprof waits for a
    // process that exits by itself, which a server never does, so it gets our SIGINT.
    if (!(await waitUntilGone(serverPid, SELF_STOP_GRACE_MS))) signalIfAlive(serverPid, 'SIGINT');
    progress(`${name}: load done, building the report`);

    const analysisMs = ANALYSIS_BASE_MS + ANALYSIS_PER_LOAD_SECOND_MS * (load.warmupS + load.durationS);
    const exit = await clinic.waitForExit(analysisMs);
    if (exit === null)
      throw new ProfileFailure(`${name} did not finish its report within ${Math.round(analysisMs / 1000)} s`);
    if (exit.code !== 0) {
      throw new ProfileFailure(
        `${name} failed (${exit.signal ?? `exit ${exit.code}`}): ${lastWords(clinic)}${knownCause(tool, reportDir)}`,
      );
    }

    const outcome = readLoadOutcome(resultFile);
    const verdict = judgeLoad(outcome);
    if (verdict.fatal !== null) throw new ProfileFailure(verdict.fatal);

    const { htmlPath, htmlBytes } = verifiedReport(tool, reportDir, clinic.recentLines(), lastWords(clinic));
    return {
      reportDir,
      htmlPath,
      htmlBytes,
      serverPid,
      load: outcome,
      warnings: verdict.warning === null ? [] : [verdict.warning],
    };
  } finally {
    clinic.kill();
  }
}

/**
 * Node starts a new trace log every 524,288 events, which a few seconds of full load reach,
 * and bubbleprof 10's join of the pieces fails at times ('premature close'); a single file
 * is only renamed.
 */
function knownCause(tool: ClinicTool, reportDir: string): string {
  if (tool.name !== 'bubbleprof') return '';
  const traceLogs = readdirSync(reportDir).filter((file) => /^node_trace\.\d+\.log$/.test(file)).length;
  if (traceLogs <= 1) return '';
  return `; Node split the trace into ${traceLogs} files, and bubbleprof's join of them fails at times: profile a shorter run, e.g. --duration 2`;
}

function readLoadOutcome(resultFile: string): LoadOutcome {
  if (!existsSync(resultFile))
    throw new ProfileFailure('the load generator left no result: clinic never ran it to the end');
  return JSON.parse(readFileSync(resultFile, 'utf8')) as LoadOutcome;
}

/** The report clinic wrote, if it is a real one; a ProfileFailure saying what is wrong if not. */
export function verifiedReport(
  tool: ClinicTool,
  reportDir: string,
  output: string[],
  lastWords: string,
): { htmlPath: string; htmlBytes: number } {
  const name = `clinic ${tool.name}`;
  const htmlPath = findReport(tool, reportDir, output);
  if (htmlPath === null) throw new ProfileFailure(`${name} wrote no HTML report into ${reportDir}: ${lastWords}`);
  const htmlBytes = statSync(htmlPath).size;
  if (htmlBytes < MIN_REPORT_BYTES) {
    throw new ProfileFailure(
      `${name} wrote only an empty or error page (${htmlBytes} bytes, ${htmlPath}): ${lastWords}`,
    );
  }
  return { htmlPath, htmlBytes };
}

/** Clinic names the file it wrote; failing that, the one file of the tool's name in the directory. */
function findReport(tool: ClinicTool, reportDir: string, output: string[]): string | null {
  const announced = output
    .map((line) => /Generated HTML file is (file:\S+)/.exec(line)?.[1])
    .filter((url): url is string => url !== undefined)
    .map((url) => fileURLToPath(url))
    .pop();
  if (announced !== undefined && existsSync(announced)) return announced;
  const written = readdirSync(reportDir).find((name) => name.endsWith(`.clinic-${tool.name}.html`));
  return written === undefined ? null : join(reportDir, written);
}
