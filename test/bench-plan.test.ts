/**
 * Suites, filters and the time budget: the default suite must fit in 6 minutes, quick in one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../lib/cli.js';
import { parseBenchOptions } from '../bench/run/bench-options.js';
import { estimateSeconds, planPoints } from '../bench/shared/plan.js';
import { findPattern, findWorkload, SUITES } from '../bench/shared/scenarios.js';

const ARCHITECTURES = ['blocking', 'pool', 'cluster', 'async'];

describe('bench plan', () => {
  it('every suite names workloads and patterns that exist', () => {
    for (const suite of SUITES) {
      for (const name of suite.workloads) assert.ok(findWorkload(name), `${suite.name}: workload ${name}`);
      for (const name of suite.patterns) assert.ok(findPattern(name), `${suite.name}: pattern ${name}`);
    }
  });

  it('default suite: 4 architectures x 3 workloads x 2 patterns x 3 levels over TCP, and HTTP, within the 6-minute budget', () => {
    const options = parseBenchOptions([], ARCHITECTURES);
    const points = planPoints(options);
    const tcp = points.filter((point) => point.protocol === 'tcp' && point.open === undefined);
    const steps = points.filter((point) => point.open !== undefined);
    assert.deepEqual(
      [...new Set(steps.map((step) => `${step.workload.name} ${step.protocol} ${step.pattern.arrivals ?? ''}`))],
      ['cpu-tail tcp poisson'],
      'the default suite sweeps the CPU tail over TCP, Poisson arrivals',
    );
    assert.equal(steps.length, 4 * (findWorkload('cpu-tail')?.sweep?.rates.length ?? 0));
    const http = points.filter((point) => point.protocol === 'http');
    assert.equal(tcp.length, 72);
    assert.equal(http.filter((point) => point.instrument === 'autocannon').length, 4 * 3 * 2);
    assert.deepEqual(
      http.filter((point) => point.instrument === 'zenbench').map((point) => point.connections),
      Array.from({ length: 4 * 3 }, () => 16),
      'our generator cross-checks autocannon at 16 connections',
    );
    assert.equal(new Set(points.map((point) => point.id)).size, points.length);
    const seconds = estimateSeconds(points, options.repeat);
    // The estimate counts every sweep step; the stopping rule skips some (docs/bench.md).
    assert.ok(seconds <= 360, `estimated ${seconds} s`);
    assert.ok(options.repeat >= 4, 'enough repetitions for an interval of 87.5% or more');
    assert.equal(points[0]?.id, 'blocking/none/conversation/c1');
  });

  it('quick suite fits in a minute', () => {
    const options = parseBenchOptions(['--suite', 'quick'], ARCHITECTURES);
    assert.ok(estimateSeconds(planPoints(options), options.repeat) < 60);
  });

  it('filters narrow the suite', () => {
    const options = parseBenchOptions(
      [
        '--servers',
        'async,blocking',
        '--workloads',
        'io',
        '--connections',
        '8',
        '--duration',
        '1.5',
        '--repeat',
        '3',
        '--pin',
      ],
      ARCHITECTURES,
    );
    const points = planPoints(options);
    assert.deepEqual(
      points.map((point) => point.id),
      [
        'async/io/conversation/c8',
        'blocking/io/conversation/c8',
        'async/io/persistent/c8',
        'blocking/io/persistent/c8',
        'async/io/persistent/c8/http',
        'blocking/io/persistent/c8/http',
      ],
    );
    assert.equal(points[0]?.durationS, 1.5);
    assert.equal(options.repeat, 3);
    assert.equal(options.pin, true);
  });

  it('--protocols picks the protocols, each point over the one asked for', () => {
    const tcpOnly = planPoints(parseBenchOptions(['--protocols', 'tcp'], ARCHITECTURES));
    assert.ok(tcpOnly.length > 0 && tcpOnly.every((point) => point.protocol === 'tcp'));
    const httpOnly = planPoints(parseBenchOptions(['--suite', 'quick', '--protocols', 'http'], ARCHITECTURES));
    assert.deepEqual(httpOnly.map((point) => `${point.id} ${point.instrument}`).slice(0, 2), [
      'blocking/none/persistent/c16/http autocannon',
      'pool/none/persistent/c16/http autocannon',
    ]);
    assert.ok(httpOnly.every((point) => point.protocol === 'http'));
    assert.throws(() => parseBenchOptions(['--protocols', 'udp'], ARCHITECTURES), UsageError);
  });

  it('refuses unknown names and bad numbers with a one-line usage error', () => {
    assert.throws(() => parseBenchOptions(['--servers', 'threaded'], ARCHITECTURES), UsageError);
    assert.throws(() => parseBenchOptions(['--workloads', 'gpu'], ARCHITECTURES), /unknown 'gpu'/);
    assert.throws(() => parseBenchOptions(['--suite', 'huge'], ARCHITECTURES), UsageError);
    assert.throws(() => parseBenchOptions(['--connections', '0'], ARCHITECTURES), UsageError);
    assert.throws(() => parseBenchOptions(['--repeat', 'two'], ARCHITECTURES), UsageError);
    assert.throws(() => parseBenchOptions(['--frobnicate'], ARCHITECTURES), UsageError);
  });
});
