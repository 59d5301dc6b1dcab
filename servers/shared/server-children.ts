/**
 * The child processes of a server made of several (cluster's workers, reuseport's listeners,
 * inetd's per-connection processes): how the parent starts them, stops them within the
 * shutdown bound, replaces them with a limit, and lets none outlive it; and how a child takes
 * its orders from its parent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SHUTDOWN_GRACE_MS } from './listener.js';
import { onStopSignal } from './signals.js';

/** The environment variable that carries a child's payload (its options, its number). */
const PAYLOAD_ENV = 'ZENBENCH_SERVER_CHILD';

/** Deaths within RESTART_WINDOW_MS past which a parent stops instead of starting another. */
export const MAX_DEATHS = 5;
export const RESTART_WINDOW_MS = 60_000;
/** The wait before the second replacement within the window; it doubles with each death after. */
const FIRST_BACKOFF_MS = 250;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Forks `entryUrl` (a module that calls serverChildPayload with its own URL) as a child of this server. */
export function forkServerChild(entryUrl: string, payload: unknown): ChildProcess {
  killChildrenOnExit();
  const child = fork(fileURLToPath(entryUrl), [], {
    env: { ...process.env, [PAYLOAD_ENV]: JSON.stringify(payload) },
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  // A send to a child that has just died fails on the channel; its exit tells the rest.
  child.on('error', () => undefined);
  return child;
}

/** Whatever ends this process, its children end with it rather than serve on unsupervised. */
export function killChildrenOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Asks a child to finish ('shutdown') and gives it the grace and a little more; a child whose
 * thread is busy cannot even read the request, so then it is killed, and its connections with it.
 */
export function stopServerChild(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve) => {
    if (hasExited(child)) return resolve();
    const waitMs = SHUTDOWN_GRACE_MS + 500;
    const killer = setTimeout(() => {
      process.stderr.write(
        `${what} ${child.pid} still busy ${waitMs} ms after the shutdown began: killed, its connections cut off\n`,
      );
      child.kill('SIGKILL');
    }, waitMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    // A child that has just died may not take the message; its exit resolves this all the same.
    if (child.connected) child.send('shutdown', () => undefined);
  });
}

/** Counts a parent's children's deaths, and says when to start another, or to stop. */
export class DeathCount {
  private readonly deaths: number[] = [];

  /** One more death: the wait before its replacement, or null when they die too often to go on. */
  record(): { count: number; backoffMs: number | null } {
    const now = performance.now();
    while (this.deaths.length > 0 && (this.deaths[0] ?? now) < now - RESTART_WINDOW_MS) this.deaths.shift();
    this.deaths.push(now);
    const count = this.deaths.length;
    if (count >= MAX_DEATHS) return { count, backoffMs: null };
    return { count, backoffMs: count === 1 ? 0 : FIRST_BACKOFF_MS * 2 ** (count - 2) };
  }
}

/** In a child forked by forkServerChild from `entryUrl`, its payload; null in any other process. */
export function serverChildPayload<T>(entryUrl: string): T | null {
  const text = process.env[PAYLOAD_ENV];
  if (text === undefined || process.argv[1] !== fileURLToPath(entryUrl)) return null;
  return JSON.parse(text) as T;
}

/**
 * A child leaves stopping to its parent: a signal to the whole process group (Ctrl-C, a closed
 * terminal) reaches the children too, so the stop signals are caught and ignored, and the
 * child finishes (`finish`) when its parent says 'shutdown'. A parent that has gone (killed
 * outright) breaks the channel: then the child leaves at once rather than serve on as an orphan.
 */
export function obeyParent(finish: () => Promise<void>): void {
  onStopSignal(() => undefined);
  process.on('error', () => undefined);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: unknown) => {
    if (message === 'shutdown') void finish().then(() => process.exit(0));
  });
}
