/**
 * `npm run profile -- <architecture> [--tool T] [options]`: profile one server under load
 * and leave a report whose existence has been checked; see profileUsage().
 */
import { readdirSync, rmdirSync } from 'node:fs';
import { stopChildrenOnSignals } from '../../lib/child-process.js';
import { fail, parseOrExit, UsageError } from '../../lib/cli.js';
import { hostRuntime, resolveRuntimes } from '../../lib/node-runtimes.js';
import { ARCHITECTURE_NAMES } from '../../servers/registry.js';
import { CLINIC_TOOLS, knownBrokenHere } from './clinic-tools.js';
import { runClinic } from './clinic-run.js';
import { runCpuprof } from './cpuprof-run.js';
import { ProfileFailure } from './failure.js';
import { printClinicReport, printCpuprofReport } from './profile-report.js';
import { parseProfileCommand, profileUsage, type ProfileCommand } from './profile-options.js';
import { createReportDirectory, DEFAULT_PROFILES_DIR, PROJECT_ROOT } from './profile-dir.js';

const PROG = 'zenbench profile';
const INTERRUPT_GRACE_MS = 1000;

function parse(argv: string[]): ProfileCommand {
  return parseOrExit(PROG, () => {
    const command = parseProfileCommand(argv, ARCHITECTURE_NAMES);
    if (command.help || command.tool === 'cpuprof') return command;
    const refusal = CLINIC_TOOLS[command.tool].refuses[command.server.architecture];
    if (refusal !== undefined)
      throw new UsageError(`clinic ${command.tool} cannot profile ${command.server.architecture}: ${refusal}`);
    return command;
  });
}

async function main(): Promise<void> {
  const command = parse(process.argv.slice(2));
  if (command.help) {
    process.stdout.write(`${profileUsage(ARCHITECTURE_NAMES)}\n`);
    return;
  }
  // A profile cut short is lost anyway: the processes get a moment, not a graceful stop.
  stopChildrenOnSignals(PROG, INTERRUPT_GRACE_MS);

  const progress = (message: string): void => {
    process.stderr.write(`${PROG}: ${message}\n`);
  };
  const { tool, server } = command;
  let runtime;
  try {
    [runtime = hostRuntime()] = resolveRuntimes(
      server.nodeLine === undefined ? undefined : [server.nodeLine],
      progress,
    );
  } catch (error) {
    fail(PROG, error instanceof Error ? error.message : String(error), 2);
  }
  server.execPath = runtime.execPath;
  const reportDir = createReportDirectory(command.outDir ?? DEFAULT_PROFILES_DIR, tool, server.architecture);
  try {
    if (tool === 'cpuprof') {
      progress(
        `${server.architecture} under node --cpu-prof (Node ${runtime.version}), load ${command.load.connections} connections for ${command.load.warmupS} + ${command.load.durationS} s`,
      );
      printCpuprofReport(await runCpuprof(command, reportDir, PROJECT_ROOT), command.top);
      return;
    }
    const clinicTool = CLINIC_TOOLS[tool];
    const brokenHere = knownBrokenHere(clinicTool, runtime.version.slice(1));
    if (brokenHere !== null)
      progress(`warning: ${brokenHere} (the server's Node is ${runtime.version}); trying anyway`);
    const caveat = clinicTool.caveats[server.architecture];
    if (caveat !== undefined) progress(`warning: ${caveat}`);
    printClinicReport(await runClinic(clinicTool, command, reportDir, progress), clinicTool);
  } catch (error) {
    if (error instanceof ProfileFailure) {
      // What clinic or node left behind helps find the cause; an empty directory does not.
      if (readdirSync(reportDir).length === 0) {
        rmdirSync(reportDir);
        fail(PROG, error.message, 1);
      }
      fail(PROG, `${error.message} (what was written: ${reportDir})`, 1);
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  fail(PROG, `unexpected failure: ${error instanceof Error ? error.message : String(error)}`, 1);
});
