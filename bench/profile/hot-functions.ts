/**
 * The hot path without a browser: functions ranked by self time over one or more CPU
 * profiles (a cluster's processes, a pool's threads), and the tables that show them.
 */
import Table from 'cli-table3';
import { CodeLocator, type CodeKind } from './code-location.js';
import { frameKey, selfTimes, type CpuProfile } from './cpuprofile.js';

/** V8's names for time that is no function's: the idle loop, and the root of the tree. */
const NOT_WORK = new Set(['(idle)', '(root)']);

export interface HotFunction {
  name: string;
  where: string;
  kind: CodeKind;
  selfUs: number;
  /** Share of the busy (not idle) time of all profiles together, 0..1. */
  share: number;
}

export interface HotFunctionSummary {
  /** Sampled time in which some code ran. */
  busyUs: number;
  /** Sampled time the threads waited in the event loop for something to do. */
  idleUs: number;
  /** Every function seen, hottest first. */
  functions: HotFunction[];
}

export function summarizeProfiles(profiles: CpuProfile[], projectRoot: string): HotFunctionSummary {
  const locator = new CodeLocator(projectRoot);
  const merged = new Map<string, HotFunction>();
  let busyUs = 0;
  let idleUs = 0;
  for (const profile of profiles) {
    for (const entry of selfTimes(profile)) {
      if (NOT_WORK.has(entry.functionName) && entry.url === '') {
        idleUs += entry.functionName === '(idle)' ? entry.selfUs : 0;
        continue;
      }
      busyUs += entry.selfUs;
      const key = frameKey(entry);
      const known = merged.get(key);
      if (known !== undefined) {
        known.selfUs += entry.selfUs;
        continue;
      }
      const location = locator.locate(entry.url, entry.functionName, entry.line, entry.column);
      merged.set(key, {
        name: entry.functionName === '' ? '(anonymous)' : entry.functionName,
        where: location.where,
        kind: location.kind,
        selfUs: entry.selfUs,
        share: 0,
      });
    }
  }
  const functions = [...merged.values()].sort((a, b) => b.selfUs - a.selfUs);
  for (const hot of functions) hot.share = busyUs > 0 ? hot.selfUs / busyUs : 0;
  return { busyUs, idleUs, functions };
}

export function hotFunctionsTable(functions: HotFunction[]): string {
  const table = new Table({
    head: ['#', 'self ms', '% busy', 'function', 'where', 'code'],
    colAligns: ['right', 'right', 'right', 'left', 'left', 'left'],
    style: { head: [], border: [] },
    // Row rules would double the table's height for nothing; the columns are rule enough.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  functions.forEach((hot, index) => {
    table.push([
      String(index + 1),
      (hot.selfUs / 1000).toFixed(1),
      `${(hot.share * 100).toFixed(1)}%`,
      hot.name,
      hot.where,
      hot.kind,
    ]);
  });
  return table.toString();
}
