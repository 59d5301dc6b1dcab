/**
 * Reads V8 .cpuprofile files (what `node --cpu-prof` writes) and works out each function's
 * self time: the time the sampler found that very function on top of the stack.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based, as V8 writes it. */
  lineNumber: number;
  columnNumber: number;
  scriptId?: string | number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  /** The id of the node on top of the stack at each sample. */
  samples: number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  timeDeltas: number[];
}

/** One function's share of a profile. */
export interface FunctionSelfTime {
  functionName: string;
  url: string;
  /** 1-based, as editors count. */
  line: number;
  column: number;
  selfUs: number;
  samples: number;
}

export class CpuProfileError extends Error {}

export function readCpuProfile(path: string): CpuProfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CpuProfileError(
      `${path} is not a readable .cpuprofile: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!isCpuProfile(parsed)) throw new CpuProfileError(`${path} does not have the shape of a V8 .cpuprofile`);
  return parsed;
}

function isCpuProfile(value: unknown): value is CpuProfile {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof CpuProfile, unknown>>;
  return (
    Array.isArray(candidate.nodes) &&
    Array.isArray(candidate.samples) &&
    Array.isArray(candidate.timeDeltas) &&
    candidate.samples.length === candidate.timeDeltas.length &&
    typeof candidate.startTime === 'number' &&
    typeof candidate.endTime === 'number'
  );
}

/** A frame's identity across the nodes of one profile, and across profiles of the same code. */
export function frameKey(frame: { functionName: string; url: string; line: number; column: number }): string {
  return `${frame.functionName}\u0000${frame.url}\u0000${frame.line}\u0000${frame.column}`;
}

/**
 * Self time per function. A sample stands for the time until the next one (the last: until
 * endTime), as Chrome DevTools counts it; the same function reached by different call paths
 * is one row.
 */
export function selfTimes(profile: CpuProfile): FunctionSelfTime[] {
  const frameOfNode = new Map<number, CallFrame>();
  for (const node of profile.nodes) frameOfNode.set(node.id, node.callFrame);

  const byFunction = new Map<string, FunctionSelfTime>();
  let sampledAt = profile.startTime;
  const timestamps = profile.timeDeltas.map((delta) => (sampledAt += delta));
  profile.samples.forEach((nodeId, index) => {
    const frame = frameOfNode.get(nodeId);
    const start = timestamps[index];
    if (frame === undefined || start === undefined) return;
    const end = timestamps[index + 1] ?? Math.max(profile.endTime, start);
    const entry = {
      functionName: frame.functionName,
      url: frame.url,
      line: frame.lineNumber + 1,
      column: frame.columnNumber + 1,
    };
    const key = frameKey(entry);
    const known = byFunction.get(key) ?? { ...entry, selfUs: 0, samples: 0 };
    known.selfUs += Math.max(0, end - start);
    known.samples += 1;
    byFunction.set(key, known);
  });
  return [...byFunction.values()];
}
