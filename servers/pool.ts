/**
 * pool: the main thread does all socket I/O; each question's work and answer run on a
 * piscina worker thread, whose simulated I/O blocks that worker only. Questions wait for a
 * thread in a queue of the main thread's, where those of clients that have gone are dropped.
 * This file is also the workers' task module: piscina loads it and calls the default export.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, workerData } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { answerFor } from '../protocol/zen.js';
import type { Architecture } from './shared/architecture.js';
import { meetFault, type Fault } from './shared/fault.js';
import type { Asker } from './shared/service.js';
import { serveConcurrently } from './shared/listener.js';
import {
  processNumber,
  serviceCosts,
  setProcessNumber,
  type ServiceCosts,
  type ServiceTime,
} from './shared/service-time.js';
import { adoptWorkControl, blockThread, burnCpu, workControl } from './shared/work.js';

interface PoolWork {
  cpuUs: ServiceTime;
  ioMs: ServiceTime;
  seed: number;
  fault: Fault;
  workers: number;
  /** Shared with the main thread, so that a shutdown out of time cuts off the threads' work too. */
  control: SharedArrayBuffer;
  /** The pool's process within its server (a cluster-pool worker's id), for the threads' streams. */
  process: number;
}

/**
 * Questions handed to piscina per thread: one being worked out and one ready to start, so
 * that a thread never waits for the main thread. The rest wait in our queue.
 */
const TASKS_PER_THREAD = 2;

/** The answer for a client that has gone: nobody will read it, so it costs nothing. */
const UNASKED = new Uint8Array(0);

interface Waiting {
  question: string;
  asker: Asker;
  resolve: (answer: Uint8Array) => void;
  reject: (error: unknown) => void;
}

if (!isMainThread) {
  adoptWorkControl((workerData as PoolWork).control);
  setProcessNumber((workerData as PoolWork).process);
}
/** This thread's draws of its questions' costs, from a stream of its own (service-time.ts). */
const cost: ServiceCosts | null = isMainThread ? null : serviceCosts(workerData as PoolWork);

/**
 * Runs on a pool thread. The question travels as a latin1 string: cloning a Buffer view would
 * copy its whole backing store.
 */
export default function answerOnWorker(question: string): Uint8Array | Promise<Uint8Array> {
  const work = workerData as PoolWork;
  const crashed = meetFault(work);
  if (crashed !== null) return crashed;
  if (cost === null) throw new Error('answerOnWorker runs on a pool thread only');
  burnCpu(cost.cpuUs());
  blockThread(cost.ioMs());
  return answerFor(Buffer.from(question, 'latin1'));
}

/** Resolves once every thread has loaded this module, so that the first clients meet the whole pool. */
async function threadsReady(pool: Piscina, threads: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (pool.idleThreads < threads) {
    if (Date.now() > deadline)
      throw new Error(`only ${pool.idleThreads} of ${threads} pool threads started within 10 s`);
    await sleep(5);
  }
}

export const poolArchitecture: Architecture = {
  name: 'pool',
  summary: 'main thread does the I/O, a piscina worker-thread pool does the work',
  takes: ['workers'],
  async start(options) {
    const pool = new Piscina({
      filename: import.meta.url,
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      workerData: {
        cpuUs: options.cpuUs,
        ioMs: options.ioMs,
        seed: options.seed,
        fault: options.fault,
        workers: options.workers,
        control: workControl(),
        process: processNumber(),
      } satisfies PoolWork,
    });
    // A thread that cannot be started again (say, at the file-descriptor limit) must not take
    // the server down; piscina tries again at the next task.
    pool.on('error', (error: Error) => process.stderr.write(`pool: a thread failed: ${error.message}\n`));
    await threadsReady(pool, options.workers);

    // piscina's own queue would work out every question handed to it, also for clients that
    // have gone, so it gets only a few at a time. Its bound is the connections' own: so many
    // answers pending per connection and per server (connection.ts).
    const maxRunning = options.workers * TASKS_PER_THREAD;
    let running = 0;
    // Two stacks make a queue that takes and gives in O(1), however long it grows.
    let arriving: Waiting[] = [];
    let leaving: Waiting[] = [];
    const settled = (): void => {
      running--;
      dispatch();
    };
    function run(question: string): Promise<Uint8Array> {
      running++;
      const answered = pool.run(question) as Promise<Uint8Array>;
      answered.then(settled, settled);
      return answered;
    }
    function dispatch(): void {
      while (running < maxRunning) {
        if (leaving.length === 0) {
          if (arriving.length === 0) return;
          leaving = arriving.reverse();
          arriving = [];
        }
        const next = leaving.pop();
        if (next === undefined) return;
        if (next.asker.gone) next.resolve(UNASKED);
        else run(next.question).then(next.resolve, next.reject);
      }
    }
    function answer(question: Buffer, asker: Asker): Promise<Uint8Array> {
      const text = question.toString('latin1');
      if (running < maxRunning && arriving.length === 0 && leaving.length === 0) return run(text);
      return new Promise((resolve, reject) => {
        arriving.push({ question: text, asker, resolve, reject });
      });
    }

    const service = await serveConcurrently(options, answer);
    return {
      ...service,
      async close() {
        await service.close();
        await pool.destroy();
      },
    };
  },
};
