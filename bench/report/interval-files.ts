/**
 * The bench's interval logs: one HdrHistogram log per point and round under <out>/intervals/,
 * named after the point's id, written as the run goes and read back by the over-time charts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatIntervalLog, readIntervalLog, type IntervalLog } from '../../loadgen/interval-log.js';
import type { IntervalHistograms } from '../../loadgen/types.js';

export const INTERVALS_DIRECTORY = 'intervals';

/** async/io/persistent/c16/http, round 2 -> async_io_persistent_c16_http.r2.hlog */
export function intervalLogName(pointId: string, repetition: number): string {
  return `${pointId.replace(/[/@]/g, '_')}.r${repetition}.hlog`;
}

/** The names this writer gives logs; nothing else in the folder is touched. */
const LOG_FILE = /^[A-Za-z0-9_.-]+\.r\d+\.hlog$/;

/** Removes the logs an earlier run left in `outDir`, which would be taken for this run's. */
export function clearIntervalLogs(outDir: string): void {
  const dir = path.join(outDir, INTERVALS_DIRECTORY);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (LOG_FILE.test(name)) rmSync(path.join(dir, name));
}

export function writeIntervalLogFile(
  outDir: string,
  pointId: string,
  repetition: number,
  intervals: IntervalHistograms,
): string {
  const dir = path.join(outDir, INTERVALS_DIRECTORY);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, intervalLogName(pointId, repetition));
  writeFileSync(file, formatIntervalLog(intervals, [`zenbench bench: ${pointId}, round ${repetition}`]));
  return file;
}

/** Reads a point's log for a round from `outDir`, or null when there is none. */
export type IntervalLogSource = (pointId: string, repetition: number) => IntervalLog | null;

export function intervalLogsIn(outDir: string): IntervalLogSource {
  return (pointId, repetition) => {
    const file = path.join(outDir, INTERVALS_DIRECTORY, intervalLogName(pointId, repetition));
    if (!existsSync(file)) return null;
    return readIntervalLog(readFileSync(file, 'utf8'), file);
  };
}
