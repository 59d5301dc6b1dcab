/** `npm run bench:check` and `npm run bench:baseline` (`--record`). */
import { stopChildrenOnSignals } from '../../lib/child-process.js';
import { fail, parseOrExit } from '../../lib/cli.js';
import { writeBaseline } from './baseline.js';
import { runCheck } from './check.js';
import { EXIT_CANNOT_RUN } from './decide.js';
import { CHECK_USAGE, parseCheckCommand } from './check-options.js';
import { probeMetrics } from './probe.js';
import { recordBaseline, RecordError } from './record.js';
import { renderReport } from './check-report.js';
import { CHECK_SETTINGS } from './check-points.js';
import { collectEnvironment } from '../shared/environment.js';

const PROG = 'zenbench check';

/** How long an interrupted check gives its servers to stop; measurements are lost anyway. */
const INTERRUPT_GRACE_MS = 1000;
stopChildrenOnSignals(PROG, INTERRUPT_GRACE_MS, { exitCode: EXIT_CANNOT_RUN });

async function main(): Promise<number> {
  const command = parseOrExit(PROG, () => parseCheckCommand(process.argv.slice(2)), EXIT_CANNOT_RUN);
  if (command.help) {
    process.stdout.write(`${CHECK_USAGE}\n`);
    return 0;
  }
  const settings = { ...CHECK_SETTINGS, repetitions: command.repetitions };
  const onProgress = command.quiet ? undefined : (line: string): void => void process.stderr.write(`${line}\n`);
  const probe = probeMetrics();

  if (command.record) {
    try {
      const baseline = await recordBaseline({ settings, probe, ...(onProgress === undefined ? {} : { onProgress }) });
      writeBaseline(command.baselinePath, baseline);
      const summary = { baseline: command.baselinePath, metrics: baseline.metrics, points: baseline.points.length };
      process.stdout.write(command.json ? `${JSON.stringify(baseline)}\n` : `recorded ${JSON.stringify(summary)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof RecordError) fail(PROG, error.message, EXIT_CANNOT_RUN);
      throw error;
    }
  }

  const report = await runCheck({
    baselinePath: command.baselinePath,
    settings,
    injectPct: command.injectPct,
    extraCpuUs: command.extraCpuUs,
    probe,
    machine: collectEnvironment(),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  process.stdout.write(command.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  if (report.exitCode === EXIT_CANNOT_RUN && command.json) process.stderr.write(`${PROG}: ${report.summary}\n`);
  return report.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) =>
    fail(
      PROG,
      `check failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      EXIT_CANNOT_RUN,
    ),
);
