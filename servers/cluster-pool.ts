/**
 * cluster-pool: the cluster whose every worker process is a pool server, the shape many
 * production services take: --workers processes share the listening socket, and in each the
 * main thread does the I/O while --threads piscina threads do the work. This file is also the
 * workers' entry point: cluster.fork runs it again in each child.
 */
import { poolArchitecture } from './pool.js';
import { clusterOf } from './shared/cluster-of.js';

export const clusterPoolArchitecture = clusterOf({
  name: 'cluster-pool',
  summary: 'cluster worker processes, each a pool: --workers processes x --threads worker threads',
  takes: ['workers', 'threads', 'schedule'],
  entry: import.meta.url,
  perWorker: poolArchitecture,
  // The pool reads its thread count from --workers.
  workerOptions: (options) => ({ ...options, workers: options.threads }),
});
