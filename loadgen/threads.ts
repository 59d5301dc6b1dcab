/**
 * `--threads N`: each share of the connections runs in its own worker thread, so that on a
 * machine with cores to spare the generator is never the limit. All threads start their
 * warm-up at the same instant, once every one of them is loaded and ready.
 */
import { Worker } from 'node:worker_threads';
import { epochNowMs } from './engine.js';
import type { StartMessage, ThreadPlan, ThreadReport, WorkerMessage } from './plan.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
/** Time allowed for the workers to load, and to report after their window has ended. */
const STARTUP_LIMIT_MS = 10_000;
const REPORT_SLACK_MS = 3_000;

export async function runInWorkers(plans: readonly ThreadPlan[]): Promise<ThreadReport[]> {
  const workers = plans.map((plan) => new Worker(WORKER_URL, { workerData: plan }));
  try {
    const reports = workers.map((worker) => nextMessage(worker, 'report'));
    // Keep a rejection seen before it is awaited from turning into an unhandled one.
    for (const report of reports) report.catch(() => undefined);
    await withDeadline(Promise.all(workers.map((worker) => nextMessage(worker, 'ready'))), STARTUP_LIMIT_MS, 'start');
    const start: StartMessage = { startEpochMs: epochNowMs() };
    for (const worker of workers) worker.postMessage(start);
    const plan = plans[0]!;
    const limitMs = plan.warmupMs + plan.durationMs + REPORT_SLACK_MS;
    const messages = await withDeadline(Promise.all(reports), limitMs, 'report');
    return messages.map((message) => (message as Extract<WorkerMessage, { kind: 'report' }>).report);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function nextMessage(worker: Worker, kind: WorkerMessage['kind']): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage): void => {
      if (message.kind !== kind) return;
      cleanUp();
      resolve(message);
    };
    const onError = (error: Error): void => {
      cleanUp();
      reject(new Error(`load generator thread failed: ${error.message}`));
    };
    const onExit = (code: number): void => {
      cleanUp();
      reject(new Error(`load generator thread exited (code ${code}) before its ${kind} message`));
    };
    const cleanUp = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

async function withDeadline<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`load generator threads did not ${what} within ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
