/**
 * `npm run bench:faults`: each architecture through each fault under load, and what it cost.
 * Per architecture, the baseline (no fault) first, whose rate sets the --fault knob's N, then
 * the faults in their declared order; a server of its own for each run.
 * Exit codes: 0 every run made; 1 some run failed (results still written); 2 bad usage;
 * 130/143 interrupted (the running server and clients are stopped first).
 */
import { parseOrExit } from '../../lib/cli.js';
import { stopChildrenOnSignals } from '../../lib/child-process.js';
import { LoadgenService } from '../../loadgen/spawn-loadgen.js';
import { launchServer } from '../../servers/launch.js';
import { ARCHITECTURE_NAMES } from '../../servers/registry.js';
import { runnableOrExit } from '../shared/runnable-or-exit.js';
import { collectEnvironment } from '../shared/environment.js';
import { FAULTS_FORMAT_VERSION, type FaultRun, type FaultSuiteResults } from './fault-record.js';
import { calibrationOf, KNOB_SLACK_S, runFault, type FaultRunnerSettings } from './fault-runner.js';
import { FAULT_SCENARIOS } from './fault-scenarios.js';
import { renderFaultsTerminal } from './fault-terminal.js';
import { faultsUsage, parseFaultsOptions } from './faults-options.js';
import { writeFaultResults } from './write-fault-results.js';

const PROG = 'bench:faults';
const STOP_GRACE_MS = 6000;
/** Beyond the load itself: a server's start and stop, the rogue clients' connects and closes. */
const OVERHEAD_PER_RUN_S = 1.2;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const parsed = parseOrExit(PROG, () => parseFaultsOptions(argv, ARCHITECTURE_NAMES));
  if (parsed.help) {
    process.stdout.write(`${faultsUsage(ARCHITECTURE_NAMES)}\n`);
    return;
  }
  const options = {
    ...parsed,
    architectures: runnableOrExit(PROG, parsed.architectures, {
      remedy: 'run bench:faults itself under a newer Node',
    }),
  };
  const scenarios = FAULT_SCENARIOS.filter(
    (scenario) => scenario.injection.kind === 'none' || options.faults.includes(scenario.name),
  );
  const total = options.architectures.length * scenarios.length;
  const chatty = !options.json && !options.quiet;
  const perArchitectureS = scenarios.reduce(
    (sum, scenario) =>
      sum +
      options.warmupS +
      options.beforeS +
      options.afterS +
      OVERHEAD_PER_RUN_S +
      (scenario.injection.kind === 'knob' ? KNOB_SLACK_S : 0),
    0,
  );
  if (chatty) {
    process.stderr.write(
      `${PROG}: ${options.architectures.length} architectures x ${scenarios.length} runs (the baseline and ${scenarios.length - 1} faults), about ${Math.round(options.architectures.length * perArchitectureS)} s\n`,
    );
  }

  let interrupted = false;
  stopChildrenOnSignals(PROG, STOP_GRACE_MS, { before: () => (interrupted = true) });
  const loadgen = new LoadgenService();
  loadgen.start();
  const settings: FaultRunnerSettings = {
    launch: launchServer,
    runLoad: (loadOptions, window) => loadgen.run(loadOptions, window),
    loadgenPid: () => loadgen.pid,
  };

  const began = performance.now();
  const startedAt = new Date().toISOString();
  const runs: FaultRun[] = [];
  let index = 0;
  for (const architecture of options.architectures) {
    let calibration = null;
    for (const scenario of scenarios) {
      if (interrupted) break;
      index++;
      const run = await runFault(architecture, scenario, options, calibration, settings);
      if (scenario.injection.kind === 'none') calibration = calibrationOf(run);
      runs.push(run);
      if (chatty) {
        const note = run.failure === null ? '' : ` FAILED: ${run.failure}`;
        process.stderr.write(`${PROG}: [${index}/${total}] ${architecture} / ${scenario.name}${note}\n`);
      }
    }
  }
  await loadgen.stop();
  if (interrupted) return; // the signal handler exits

  const { json, quiet, help: _help, outDir, ...suiteOptions } = options;
  const results: FaultSuiteResults = {
    formatVersion: FAULTS_FORMAT_VERSION,
    tool: 'zenbench bench:faults',
    startedAt,
    finishedAt: new Date().toISOString(),
    elapsedS: Math.round((performance.now() - began) / 100) / 10,
    environment: collectEnvironment(),
    options: suiteOptions,
    runs,
  };
  const written = await writeFaultResults(results, outDir);
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else if (!quiet) {
    process.stdout.write(`${renderFaultsTerminal(results)}\n\n`);
    process.stdout.write(
      `Took ${results.elapsedS} s. Wrote ${written.json}, ${written.latestJson}, ${written.markdown}, ${written.html}, ${written.charts.length} charts\n`,
    );
  }
  const failed = runs.filter((run) => run.failure !== null);
  if (failed.length > 0) {
    process.stderr.write(
      `${PROG}: ${failed.length} run(s) failed: ${failed.map((run) => `${run.architecture}/${run.fault}`).join(', ')}\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${PROG}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
