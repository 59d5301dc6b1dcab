/** What a finished profile run prints on stdout: what was measured, the findings, and where the files are. */
import { relative } from 'node:path';
import type { ClinicTool } from './clinic-tools.js';
import type { ClinicReport } from './clinic-run.js';
import type { CpuprofReport } from './cpuprof-run.js';
import { hotFunctionsTable } from './hot-functions.js';
import { describeLoad } from './judge-load.js';

/** Enough of our own code to follow the hot path through connection, framing and work. */
const OWN_CODE_ROWS = 10;
/** Functions known to sit in Atomics.wait: piscina's idle workers, and --io-ms on a blocking thread. */
const BLOCKED_WAITING = new Set(['atomicsWaitLoop', 'blockThread']);

function write(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function shortPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') ? path : fromHere;
}

function printWarnings(warnings: string[]): void {
  for (const warning of warnings) process.stderr.write(`zenbench profile: warning: ${warning}\n`);
}

export function printCpuprofReport(report: CpuprofReport, top: number): void {
  const { summary } = report;
  if (report.load.result !== null) write(`load: ${describeLoad(report.load.result)}`);
  const sampledMs = (summary.busyUs + summary.idleUs) / 1000;
  const busyShare = sampledMs > 0 ? (summary.busyUs / 1000 / sampledMs) * 100 : 0;
  write(
    `sampled ${sampledMs.toFixed(0)} ms over ${report.files.length} profile(s), busy ${busyShare.toFixed(0)}% (the rest idle in the event loop)`,
  );
  write();
  write(`hottest functions by self time, all profiles together:`);
  write(hotFunctionsTable(summary.functions.slice(0, top)));
  const waiting = summary.functions.slice(0, top).filter((hot) => BLOCKED_WAITING.has(hot.name));
  if (waiting.length > 0) {
    write(
      `note: ${waiting.map((hot) => hot.name).join(', ')} block their thread in Atomics.wait: that is waiting, counted as self time by V8, not CPU spent`,
    );
  }
  const ownCode = summary.functions.filter((hot) => hot.kind === 'zenbench').slice(0, OWN_CODE_ROWS);
  write();
  if (ownCode.length === 0) {
    write(`zenbench's own code: no samples (the server spent its time in Node and V8)`);
  } else {
    write(`zenbench's own code, hottest first:`);
    write(hotFunctionsTable(ownCode));
  }
  write();
  write(`profiles (open in Chrome DevTools: Performance > Load profile, or drop on https://www.speedscope.app):`);
  for (const file of report.files)
    write(
      `  ${shortPath(file.path)}  (${file.role}, pid ${file.pid}${file.threadId === 0 ? '' : `, thread ${file.threadId}`})`,
    );
  write(`report directory: ${shortPath(report.reportDir)}`);
  printWarnings(report.warnings);
}

export function printClinicReport(report: ClinicReport, tool: ClinicTool): void {
  if (report.load.result !== null) write(`load: ${describeLoad(report.load.result)}`);
  write(`clinic ${tool.name} report (${tool.shows}); open it in a browser:`);
  write(`  ${shortPath(report.htmlPath)}  (${Math.round(report.htmlBytes / 1024)} KB)`);
  write(`report directory: ${shortPath(report.reportDir)}`);
  printWarnings(report.warnings);
}
