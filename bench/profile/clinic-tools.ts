/**
 * The Clinic.js tools and what each can profile here. Clinic is no longer maintained, so
 * this records what was tried on this project's servers (Node 20.20.2, clinic 13.0.0) rather
 * than what clinic's documentation promises; docs/profile.md carries the same table.
 */

export type ClinicToolName = 'flame' | 'doctor' | 'bubbleprof' | 'heapprofiler';

export interface ClinicTool {
  name: ClinicToolName;
  /** What the HTML report shows, for the help text and the final message. */
  shows: string;
  /** Architectures it cannot profile, and why, in words the user can act on. */
  refuses: Partial<Record<string, string>>;
  /** Architectures it profiles only in part: printed as a warning with the run. */
  caveats: Partial<Record<string, string>>;
  /** The first Node version on which the tool is known to break, if any. */
  brokenFrom?: { major: number; minor: number; note: string };
}

const CLUSTER_REASON =
  "clinic's tools do not follow node:cluster workers (doctor, bubbleprof and flame refuse to fork them, heapprofiler profiles only the idle primary); use --tool cpuprof, which writes one profile per worker";

export const CLINIC_TOOLS: Readonly<Record<ClinicToolName, ClinicTool>> = {
  flame: {
    name: 'flame',
    shows: 'a flame graph of where CPU time goes, in one thread',
    refuses: { cluster: CLUSTER_REASON },
    caveats: {
      pool: "clinic flame draws one thread of the pool: 0x keeps one isolate's log, sometimes the main thread's, sometimes a pool thread's (both seen here); --tool cpuprof profiles every thread",
    },
  },
  doctor: {
    name: 'doctor',
    shows: 'CPU, memory, event-loop delay and active handles over time, with a diagnosis',
    refuses: {
      cluster: CLUSTER_REASON,
      pool: "clinic doctor's sampler also loads into each piscina worker thread, and their samples corrupt its data file ('Decoded message is not valid'); use --tool cpuprof",
    },
    caveats: {},
    brokenFrom: { major: 21, minor: 7, note: 'clinic doctor is known to break on Node 21.7 and later' },
  },
  bubbleprof: {
    name: 'bubbleprof',
    shows: 'where asynchronous operations wait, grouped into bubbles of code',
    refuses: { cluster: CLUSTER_REASON },
    caveats: {
      pool: 'bubbleprof slows the pool server down badly (522 answers/s here, against 15,000/s under heapprofiler)',
    },
  },
  heapprofiler: {
    name: 'heapprofiler',
    shows: 'which functions allocate the memory on the heap',
    refuses: { cluster: CLUSTER_REASON },
    caveats: { pool: 'clinic heapprofiler samples the main thread only, not the pool threads' },
  },
};

/** Whether this Node is at or past the version a tool is known to break on. */
export function knownBrokenHere(tool: ClinicTool, nodeVersion = process.versions.node): string | null {
  if (tool.brokenFrom === undefined) return null;
  const [major = 0, minor = 0] = nodeVersion.split('.').map(Number);
  const { major: brokenMajor, minor: brokenMinor, note } = tool.brokenFrom;
  return major > brokenMajor || (major === brokenMajor && minor >= brokenMinor) ? note : null;
}
