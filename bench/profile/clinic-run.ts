/**
 * --tool flame|doctor|bubbleprof|heapprofiler: Clinic.js wraps the server's node, its
 * --on-port runs our load generator (through drive-load.js), and it writes an HTML report.
 * Clinic's exit status alone proves nothing (flame can crash and still exit 0), so the run
 * only counts when the report file is there and holds more than an error page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_ENTRY, serverArguments } from '../../servers/launch.js';
import { isAlive } from '../../lib/process-tree.js';
import type { ClinicTool } from './clinic-tools.js';
import { ProfileFailure } from './failure.js';
import { judgeLoad, LOAD_FINISHED_EVENT, loadTimeLimitMs, type LoadOutcome } from './judge-load.js';
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
const OUTPUT_TAIL_LINES = 40;

export interface ClinicReport {
  reportDir: string;
  htmlPath: string;
  htmlBytes: number;
  serverPid: number;
  load: LoadOutcome;
  warnings: string[];
}

/** One clinic process group: clinic, the server under it, the shell and load of --on-port. */
class ClinicProcess {
  readonly child: ChildProcess;
  readonly outputTail: string[] = [];
  private readonly watchers = new Set<(line: string) => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly killOnExit = (): void => this.killGroup();

  constructor(args: string[], workingDir: string) {
    this.child = spawn(process.execPath, args, {
      // bubbleprof gathers every node_trace.*.log of its working directory, and 0x keeps
      // its temporary files there: a directory of the run's own keeps runs apart.
      cwd: workingDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A group of its own, so that one kill takes down everything clinic started.
      detached: true,
      env: { ...process.env, NO_INSIGHT: '1', NO_UPDATE_NOTIFIER: '1' },
    });
    process.once('exit', this.killOnExit);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.remember(`cannot start clinic: ${error.message}`);
        resolve({ code: null, signal: null });
      });
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8').on('data', (text: string) => {
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        lines.forEach((line) => this.remember(line));
      });
    }
  }

  private remember(line: string): void {
    this.outputTail.push(line);
    if (this.outputTail.length > OUTPUT_TAIL_LINES) this.outputTail.shift();
    for (const watcher of this.watchers) watcher(line);
  }

  /** The first line for which `pick` returns a value; null if clinic exits or time runs out first. */
  async waitForLine<T>(pick: (line: string) => T | null, timeoutMs: number): Promise<T | null> {
    let watcher: ((line: string) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const seen = new Promise<T>((resolve) => {
      watcher = (line) => {
        const value = pick(line);
        if (value !== null) resolve(value);
      };
      this.watchers.add(watcher);
    });
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const result = await Promise.race([seen, late, this.exited.then(() => null)]);
    clearTimeout(timer);
    if (watcher !== undefined) this.watchers.delete(watcher);
    return result;
  }

  async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const result = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    return result;
  }

  killGroup(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // ESRCH: the whole group has exited already.
    }
  }

  release(): void {
    this.killGroup();
    process.removeListener('exit', this.killOnExit);
  }

  /** The server's own complaint if it made one, else clinic's last words. */
  lastWords(): string {
    const lines = this.outputTail.map((line) => line.trim()).filter((line) => line !== '');
    const fromServer = lines.filter((line) => line.startsWith('zenbench server:')).pop();
    const errorLine = lines.filter((line) => /error/i.test(line)).pop();
    return fromServer ?? errorLine ?? lines.pop() ?? '(no output)';
  }
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
    '--connections',
    String(load.connections),
    '--pipeline',
    String(load.pipeline),
    '--warmup',
    String(load.warmupS),
    '--duration',
    String(load.durationS),
    '--result-file',
    shellWord(resultFile),
  ].join(' ');
  const serverArgs = serverArguments({
    architecture: server.architecture,
    host: '127.0.0.1',
    port: server.port,
    workers: server.workers,
    schedule: server.schedule,
    cpuUs: server.cpuUs,
    ioMs: server.ioMs,
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
    process.execPath,
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
  const clinic = new ClinicProcess(clinicArguments(tool, command, reportDir, resultFile), reportDir);
  const name = `clinic ${tool.name}`;
  try {
    const serverPid = await clinic.waitForLine(listeningPid, START_TIMEOUT_MS);
    if (serverPid === null) {
      throw new ProfileFailure(
        `the ${command.server.architecture} server did not start under ${name}: ${clinic.lastWords()}`,
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
      throw new ProfileFailure(`${name} ended or hung before the load finished: ${clinic.lastWords()}`);
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
        `${name} failed (${exit.signal ?? `exit ${exit.code}`}): ${clinic.lastWords()}${knownCause(tool, reportDir)}`,
      );
    }

    const outcome = readLoadOutcome(resultFile);
    const verdict = judgeLoad(outcome);
    if (verdict.fatal !== null) throw new ProfileFailure(verdict.fatal);

    const { htmlPath, htmlBytes } = verifiedReport(tool, reportDir, clinic.outputTail, clinic.lastWords());
    return {
      reportDir,
      htmlPath,
      htmlBytes,
      serverPid,
      load: outcome,
      warnings: verdict.warning === null ? [] : [verdict.warning],
    };
  } finally {
    clinic.release();
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
