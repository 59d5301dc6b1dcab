/**
 * The defaults of a load run and the checks that refuse a run that makes no sense or that
 * would aim at another machine without being told to.
 */
import { isIP } from 'node:net';
import type { LoadMode, LoadOptions } from './types.js';

export const LOAD_MODES: readonly LoadMode[] = ['closed', 'conversation', 'open'];

export const DEFAULT_LOAD_OPTIONS: Readonly<LoadOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 1060,
  mode: 'closed',
  connections: 16,
  pipeline: 1,
  questions: 3,
  rate: 1000,
  warmupS: 1,
  durationS: 5,
  requests: 0,
  timeoutMs: 5000,
  threads: 1,
  allowRemote: false,
});

/** Upper bounds that keep a run finite and its buffers small; generous for any real use. */
export const LIMITS = Object.freeze({
  connections: 10_000,
  pipeline: 1024,
  questions: 1_000_000,
  rate: 10_000_000,
  warmupS: 3600,
  durationS: 3600,
  timeoutMs: 600_000,
  threads: 64,
});

/** A load request that cannot be run as given. */
export class LoadOptionsError extends Error {}

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped address) and the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost') return true;
  const unbracketed = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  const family = isIP(unbracketed);
  if (family === 4) return unbracketed.split('.')[0] === '127';
  if (family === 6) {
    if (unbracketed === '::1' || unbracketed === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(unbracketed);
    return mapped !== null && mapped[1] !== undefined && isLoopbackHost(mapped[1]);
  }
  return false;
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new LoadOptionsError(`${name} must be a whole number from ${min} to ${max} (got ${value})`);
  }
}

function requireNumber(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new LoadOptionsError(`${name} must be a number from ${min} to ${max} (got ${value})`);
  }
}

/** Fills in defaults and throws a LoadOptionsError for anything that cannot be run. */
export function resolveLoadOptions(options: Partial<LoadOptions>): LoadOptions {
  const resolved: LoadOptions = { ...DEFAULT_LOAD_OPTIONS, ...stripUndefined(options) };
  if (!LOAD_MODES.includes(resolved.mode)) {
    throw new LoadOptionsError(`mode must be one of ${LOAD_MODES.join(', ')} (got ${String(resolved.mode)})`);
  }
  if (typeof resolved.host !== 'string' || resolved.host === '') throw new LoadOptionsError('host must be given');
  requireInteger('port', resolved.port, 1, 65535);
  requireInteger('connections', resolved.connections, 1, LIMITS.connections);
  requireInteger('pipeline', resolved.pipeline, 1, LIMITS.pipeline);
  requireInteger('questions', resolved.questions, 1, LIMITS.questions);
  requireNumber('rate', resolved.rate, 0.001, LIMITS.rate);
  requireNumber('warmupS', resolved.warmupS, 0, LIMITS.warmupS);
  requireNumber('durationS', resolved.durationS, 0.001, LIMITS.durationS);
  requireInteger('requests', resolved.requests, 0, Number.MAX_SAFE_INTEGER);
  requireInteger('timeoutMs', resolved.timeoutMs, 1, LIMITS.timeoutMs);
  requireInteger('threads', resolved.threads, 1, LIMITS.threads);
  if (resolved.threads > resolved.connections) {
    throw new LoadOptionsError(`threads (${resolved.threads}) cannot exceed connections (${resolved.connections})`);
  }
  if (!resolved.allowRemote && !isLoopbackHost(resolved.host)) {
    throw new LoadOptionsError(
      `${resolved.host} is not a loopback address; pass allowRemote (--allow-remote) to load another machine`,
    );
  }
  return resolved;
}

function stripUndefined(options: Partial<LoadOptions>): Partial<LoadOptions> {
  const copy: Partial<LoadOptions> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (copy as Record<string, unknown>)[key] = value;
  }
  return copy;
}
