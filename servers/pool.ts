/**
 * pool: the main thread does all socket I/O; each question's work and answer run on a
 * piscina worker thread, whose simulated I/O blocks that worker only.
 * This file is also the workers' task module: piscina loads it and calls the default export.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { workerData } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { answerFor } from '../protocol/zen.js';
import type { Architecture } from './shared/architecture.js';
import { serveConcurrently } from './shared/tcp.js';
import { blockThread, burnCpu } from './shared/work.js';

interface PoolWork {
  cpuUs: number;
  ioMs: number;
}

/**
 * Runs on a pool thread. The question travels as a latin1 string: cloning a Buffer view would
 * copy its whole backing store.
 */
export default function answerOnWorker(question: string): Uint8Array {
  const work = workerData as PoolWork;
  burnCpu(work.cpuUs);
  blockThread(work.ioMs);
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
      workerData: { cpuUs: options.cpuUs, ioMs: options.ioMs } satisfies PoolWork,
    });
    await threadsReady(pool, options.workers);
    function answer(question: Buffer): Promise<Uint8Array> {
      return pool.run(question.toString('latin1')) as Promise<Uint8Array>;
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
