/**
 * cluster: a primary forks --workers processes that share the listening socket, each of them
 * an async server (shared/cluster-of.ts has the primary and its workers). This file is also
 * the workers' entry point: cluster.fork runs it again in each child.
 */
import { asyncArchitecture } from './async.js';
import { clusterOf } from './shared/cluster-of.js';

export const clusterArchitecture = clusterOf({
  name: 'cluster',
  summary: 'a primary forks worker processes that share the listening socket, each one async',
  takes: ['workers', 'schedule'],
  entry: import.meta.url,
  perWorker: asyncArchitecture,
  workerOptions: (options) => options,
});
