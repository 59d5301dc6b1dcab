/**
 * The bench under more than one Node (--node): ids gain @nodeNN only then, each server is
 * started with its Node's binary, each point records its Node and exact version, the verdicts
 * are per Node, and the reports carry the table "Same architecture, different runtime". The
 * two Nodes here are the host's binary under two names (no install), with fake servers and a
 * canned load.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { NodeRuntime } from '../lib/node-runtimes.js';
import { planPoints } from '../bench/shared/plan.js';
import { findPattern, findWorkload } from '../bench/shared/scenarios.js';
import { DEFAULT_RUNNER_TIMINGS, runSuite, type RunnerSettings } from '../bench/run/runner.js';
import { FORMAT_VERSION, parseBenchResults, type BenchResults } from '../bench/report/results-format.js';
import { buildRuntimeTable, RUNTIME_TITLE } from '../bench/report/runtime-table.js';
import { renderMarkdown } from '../bench/report/markdown.js';
import { buildVerdictRows } from '../bench/report/tables.js';
import { buildCharts } from '../bench/report/charts.js';
import { compareResults } from '../bench/compare/compare-results.js';
import { launchServer } from '../servers/launch.js';
import type { LoadResult } from '../loadgen/types.js';
import { collectEnvironment } from '../bench/shared/environment.js';
import { RESULTS_FIXTURE } from './helpers/results-fixture.js';

const FAKE_SERVER = fileURLToPath(new URL('../../test/fixtures/bench-fake-server.mjs', import.meta.url));
const temporary = mkdtempSync(path.join(os.tmpdir(), 'zenbench-nodes-'));
after(() => rmSync(temporary, { recursive: true, force: true }));

const workload = findWorkload('none');
const pattern = findPattern('persistent');
assert.ok(workload && pattern);
const plan = {
  architectures: ['async', 'blocking'],
  workloads: [workload],
  patterns: [pattern],
  connections: [1, 4],
  warmupS: 0,
  durationS: 0.1,
};

/** A canned result whose throughput depends on the server, so that the table has something to say. */
function cannedLoad(port: number, connections: number, throughput: number): LoadResult {
  return {
    mode: 'closed',
    protocol: 'tcp',
    host: '127.0.0.1',
    port,
    connections,
    pipeline: 1,
    threads: 1,
    durationS: 0.1,
    requests: throughput / 10,
    throughput,
    latencyUs: { p50: 100, p90: 150, p99: 300, p999: 500, max: 900, mean: 120 },
    errors: { wrongAnswers: 0, connectErrors: 0, resets: 0, timeouts: 0, unansweredConnections: 0 },
    errorTotal: 0,
    perSecond: { answers: [throughput], errors: [0] },
    saturated: false,
    loadgenCpu: { cpuSeconds: 0.01, maxThreadCoreFraction: 0.1, maxEventLoopUtilization: 0.1 },
    histogram: '',
  };
}

describe('the plan', () => {
  it('ids gain @nodeNN only with more than one Node, and each architecture is measured under each next to each other', () => {
    assert.deepEqual(
      planPoints({ ...plan, connections: [1], runtimes: ['node24'] }).map((point) => point.id),
      ['async/none/persistent/c1', 'blocking/none/persistent/c1'],
    );
    const two = planPoints({ ...plan, connections: [1], runtimes: ['node22', 'node24'] });
    assert.deepEqual(
      two.map((point) => point.id),
      [
        'async/none/persistent/c1@node22',
        'async/none/persistent/c1@node24',
        'blocking/none/persistent/c1@node22',
        'blocking/none/persistent/c1@node24',
      ],
    );
    assert.deepEqual(
      two.map((point) => point.runtime),
      ['node22', 'node24', 'node22', 'node24'],
    );
  });
});

describe('a run under two Nodes', async () => {
  const other = path.join(temporary, 'node-other');
  symlinkSync(process.execPath, other);
  const runtimes: NodeRuntime[] = [
    { line: 22, label: 'node22', version: 'v22.0.0', execPath: process.execPath },
    { line: 24, label: 'node24', version: 'v24.0.0', execPath: other },
  ];
  const launchedWith = new Map<string, string>();
  const portOwner = new Map<number, string>();
  const settings: RunnerSettings = {
    ...DEFAULT_RUNNER_TIMINGS,
    launch: async (options) => {
      const server = await launchServer({ ...options, entry: FAKE_SERVER });
      launchedWith.set(`${options.architecture}@${options.execPath ?? ''}`, options.execPath ?? '');
      portOwner.set(server.port, `${options.architecture}@${options.execPath === other ? 'node24' : 'node22'}`);
      return server;
    },
    // node24 is a third faster for async and level for blocking: the table should say so.
    runLoad: (request) => {
      const owner = portOwner.get(request.port) ?? '';
      const throughput = owner === 'async@node24' ? 4000 : 3000;
      return Promise.resolve(cannedLoad(request.port, request.connections, throughput + request.connections));
    },
    loadgenPid: () => 0,
    serverCommandPrefix: [],
    runtimes: new Map(runtimes.map((runtime) => [runtime.label, runtime])),
  };
  const points = planPoints({ ...plan, runtimes: ['node22', 'node24'] });
  const measured = await runSuite(points, 2, settings);
  const results: BenchResults = {
    formatVersion: FORMAT_VERSION,
    tool: 'zenbench',
    runToRun: null,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    environment: collectEnvironment(),
    options: {
      suite: 'test',
      architectures: plan.architectures,
      workloads: ['none'],
      patterns: ['persistent'],
      connections: plan.connections,
      warmupS: 0,
      durationS: 0.1,
      repeat: 2,
      workers: null,
      pin: { requested: false, applied: false, serverCpus: null, loadgenCpus: null },
      argv: ['--node', '22,24'],
      node: [22, 24],
    },
    rounds: [],
    points: measured,
  };

  it("starts each server with its Node's binary and records the Node per point", () => {
    assert.deepEqual([...launchedWith.values()].sort(), [other, other, process.execPath, process.execPath].sort());
    for (const point of measured) {
      assert.equal(point.node, point.runtime === 'node24' ? 'v24.0.0' : 'v22.0.0', point.id);
      assert.ok(point.id.endsWith(`@${point.runtime}`), point.id);
      assert.equal(point.summary?.failed, false, point.id);
    }
  });

  it('judges the architectures under each Node apart', () => {
    const overs = buildVerdictRows(results).map((row) => row[0]);
    assert.deepEqual(overs, ['TCP, node22', 'TCP, node24', 'TCP, node22', 'TCP, node24']);
  });

  it("sets each architecture's Nodes side by side, with the change", () => {
    const table = buildRuntimeTable(results.points);
    assert.ok(table !== null);
    assert.deepEqual(table.runtimes, ['node22', 'node24']);
    assert.equal(table.rows.length, 4);
    const asyncRow = table.rows.find((row) => row[4] === 'async' && row[3] === '1');
    assert.match(asyncRow?.at(-1) ?? '', /^\+33%/);
    const blockingRow = table.rows.find((row) => row[4] === 'blocking' && row[3] === '1');
    assert.match(blockingRow?.at(-1) ?? '', /^level: |^\+0\.0%|^−0\.0%/);
    assert.match(renderMarkdown(results), new RegExp(`## ${RUNTIME_TITLE}`));
    assert.ok(buildCharts(results).some((chart) => chart.file === 'runtimes-none-persistent.svg'));
  });

  it('reads back, and a run under one Node has no such table', () => {
    const again = parseBenchResults(JSON.stringify(results));
    assert.deepEqual(again.options.node, [22, 24]);
    const single = { ...results, points: results.points.filter((point) => point.runtime === 'node22') };
    assert.equal(buildRuntimeTable(single.points), null);
  });

  it('compare pairs the points of a run on one Node with those of a run on another, and warns', () => {
    const only = (runtime: string): BenchResults => ({
      ...results,
      points: results.points
        .filter((point) => point.runtime === runtime)
        .map((point) => ({ ...point, id: point.id.replace(/@node\d+$/, '') })),
    });
    const report = compareResults(only('node22'), only('node24'));
    assert.equal(report.points.length, 4);
    assert.ok(report.environmentDifferences.some((line) => /servers' Node: v22\.0\.0 vs v24\.0\.0/.test(line)));
  });
});

describe('older results files', () => {
  it('read as run under the host Node they recorded', async () => {
    const { readBenchResults } = await import('../bench/report/results-format.js');
    const fixture = RESULTS_FIXTURE;
    const results = readBenchResults(fixture);
    assert.equal(results.formatVersion, FORMAT_VERSION);
    assert.equal(results.options.node, null);
    for (const point of results.points) {
      assert.equal(point.runtime, 'node20');
      assert.equal(point.node, results.environment.node);
    }
  });
});
