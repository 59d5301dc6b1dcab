/**
 * The fault suite's reports, independent of their format: the matrix of architecture x fault,
 * one table per fault, and the physics in words, every sentence made from the measurements.
 * Markdown, HTML and the terminal all print these.
 */
import { median } from '../../lib/stats.js';
import type { ErrorCounts } from '../../loadgen/types.js';
import { RECOVERY_FRACTION } from './fault-analysis.js';
import type { FaultRun, FaultSuiteResults, MachineNeighbours } from './fault-record.js';
import { FAULT_SCENARIOS, type FaultScenario } from './fault-scenarios.js';

export const FAULT_COLUMNS = [
  'Architecture',
  'What the suite did',
  'Answers lost',
  'Resets',
  'Load errors',
  'Before (answers/s)',
  'Lowest after (answers/s)',
  'Full service',
  'Shortfall (answers)',
  'Slowest answer after (ms)',
  'Fresh clients answered',
  'RSS before → peak (MB)',
  'Others (cores) before / after',
  'Server',
] as const;

export const FAULT_NUMERIC_COLUMNS: readonly boolean[] = FAULT_COLUMNS.map((name) =>
  [
    'Answers lost',
    'Resets',
    'Before (answers/s)',
    'Lowest after (answers/s)',
    'Shortfall (answers)',
    'Slowest answer after (ms)',
  ].includes(name),
);

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const percent = Math.round(RECOVERY_FRACTION * 100);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function megabytes(bytes: number | null): string {
  return bytes === null ? '–' : (bytes / 1024 / 1024).toFixed(0);
}

const ERROR_WORDS: Record<keyof ErrorCounts, string> = {
  resets: 'reset',
  connectErrors: 'refused',
  timeouts: 'timed out',
  unansweredConnections: 'starved',
  wrongAnswers: 'wrong',
};

/** The load generator's errors: the total and its non-zero kinds. */
export function describeErrors(run: FaultRun): string {
  if (run.load === null) return '–';
  const kinds = (Object.keys(ERROR_WORDS) as (keyof ErrorCounts)[])
    .filter((kind) => run.load !== null && run.load.errors[kind] > 0)
    .map((kind) => `${integer.format(run.load?.errors[kind] ?? 0)} ${ERROR_WORDS[kind]}`);
  return kinds.length === 0 ? '0' : `${integer.format(run.load.errorTotal)} (${kinds.join(', ')})`;
}

/** Full service, in a few words: when it came back, or that it did not. */
export function describeService(run: FaultRun): string {
  const service = run.service;
  if (service === null) return '–';
  switch (service.outcome) {
    case 'no-fault':
      return run.fault === 'none' ? 'no fault' : 'the fault never came';
    case 'no-dip':
      return `never below ${percent}%`;
    case 'recovered':
      return `back after ${seconds(service.recoveryMs ?? 0)}`;
    case 'never':
      return `not back within ${seconds(service.observedAfterMs ?? 0)}`;
  }
}

export function describeFresh(run: FaultRun): string {
  if (run.fresh.length === 0) return '–';
  const answered = run.fresh.flatMap((attempt) => (attempt.latencyMs === null ? [] : [attempt.latencyMs]));
  if (answered.length === 0) return `0/${run.fresh.length}`;
  const middle = median(answered);
  // Below 10 ms a tenth still means something; above, it is noise.
  return `${answered.length}/${run.fresh.length}, median ${middle.toFixed(middle < 10 ? 1 : 0)} ms`;
}

function neighbours(share: MachineNeighbours | null): string {
  if (share === null || share.otherCores === null) return '?';
  return `${share.otherCores.toFixed(2)}${share.disturbed ? ' ⚠' : ''}`;
}

/** Other processes' cores before and after the fault, ⚠ where the span was disturbed. */
export function describeMachine(run: FaultRun): string {
  const { before, after } = run.machine;
  return after === null ? neighbours(before) : `${neighbours(before)} / ${neighbours(after)}`;
}

export function describeServer(run: FaultRun): string {
  const server = run.server;
  const parts: string[] = [];
  if (server.exitedAtMs !== null) {
    const how = server.exitSignal ?? `exit ${server.exitCode ?? '?'}`;
    parts.push(
      server.shutdownMs === null
        ? `ended (${how}) ${seconds(server.exitedAtMs)} into the window`
        : `ended (${how}) ${integer.format(server.shutdownMs)} ms after the signal`,
    );
  } else parts.push('lived on');
  if (server.workerDeaths > 0) {
    parts.push(`${server.workerDeaths} worker process(es) died, ${server.workersReplaced} forked in their place`);
  }
  if (server.faultEvents > 0) parts.push(`the knob struck ${server.faultEvents} time(s)`);
  if (run.rogues !== null) {
    const rogues = run.rogues;
    parts.push(
      `${integer.format(rogues.connected)} of ${integer.format(rogues.clients)} rogue clients connected (the last ${seconds(rogues.connectMs)} after the fault), ${integer.format(rogues.closedByServer)} closed by the server`,
    );
  }
  return parts.join('; ');
}

/** One row per run of the fault: the architecture's figures. */
export function faultRows(runs: readonly FaultRun[]): string[][] {
  return runs.map((run) => {
    if (run.failure !== null) {
      return [run.architecture, run.injected, ...FAULT_COLUMNS.slice(2, -1).map(() => '–'), `FAILED: ${run.failure}`];
    }
    const service = run.service;
    return [
      run.architecture,
      run.injected,
      run.answersLost === null ? '–' : integer.format(run.answersLost),
      run.load === null ? '–' : integer.format(run.load.errors.resets),
      describeErrors(run),
      service === null ? '–' : integer.format(service.levelPerS),
      service?.lowestPerS === null || service === null ? '–' : integer.format(service.lowestPerS),
      describeService(run),
      service?.shortfall === null || service === null ? '–' : integer.format(service.shortfall),
      service?.slowestMs === null || service === null ? '–' : integer.format(service.slowestMs),
      describeFresh(run),
      `${megabytes(run.memory.beforeBytes)} → ${megabytes(run.memory.peakBytes)}`,
      describeMachine(run),
      describeServer(run),
    ];
  });
}

export interface FaultSection {
  scenario: FaultScenario;
  title: string;
  runs: FaultRun[];
  rows: string[][];
}

export function faultSections(results: FaultSuiteResults): FaultSection[] {
  return FAULT_SCENARIOS.flatMap((scenario) => {
    const runs = results.runs.filter((run) => run.fault === scenario.name);
    if (runs.length === 0) return [];
    return [{ scenario, title: `${scenario.name}: ${scenario.label}`, runs, rows: faultRows(runs) }];
  });
}

/** The matrix: one row per architecture, one column per fault, the service and the answers lost. */
export function summaryMatrix(results: FaultSuiteResults): { head: string[]; rows: string[][] } {
  const faults = FAULT_SCENARIOS.filter((scenario) => results.runs.some((run) => run.fault === scenario.name));
  const architectures = [...new Set(results.runs.map((run) => run.architecture))];
  const rows = architectures.map((architecture) => [
    architecture,
    ...faults.map((scenario) => {
      const run = results.runs.find(
        (candidate) => candidate.architecture === architecture && candidate.fault === scenario.name,
      );
      if (run === undefined) return '';
      if (run.failure !== null) return 'failed';
      const ended = run.server.exitedAtMs === null ? '' : 'server ended; ';
      const lost = run.answersLost === null || run.fault === 'none' ? '' : `; ${integer.format(run.answersLost)} lost`;
      return `${ended}${describeService(run)}${lost}`;
    }),
  ]);
  return { head: ['Architecture', ...faults.map((scenario) => scenario.name)], rows };
}

/** What happened to the server, as a clause. */
function serverClause(run: FaultRun): string {
  const server = run.server;
  if (server.exitedAtMs !== null) {
    const how = server.exitSignal ?? `exit ${server.exitCode ?? '?'}`;
    return server.shutdownMs === null
      ? `the server process ended (${how}), taking every connection with it`
      : `the server stopped (${how}) ${integer.format(server.shutdownMs)} ms after the signal`;
  }
  if (server.workerDeaths > 0) {
    return `${server.workerDeaths} worker process(es) died and ${server.workersReplaced} were forked in their place while the others served on`;
  }
  if (run.fault === 'crash' && server.faultEvents > 0) {
    return `the process lived on though the knob crashed a thread ${server.faultEvents} time(s)`;
  }
  if (run.fault === 'stall' && server.faultEvents > 0) {
    return `the knob stalled a thread ${server.faultEvents} time(s); the process lived on`;
  }
  if (run.rogues !== null) {
    return `${integer.format(run.rogues.connected)} of ${integer.format(run.rogues.clients)} rogue clients connected within ${seconds(run.rogues.connectMs)} and the server closed ${integer.format(run.rogues.closedByServer)} of them`;
  }
  return 'the server lived on';
}

function serviceClause(run: FaultRun): string {
  const service = run.service;
  if (service === null) return 'no figures';
  const level = `${integer.format(service.levelPerS)} answers/s`;
  switch (service.outcome) {
    case 'no-fault':
      return 'the fault did not come within the run';
    case 'no-dip':
      return `throughput never fell below ${percent}% of its level (${level})`;
    case 'recovered':
      return `throughput fell to ${integer.format(service.lowestPerS ?? 0)} answers/s and was back to ${percent}% of ${level} ${seconds(service.recoveryMs ?? 0)} after the fault`;
    case 'never':
      return `throughput fell to ${integer.format(service.lowestPerS ?? 0)} answers/s and was not back to ${percent}% of ${level} within the run (${seconds(service.observedAfterMs ?? 0)} after the fault)`;
  }
}

/** One sentence per run of a fault: the physics, in words made from the figures. */
export function physicsLines(results: FaultSuiteResults): { fault: string; lines: string[] }[] {
  return faultSections(results)
    .filter((section) => section.scenario.injection.kind !== 'none')
    .map((section) => ({
      fault: section.scenario.name,
      lines: section.runs.map((run) => {
        if (run.failure !== null) return `${run.architecture}: the run failed (${run.failure}).`;
        const lost = run.answersLost === null ? '' : `; ${integer.format(run.answersLost)} answer(s) lost`;
        const fresh = run.fresh.length === 0 ? '' : `; fresh clients answered ${describeFresh(run)}`;
        const memory =
          run.memory.peakBytes === null
            ? ''
            : `; RSS ${megabytes(run.memory.beforeBytes)} → ${megabytes(run.memory.peakBytes)} MB`;
        const slowest =
          run.service?.slowestMs === null || run.service === null || run.service.outcome === 'no-fault'
            ? ''
            : `; the slowest answer after it took ${integer.format(run.service.slowestMs)} ms`;
        const spans = [
          run.machine.before?.disturbed === true ? 'before the fault' : null,
          run.machine.after?.disturbed === true ? 'after it' : null,
        ].filter((span) => span !== null);
        const disturbed =
          spans.length === 0 ? '' : ` (other processes took a share of the machine ${spans.join(' and ')}: ⚠)`;
        return `${run.architecture}: ${serverClause(run)}${lost}; ${serviceClause(run)}${slowest}${fresh}${memory}${disturbed}.`;
      }),
    }));
}

/** The run's setting in a few lines: machine, Node, the load, the timings. */
export function describeFaultRun(results: FaultSuiteResults): { label: string; value: string }[] {
  const { environment: env, options } = results;
  return [
    { label: 'Date', value: `${results.startedAt} (took ${results.elapsedS.toFixed(0)} s)` },
    {
      label: 'Machine',
      value: `${env.cpuModel}, ${env.cores} cores, ${(env.totalMemoryBytes / 1024 ** 3).toFixed(1)} GB, ${env.platform} ${env.kernel}`,
    },
    { label: 'Node', value: `${env.node} (V8 ${env.v8})` },
    {
      label: 'Commit',
      value: `${env.gitCommit ?? 'unknown'}${env.gitDirty === true ? ' (with uncommitted changes)' : ''}`,
    },
    {
      label: 'Load',
      value: `closed mode, ${options.connections} connections, one question in flight each; ${options.warmupS} s warm-up, then ${options.beforeS} s before the fault and ${options.afterS} s after`,
    },
    { label: 'Servers', value: `--workers ${options.workers}; stall ${options.stallMs} ms` },
    {
      label: 'Command',
      value: `npm run bench:faults${options.argv.length > 0 ? ` -- ${options.argv.join(' ')}` : ''}`,
    },
  ];
}
