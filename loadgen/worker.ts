/**
 * A worker thread of `--threads N`: it runs one thread's share of the load with the same
 * engine the single-threaded run uses, and posts its report back.
 * Protocol: worker -> 'ready'; main -> { startEpochMs }; worker -> { report }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runThread } from './engine.js';
import type { StartMessage, ThreadPlan, WorkerMessage } from './plan.js';

const port = parentPort;
if (port === null) throw new Error('loadgen/worker.js runs only as a worker thread');
const plan = workerData as ThreadPlan;
port.once('message', (message: StartMessage) => {
  void runThread(plan, message.startEpochMs).then((report) => {
    const reply: WorkerMessage = { kind: 'report', report };
    port.postMessage(reply);
  });
});
const ready: WorkerMessage = { kind: 'ready' };
port.postMessage(ready);
