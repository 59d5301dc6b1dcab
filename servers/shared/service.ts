/**
 * Where an architecture meets a protocol. The architecture says how an answer is worked out
 * (an `Answer`) and when an accepted connection is served; the protocol's service says what
 * serving a connection means: reading questions, writing answers in order, its limits and
 * deadlines, finishing on shutdown. Neither knows the other.
 */
import type { Server, Socket } from 'node:net';

/** Who asked a question: `gone` once its connection has closed, so that its answer is no longer owed. */
export interface Asker {
  readonly gone: boolean;
}

/** Works out the answer to one question, now or later. */
export type Answer = (question: Buffer, asker: Asker) => Uint8Array | Promise<Uint8Array>;

export type Log = (line: string) => void;

/** The connections of one server process over one protocol. */
export interface ConnectionService {
  /** The server that accepts this protocol's connections; not yet listening. */
  readonly server: Server;
  /** Serves an accepted connection; resolves once it has closed. */
  serve(socket: Socket): Promise<void>;
  /** Lets each connection write what it owes, then closes it; resolves when all are closed. */
  finishAll(): Promise<void>;
  /** Closes every connection at once; returns how many were closed and how many still owed answers. */
  destroyAll(): { closed: number; owing: number };
}

/** The log of --verbose: one line per event on stderr, with the process that wrote it. */
export function connectionLog(verbose: boolean): Log | null {
  return verbose ? (line) => process.stderr.write(`[${process.pid}] ${line}\n`) : null;
}

/** How long a connection that has ended its side (a refusal, a shutdown) waits for the client to close. */
export const FINISHED_LINGER_MS = 2000;
