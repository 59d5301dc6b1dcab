/**
 * inetd: a process per connection, as inetd runs the book's in_zen1.py. A small acceptor
 * accepts each connection without reading it and hands it to a freshly forked process, which
 * serves that one connection as an async server would and exits. --workers caps the
 * per-connection processes alive at once; connections beyond the cap wait in the acceptor, so
 * that a flood of clients cannot fork the machine to death. What it shows: the cost of starting
 * a process, paid by every conversation. This file is also the per-connection processes' entry
 * point: the acceptor forks it again for each connection.
 */
import type { ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncAnswer } from './async.js';
import type { Architecture, RunningServer, ServerOptions } from './shared/architecture.js';
import { finishGracefully, listenToHandOn, serveHandedSocket } from './shared/listener.js';
import { createService } from './shared/protocols.js';
import { forkServerChild, obeyParent, serverChildPayload, stopServerChild } from './shared/server-children.js';
import { setProcessNumber } from './shared/service-time.js';

interface ConnectionPayload {
  options: ServerOptions;
  /** 1 for the first connection's process, and so on: its streams (processNumber). */
  number: number;
}

/** The child's word that it listens for its connection; the acceptor hands it over only then. */
const READY = 'ready';
const CONNECTION = 'connection';
/** How long after its handover a connection is read before a shutdown may finish it. */
const READ_BEFORE_FINISH_MS = 50;

export const inetdArchitecture: Architecture = {
  name: 'inetd',
  summary: 'an acceptor forks a fresh process for each connection (at most --workers alive), which serves it and exits',
  takes: ['workers'],
  async start(options) {
    // Two stacks make a queue that takes and gives in O(1), however long it grows.
    let arriving: Socket[] = [];
    let leaving: Socket[] = [];
    /** Each live process, and when its connection has been handed to it (or it has gone). */
    const live = new Map<ChildProcess, Promise<void>>();
    let numbered = 0;
    let stopping = false;

    const takeWaiting = (): Socket | undefined => {
      if (leaving.length === 0) {
        leaving = arriving.reverse();
        arriving = [];
      }
      return leaving.pop();
    };
    const handOnWaiting = (): void => {
      while (!stopping && live.size < options.workers) {
        const socket = takeWaiting();
        if (socket === undefined) return;
        // A waiting client that gave up (seen only if it reset) needs no process.
        if (!socket.destroyed) handOn(socket);
      }
    };
    const handOn = (socket: Socket): void => {
      const child = forkServerChild(import.meta.url, { options, number: ++numbered } satisfies ConnectionPayload);
      let handedOver = (): void => undefined;
      live.set(child, new Promise<void>((resolve) => (handedOver = resolve)));
      // Handed over even during a shutdown: a process was started for it, so it is served
      // like the connections of the other architectures, its questions in flight answered.
      child.once('message', (message: unknown) => {
        if (message !== READY) return;
        if (socket.destroyed) handedOver();
        else child.send(CONNECTION, socket, () => handedOver());
      });
      child.once('exit', (code, signal) => {
        handedOver();
        live.delete(child);
        // Not handed over (the child died before it was ready): the client must not wait forever.
        socket.destroy();
        if (code !== 0 && !stopping) {
          process.stderr.write(`inetd: the process for a connection died (${signal ?? `exit ${code}`})\n`);
        }
        handOnWaiting();
      });
    };

    const acceptor = await listenToHandOn(options, (socket) => {
      socket.on('error', () => socket.destroy()); // a waiting client may give up
      arriving.push(socket);
      handOnWaiting();
    });
    const server: RunningServer = {
      host: acceptor.host,
      port: acceptor.port,
      async close() {
        stopping = true;
        await acceptor.close();
        for (const socket of [...leaving, ...arriving]) socket.destroy();
        leaving = [];
        arriving = [];
        await Promise.all(
          [...live].map(([child, handedOver]) =>
            handedOver.then(() => stopServerChild(child, 'inetd: the process of a connection')),
          ),
        );
      },
    };
    return server;
  },
};

/** A per-connection process: takes its one connection from the acceptor, serves it, exits. */
function serveOneConnection({ options, number }: ConnectionPayload): void {
  setProcessNumber(number);
  const service = createService(options, asyncAnswer(options));
  let handedAt: number | null = null;
  obeyParent(async () => {
    // What the client sent while its connection waited in the acceptor is in the kernel's
    // buffer, not yet read here: a shutdown right after the handover would finish the
    // connection as if nothing had been asked. The first read comes within a loop turn or two.
    if (handedAt !== null) await sleep(Math.max(0, READ_BEFORE_FINISH_MS - (performance.now() - handedAt)));
    await finishGracefully(service);
  });
  process.on('message', (message: unknown, socket: unknown) => {
    if (message !== CONNECTION || !(socket instanceof Socket)) return;
    handedAt = performance.now();
    void serveHandedSocket(service, socket).then(() => process.exit(0));
  });
  process.send?.(READY);
}

const payload = serverChildPayload<ConnectionPayload>(import.meta.url);
if (payload !== null) serveOneConnection(payload);
