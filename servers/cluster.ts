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
import { ListenError, SHUTDOWN_GRACE_MS } from './shared/tcp.js';

const OPTIONS_ENV = 'ZENBENCH_CLUSTER_OPTIONS';

type WorkerReport = { kind: 'failed'; message: string };

export const clusterArchitecture: Architecture = {
  name: 'cluster',
  summary: 'a primary forks worker processes that share the listening socket, each one async',
  takes: ['workers', 'schedule'],
  async start(options) {
    cluster.schedulingPolicy = options.schedule === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: [] });

    const starting = Array.from({ length: options.workers }, () => forkWorker(options));
    const port = (await Promise.all(starting))[0] ?? options.port;
    // Replacements bind the port the first workers got, also when --port 0 chose it.
    const settled: ServerOptions = { ...options, port };

    let stopping = false;
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      process.stderr.write(
        `cluster: worker ${worker.process.pid} died (${signal ?? `exit ${code}`}), starting another\n`,
      );
      forkWorker(settled).catch((error: Error) =>
        process.stderr.write(`cluster: replacement failed: ${error.message}\n`),
      );
    });

    const server: RunningServer = {
      host: options.host,
      port,
      async close() {
        stopping = true;
        const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
        await Promise.all(workers.map(stopWorker));
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

function stopWorker(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    if (worker.isDead()) return resolve();
    const killer = setTimeout(() => worker.process.kill('SIGKILL'), SHUTDOWN_GRACE_MS + 1000);
    worker.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    worker.send('shutdown');
  });
}

async function runWorker(options: ServerOptions): Promise<void> {
  // The primary decides when workers stop: Ctrl-C reaches the whole process group, and a
  // worker that left on its own would only be replaced.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
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
