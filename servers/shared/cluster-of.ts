/**
 * A cluster of some architecture: a primary forks --workers processes with node:cluster that
 * share the listening socket, each of them serving as `perWorker` does. --schedule picks who
 * spreads the connections: Node's primary, round robin, or the operating system. The primary
 * replaces a worker that dies (server-children.ts says how often it may).
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Architecture, RunningServer, ServerOptions } from './architecture.js';
import { ListenError, watchDescriptorLimit } from './listener.js';
import { DeathCount, obeyParent, RESTART_WINDOW_MS, stopServerChild } from './server-children.js';

const OPTIONS_ENV = 'ZENBENCH_CLUSTER_OPTIONS';

type WorkerReport = { kind: 'failed'; message: string };

export interface ClusterSpec {
  readonly name: string;
  readonly summary: string;
  readonly takes: Architecture['takes'];
  /** The module that calls clusterOf (its import.meta.url): cluster.fork runs it again in each worker. */
  readonly entry: string;
  /** What each worker process is. */
  readonly perWorker: Architecture;
  /** The options a worker starts `perWorker` with, from the cluster's own. */
  readonly workerOptions: (options: ServerOptions) => ServerOptions;
}

/** The architecture; in a worker forked from `spec.entry`, it also starts that worker. */
export function clusterOf(spec: ClusterSpec): Architecture {
  const workerOptions = process.env[OPTIONS_ENV];
  if (cluster.isWorker && workerOptions !== undefined && process.argv[1] === fileURLToPath(spec.entry)) {
    void runWorker(spec, JSON.parse(workerOptions) as ServerOptions);
  }
  return {
    name: spec.name,
    summary: spec.summary,
    takes: spec.takes,
    start: (options) => startPrimary(spec, options),
  };
}

async function startPrimary(spec: ClusterSpec, options: ServerOptions): Promise<RunningServer> {
  cluster.schedulingPolicy = options.schedule === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
  cluster.setupPrimary({ exec: fileURLToPath(spec.entry), args: [] });
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
  const deaths = new DeathCount();
  const stopAll = (): Promise<void> =>
    Promise.all(liveWorkers().map((worker) => stopServerChild(worker.process, `${spec.name}: worker`))).then(
      () => undefined,
    );
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const { count, backoffMs } = deaths.record();
    const died = `${spec.name}: worker ${worker.process.pid} died (${signal ?? `exit ${code}`})`;
    if (backoffMs === null) {
      stopping = true;
      process.stderr.write(
        `${died}; workers died ${count} times within ${RESTART_WINDOW_MS / 1000} s, stopping the cluster\n`,
      );
      void stopAll().then(() => process.exit(1));
      return;
    }
    process.stderr.write(`${died}, starting another${backoffMs > 0 ? ` in ${backoffMs} ms` : ''}\n`);
    setTimeout(() => {
      if (stopping) return;
      if (liveWorkers().length === 0) sharedPort = port;
      forkWorker({ ...options, port: sharedPort }).catch((error: Error) =>
        process.stderr.write(`${spec.name}: replacement failed: ${error.message}\n`),
      );
    }, backoffMs);
  });

  return {
    host: options.host,
    port,
    async close() {
      stopping = true;
      await stopAll();
    },
  };
}

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

async function runWorker(spec: ClusterSpec, options: ServerOptions): Promise<void> {
  // The primary decides when workers stop; a worker that left on its own would only be replaced.
  let close: () => Promise<void> = () => Promise.resolve();
  obeyParent(() => close());
  try {
    const server = await spec.perWorker.start(spec.workerOptions(options));
    close = () => server.close();
  } catch (error) {
    const report: WorkerReport = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    process.send?.(report, () => process.exit(1));
  }
}
