/**
 * cluster: a primary forks --workers processes that share the listening socket, each of them
 * an async server. --schedule picks who spreads the connections: Node's primary, round
 * robin, or the operating system. The primary replaces a worker that dies.
 * This file is also the workers' entry point: cluster.fork runs it again in each child.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { asyncArchitecture } from './async.js';
import type { Architecture, RunningServer, ServerOptions } from './shared/architecture.js';
import { onStopSignal } from './shared/signals.js';
import { ListenError, SHUTDOWN_GRACE_MS, watchDescriptorLimit } from './shared/listener.js';

const OPTIONS_ENV = 'ZENBENCH_CLUSTER_OPTIONS';

/** Deaths within RESTART_WINDOW_MS past which the primary stops instead of forking again. */
const MAX_DEATHS = 5;
const RESTART_WINDOW_MS = 60_000;
/** The wait before the second replacement within the window; it doubles with each death after. */
const FIRST_BACKOFF_MS = 250;

type WorkerReport = { kind: 'failed'; message: string };

export const clusterArchitecture: Architecture = {
  name: 'cluster',
  summary: 'a primary forks worker processes that share the listening socket, each one async',
  takes: ['workers', 'schedule'],
  async start(options) {
    cluster.schedulingPolicy = options.schedule === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: [] });
    // Whatever ends the primary, its workers end with it rather than serve on unsupervised.
    process.on('exit', () => {
      for (const worker of liveWorkers()) worker.process.kill('SIGKILL');
    });

    const starting = Array.from({ length: options.workers }, () => forkWorker(options));
    const port = (await Promise.all(starting))[0] ?? options.port;
    // With round robin the primary accepts every client before a worker does.
    watchDescriptorLimit();

    // Workers share a listening handle that the primary keys by the port they asked for: with
    // --port 0 a replacement must ask for 0 too, or it would try to bind the chosen port anew.
    // Only when no worker is left to share the handle would 0 pick another port, so from then
    // on they ask for the one the clients know.
    let sharedPort = options.port;
    let stopping = false;
    const deaths: number[] = [];
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      const now = performance.now();
      while (deaths.length > 0 && (deaths[0] ?? now) < now - RESTART_WINDOW_MS) deaths.shift();
      deaths.push(now);
      const died = `cluster: worker ${worker.process.pid} died (${signal ?? `exit ${code}`})`;
      if (deaths.length >= MAX_DEATHS) {
        stopping = true;
        process.stderr.write(
          `${died}; workers died ${deaths.length} times within ${RESTART_WINDOW_MS / 1000} s, stopping the cluster\n`,
        );
        void Promise.all(liveWorkers().map(stopWorker)).then(() => process.exit(1));
        return;
      }
      const backoffMs = deaths.length === 1 ? 0 : FIRST_BACKOFF_MS * 2 ** (deaths.length - 2);
      process.stderr.write(`${died}, starting another${backoffMs > 0 ? ` in ${backoffMs} ms` : ''}\n`);
      setTimeout(() => {
        if (stopping) return;
        if (liveWorkers().length === 0) sharedPort = port;
        forkWorker({ ...options, port: sharedPort }).catch((error: Error) =>
          process.stderr.write(`cluster: replacement failed: ${error.message}\n`),
        );
      }, backoffMs);
    });

    const server: RunningServer = {
      host: options.host,
      port,
      async close() {
        stopping = true;
        await Promise.all(liveWorkers().map(stopWorker));
      },
    };
    return server;
  },
};

/** Forks one worker and resolves with its port once it listens. */
function forkWorker(options: ServerOptions): Promise<number> {
  const worker = cluster.fork({ [OPTIONS_ENV]: JSON.stringify(options) });
  return new Promise((resolve, reject) => {
    worker.once('listening', (address) => resolve(address.port));
    worker.on('message', (report: WorkerReport) => {
      if (report.kind === 'failed') reject(new ListenError(report.message));
    });
    worker.once('exit', (code, signal) =>
      reject(new Error(`a cluster worker exited before listening (${signal ?? `exit ${code}`})`)),
    );
  });
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
}

/**
 * Asks a worker to stop and gives it the grace and a little more; a worker whose thread is
 * busy cannot even read the request, so then it is killed, and its connections with it.
 */
function stopWorker(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    if (worker.isDead()) return resolve();
    const waitMs = SHUTDOWN_GRACE_MS + 500;
    const killer = setTimeout(() => {
      process.stderr.write(
        `cluster: worker ${worker.process.pid} still busy ${waitMs} ms after the shutdown began: killed, its connections cut off\n`,
      );
      worker.process.kill('SIGKILL');
    }, waitMs);
    worker.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    // A worker that has just died may not take the message; its exit resolves this all the same.
    if (worker.isConnected()) worker.send('shutdown', () => undefined);
  });
}

async function runWorker(options: ServerOptions): Promise<void> {
  // The primary decides when workers stop: a signal to the whole process group (Ctrl-C, a
  // closed terminal) reaches the workers too, and a worker that left on its own would only be
  // replaced. The stop signals are therefore caught and ignored.
  onStopSignal(() => undefined);
  // The channel to a primary that has gone breaks; the worker then leaves quietly (cluster
  // makes it exit on 'disconnect') instead of dying of an unhandled EPIPE.
  process.on('error', () => undefined);
  try {
    const server = await asyncArchitecture.start(options);
    process.on('message', (message: unknown) => {
      if (message === 'shutdown') void server.close().then(() => process.exit(0));
    });
  } catch (error) {
    const report: WorkerReport = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    process.send?.(report, () => process.exit(1));
  }
}

const workerOptions = process.env[OPTIONS_ENV];
if (cluster.isWorker && workerOptions !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  void runWorker(JSON.parse(workerOptions) as ServerOptions);
}
