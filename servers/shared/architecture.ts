/**
 * What an architecture is to the rest of zenbench: a name, one line for the reader, and a
 * way to start serving the zen protocol with the common options.
 */

export type Schedule = 'rr' | 'none';

export interface ServerOptions {
  host: string;
  port: number;
  /** Pool threads or cluster processes; ignored by the single-threaded architectures. */
  workers: number;
  /** cpu-us of fixed CPU work per question (see work.ts for the unit). */
  cpuUs: number;
  /** Milliseconds each question waits on a simulated external resource. */
  ioMs: number;
  idleTimeoutS: number;
  /** Seconds a question may take from its first byte to its '?'; 0 for no limit. */
  questionTimeoutS: number;
  /** Cluster only: Node's round-robin or the operating system's distribution. */
  schedule: Schedule;
  verbose: boolean;
}

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** Stops accepting, answers what is in flight, closes every connection. */
  close(): Promise<void>;
}

export interface Architecture {
  readonly name: string;
  readonly summary: string;
  /** The options only some architectures take, so that the listening line reports just those. */
  readonly takes: readonly ('workers' | 'schedule')[];
  start(options: ServerOptions): Promise<RunningServer>;
}
