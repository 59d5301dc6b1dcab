/**
 * reuseport: --workers processes, each an async server with a listening socket of its own bound
 * to the same port with `reusePort`, so that the kernel spreads the connections over them with
 * no primary in their path. The parent only starts, replaces and stops them. Node 22.12 or
 * newer. This file is also the processes' entry point: the parent forks it again for each.
 */
import type { ChildProcess } from 'node:child_process';
import { asyncAnswer } from './async.js';
import type { Architecture, RunningServer, ServerOptions } from './shared/architecture.js';
import { ListenError, serveConcurrently } from './shared/listener.js';
import {
  DeathCount,
  forkServerChild,
  obeyParent,
  RESTART_WINDOW_MS,
  serverChildPayload,
  stopServerChild,
} from './shared/server-children.js';
import { setProcessNumber } from './shared/service-time.js';

interface ListenerPayload {
  options: ServerOptions;
  /** 1 to W, and a replacement gets the next: its streams and its fault slot (processNumber). */
  number: number;
}

type ListenerReport = { kind: 'listening'; port: number } | { kind: 'failed'; message: string };

export const reuseportArchitecture: Architecture = {
  name: 'reuseport',
  summary: 'processes that each bind their own socket to the port (reusePort), the kernel spreads connections',
  takes: ['workers'],
  minimumNode: '22.12.0',
  async start(options) {
    let numbered = 0;
    let stopping = false;
    const listeners = new Set<ChildProcess>();
    const deaths = new DeathCount();
    const stopAll = async (): Promise<void> => {
      await Promise.all([...listeners].map((child) => stopServerChild(child, 'reuseport: process')));
    };
    const startListener = (port: number): Promise<number> => {
      const child = forkServerChild(import.meta.url, {
        options: { ...options, port },
        number: ++numbered,
      } satisfies ListenerPayload);
      listeners.add(child);
      child.once('exit', (code, signal) => {
        listeners.delete(child);
        if (!stopping) replace(`reuseport: process ${child.pid} died (${signal ?? `exit ${code}`})`, port);
      });
      return listeningPort(child);
    };
    // Like the cluster's primary, the parent replaces a process that dies, within the same limit.
    const replace = (died: string, port: number): void => {
      const { count, backoffMs } = deaths.record();
      if (backoffMs === null) {
        stopping = true;
        process.stderr.write(`${died}; processes died ${count} times within ${RESTART_WINDOW_MS / 1000} s, stopping\n`);
        void stopAll().then(() => process.exit(1));
        return;
      }
      process.stderr.write(`${died}, starting another${backoffMs > 0 ? ` in ${backoffMs} ms` : ''}\n`);
      setTimeout(() => {
        if (stopping) return;
        startListener(port).catch((error: Error) =>
          process.stderr.write(`reuseport: replacement failed: ${error.message}\n`),
        );
      }, backoffMs);
    };

    try {
      // The first binds the port (a free one with --port 0); the others bind the same.
      const port = await startListener(options.port);
      await Promise.all(Array.from({ length: options.workers - 1 }, () => startListener(port)));
      const server: RunningServer = {
        host: options.host,
        port,
        async close() {
          stopping = true;
          await stopAll();
        },
      };
      return server;
    } catch (error) {
      // A port in use is the user's to fix, not a death to replace.
      stopping = true;
      await stopAll();
      throw error;
    }
  },
};

/** Resolves with the child's port once it listens. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.on('message', (report: ListenerReport) => {
      if (report.kind === 'listening') resolve(report.port);
      else reject(new ListenError(report.message));
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`a reuseport process exited before listening (${signal ?? `exit ${code}`})`)),
    );
  });
}

async function runListener({ options, number }: ListenerPayload): Promise<void> {
  setProcessNumber(number);
  let close: () => Promise<void> = () => Promise.resolve();
  obeyParent(() => close());
  let report: ListenerReport;
  try {
    const server = await serveConcurrently(options, asyncAnswer(options), { reusePort: true });
    close = () => server.close();
    report = { kind: 'listening', port: server.port };
  } catch (error) {
    report = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  process.send?.(report, () => {
    if (report.kind === 'failed') process.exit(1);
  });
}

const payload = serverChildPayload<ListenerPayload>(import.meta.url);
if (payload !== null) void runListener(payload);
