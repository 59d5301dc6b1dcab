/**
 * The shutdown's bound, kept by a thread of its own. A server whose main thread is busy (a long
 * --io-ms wait in the blocking server, a pipelined batch of --cpu-us work in async) runs neither
 * its signal handlers nor its timers until the work is done, so this thread watches the stop
 * signals itself: when the grace is over it cuts off the work in progress (work.ts checks for
 * it, and the main thread gets on with the shutdown), and should the process still be there at
 * the limit, it kills it. A second stop signal cuts off the work at once.
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { STOP_SIGNALS } from './signals.js';
import { cutOffWork, workControl } from './work.js';

interface WatchdogData {
  watchdog: true;
  control: SharedArrayBuffer;
  graceMs: number;
  limitMs: number;
  prog: string;
}

interface SignalHandle {
  onsignal: (signum: number) => void;
  start(signum: number): number;
}

/** How long after a second signal the watchdog kills a process that has not stopped by itself. */
const SECOND_SIGNAL_LIMIT_MS = 800;

/**
 * Starts the watchdog thread. `graceMs` after the first stop signal it cuts off the work in
 * progress and calls `graceOver` (on the main thread, once that is free); at `limitMs` it
 * kills the process, which only happens if the main thread never came back to stop it.
 */
export function startWatchdog(prog: string, graceMs: number, limitMs: number, graceOver: () => void): void {
  const data: WatchdogData = { watchdog: true, control: workControl(), graceMs, limitMs, prog };
  // None of the process's execArgv: the watchdog is no part of what --cpu-prof and the like are
  // asked to look at. --expose-internals (this thread only) is how it reaches the signal binding
  // (see listen), and --no-warnings keeps Node's warning about that off the server's stderr.
  const execArgv = ['--expose-internals', '--no-warnings'];
  const worker = new Worker(new URL(import.meta.url), { workerData: data, execArgv, stdout: false, stderr: false });
  worker.on('message', graceOver);
  // A watchdog that failed to start leaves the main thread's own timers, as before.
  worker.on('error', () => undefined);
  worker.unref();
}

/**
 * A signal handle on this thread's own event loop. Node's public API delivers signals to the
 * main thread only, which is the thread we cannot count on; libuv hands a signal to every
 * loop that asked for it, and signal_wrap is how Node itself asks. Node 24 took signal_wrap
 * out of process.binding; internalBinding (through --expose-internals, given to this thread
 * alone) has it on every line from 20 on, and process.binding stays as the fallback.
 */
function listen(signum: number, onSignal: () => void): boolean {
  const binding = signalBinding();
  if (binding === null) return false;
  try {
    const handle = new binding.Signal();
    handle.onsignal = onSignal;
    return handle.start(signum) === 0;
  } catch {
    return false;
  }
}

interface SignalBinding {
  Signal: new () => SignalHandle;
}

function signalBinding(): SignalBinding | null {
  try {
    const require = createRequire(import.meta.url);
    const internal = require('internal/test/binding') as { internalBinding(name: string): unknown };
    return internal.internalBinding('signal_wrap') as SignalBinding;
  } catch {
    // Not exposed: try the deprecated public route, whose warning would only alarm the reader.
  }
  try {
    process.noDeprecation = true;
    return (process as unknown as { binding(name: string): unknown }).binding('signal_wrap') as SignalBinding;
  } catch {
    return null;
  }
}

function watch(data: WatchdogData): void {
  const say = (line: string): void => {
    writeSync(2, `${data.prog}: ${line}\n`);
  };
  let first: string | null = null;
  const cutOff = (why: string): void => {
    const busy = cutOffWork(data.control);
    if (busy > 0) say(`${why}: cut off ${busy} question(s) still being worked out`);
    parentPort?.postMessage('grace over');
  };
  const kill = (why: string): void => {
    say(`${why}: killing the process`);
    process.kill(process.pid, 'SIGKILL');
  };
  for (const name of STOP_SIGNALS) {
    const signum = constants.signals[name];
    listen(signum, () => {
      if (first === null) {
        first = name;
        setTimeout(() => cutOff(`shutdown still busy ${data.graceMs} ms after ${name}`), data.graceMs);
        setTimeout(() => kill(`shutdown still not done ${data.limitMs} ms after ${name}`), data.limitMs);
        return;
      }
      cutOff(`${name} during the shutdown`);
      setTimeout(
        () => kill(`still running ${SECOND_SIGNAL_LIMIT_MS} ms after a second signal`),
        SECOND_SIGNAL_LIMIT_MS,
      );
    });
  }
}

function isWatchdogData(value: unknown): value is WatchdogData {
  return typeof value === 'object' && value !== null && (value as Partial<WatchdogData>).watchdog === true;
}

if (!isMainThread && isWatchdogData(workerData)) watch(workerData);
