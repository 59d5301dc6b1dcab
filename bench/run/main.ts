/**
 * `npm run bench`: measures every point of a suite and writes the results and their reports.
 * Exit codes: 0 all points measured; 1 some point failed (results still written);
 * 2 bad usage; 130/143 interrupted (the running server is stopped first).
 */
import { parseOrExit } from '../../lib/cli.js';
import { launchServer } from '../../servers/launch.js';
import { ARCHITECTURE_NAMES } from '../../servers/registry.js';
import { runnableOrExit } from '../shared/runnable-or-exit.js';
import { stopChildrenOnSignals } from '../../lib/child-process.js';
import { resolveRuntimes } from '../../lib/node-runtimes.js';
import { collectEnvironment, tasksetAvailable } from '../shared/environment.js';
import { LoadgenService } from '../../loadgen/spawn-loadgen.js';
import { benchUsage, parseBenchOptions } from './bench-options.js';
import { estimateSeconds, openPattern, planPoints } from '../shared/plan.js';
import { arrivalsOf } from '../shared/scenarios.js';
import { BenchProgress, formatSeconds } from './progress.js';
import { FORMAT_VERSION, type BenchResults, type PinSettings, type RoundRecord } from '../report/results-format.js';
import { clearIntervalLogs, writeIntervalLogFile } from '../report/interval-files.js';
import { nearKneePointIds } from '../report/open-capacity.js';
import { writeResults } from '../report/write-results.js';
import { DEFAULT_RUNNER_TIMINGS, runSuite, type RunnerSettings } from './runner.js';
import { renderTerminalReport } from '../report/terminal.js';
import { INTERVAL_LEVEL } from '../report/point-summary.js';
import { applyRunToRun, readRunToRunOption, RunToRunFileError, type RunToRunSpread } from '../report/run-to-run.js';

const PROG = 'bench';

function pinSettings(requested: boolean, cores: number): PinSettings {
  if (!requested) return { requested, applied: false, serverCpus: null, loadgenCpus: null };
  if (cores < 2 || !tasksetAvailable()) {
    process.stderr.write(`${PROG}: --pin needs taskset and 2 cores; running unpinned (recorded as such)\n`);
    return { requested, applied: false, serverCpus: null, loadgenCpus: null };
  }
  // The server gets every core but the last; the load generator the last one.
  return { requested, applied: true, serverCpus: cores > 2 ? `0-${cores - 2}` : '0', loadgenCpus: String(cores - 1) };
}

/** The spread file read before anything is measured, so that a bad path costs no run. */
function runToRunOrExit(path: string): RunToRunSpread | null {
  try {
    return readRunToRunOption(path);
  } catch (error) {
    if (!(error instanceof RunToRunFileError)) throw error;
    process.stderr.write(`${PROG}: ${error.message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const parsed = parseOrExit(PROG, () => parseBenchOptions(argv, ARCHITECTURE_NAMES));
  if (parsed.help) {
    process.stdout.write(`${benchUsage(ARCHITECTURE_NAMES)}\n`);
    return;
  }
  const environment = collectEnvironment();
  const spread = runToRunOrExit(parsed.runToRun);
  const pin = pinSettings(parsed.pin, environment.cores);
  let runtimes;
  try {
    runtimes = resolveRuntimes(parsed.node, (line) => process.stderr.write(`${PROG}: ${line}\n`));
  } catch (error) {
    process.stderr.write(`${PROG}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  // The servers run under these Nodes, so they decide what can run, not the bench's own.
  const versions = runtimes.map((runtime) => runtime.version.replace(/^v/, ''));
  const options = {
    ...parsed,
    architectures: runnableOrExit(PROG, parsed.architectures, {
      versions,
      remedy: 'run the servers under a newer Node with --node (e.g. --node 24)',
    }),
  };
  const points = planPoints({ ...options, runtimes: runtimes.map((runtime) => runtime.label) });
  const chatty = !options.json && !options.quiet;
  if (chatty) {
    process.stderr.write(
      `${PROG}: suite ${options.suite.name}, ${points.length} points x ${options.repeat}, ` +
        `servers on ${runtimes.map((runtime) => `Node ${runtime.version}`).join(', ')}, ` +
        `about ${formatSeconds(estimateSeconds(points, options.repeat))}\n`,
    );
  }

  const abort = new AbortController();
  const progress = chatty && process.stderr.isTTY ? new BenchProgress(points, options.repeat) : null;
  stopChildrenOnSignals(PROG, DEFAULT_RUNNER_TIMINGS.stopTimeoutMs, {
    before: () => {
      abort.abort();
      progress?.stop();
    },
  });

  const loadgen = new LoadgenService(pin.applied && pin.loadgenCpus !== null ? ['taskset', '-c', pin.loadgenCpus] : []);
  loadgen.start();
  const settings: RunnerSettings = {
    ...DEFAULT_RUNNER_TIMINGS,
    launch: launchServer,
    runLoad: (loadOptions, window) => loadgen.run(loadOptions, window),
    loadgenPid: () => loadgen.pid,
    serverCommandPrefix: pin.applied && pin.serverCpus !== null ? ['taskset', '-c', pin.serverCpus] : [],
    runtimes: new Map(runtimes.map((runtime) => [runtime.label, runtime])),
    workers: options.workers,
    saveIntervals: (point, repetition, intervals) => {
      writeIntervalLogFile(options.outDir, point.id, repetition, intervals);
    },
  };
  clearIntervalLogs(options.outDir);
  const startedAt = new Date().toISOString();
  const rounds: RoundRecord[] = [];
  const results = await runSuite(
    points,
    options.repeat,
    settings,
    {
      onRound: (round) => rounds.push(round),
      onStart: (at) => progress?.onStart(at),
      onDone: (at, result) => {
        progress?.onDone(at, result.status === 'failed');
        if (!progress && chatty) {
          const note = result.failure === null ? '' : ` FAILED (${result.failure.stage}): ${result.failure.message}`;
          process.stderr.write(`${PROG}: [${at.index + 1}/${at.total}] ${at.point.id}${note}\n`);
        }
      },
    },
    abort.signal,
  );
  await loadgen.stop();
  progress?.stop();
  if (abort.signal.aborted) return; // the signal handler exits
  const repeatRun =
    spread === null ? null : applyRunToRun(results, environment, spread, options.runToRun, INTERVAL_LEVEL);

  const record: BenchResults = {
    formatVersion: FORMAT_VERSION,
    tool: 'zenbench',
    startedAt,
    finishedAt: new Date().toISOString(),
    environment,
    options: {
      suite: options.suite.name,
      architectures: options.architectures,
      workloads: options.workloads.map((workload) => workload.name),
      patterns: options.patterns.map((pattern) => pattern.name),
      connections: options.connections,
      warmupS: options.warmupS,
      durationS: options.durationS,
      repeat: options.repeat,
      workers: options.workers ?? null,
      pin,
      argv,
      node: options.node ?? null,
      open:
        options.open === null
          ? null
          : {
              workloads: options.open.workloads.map((workload) => workload.name),
              protocols: [...options.open.protocols],
              arrivals: arrivalsOf(openPattern()),
              objectiveP99Ms: options.open.objectiveP99Ms ?? null,
            },
    },
    rounds,
    runToRun: repeatRun?.record ?? null,
    points: repeatRun?.points ?? results,
  };
  // The points charted over time besides those with errors: the steps around each sweep's knee.
  const written = await writeResults(record, options.outDir, nearKneePointIds(record.points));
  // A sweep's step the stopping rule skipped in every round was not reached, not failed.
  const failed = record.points.filter(
    (point) => point.repetitions.length > 0 && (point.summary === null || point.summary.failed),
  );
  if (options.json) process.stdout.write(`${JSON.stringify(record)}\n`);
  else if (!options.quiet) {
    process.stdout.write(`${renderTerminalReport(record)}\n\n`);
    process.stdout.write(
      `Wrote ${written.json}, ${written.latestJson}, ${written.markdown}, ${written.html}, ${written.charts.length} charts\n`,
    );
  }
  if (failed.length > 0) {
    process.stderr.write(`${PROG}: ${failed.length} point(s) failed: ${failed.map((point) => point.id).join(', ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${PROG}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
