/**
 * What a protocol puts on the wire and how its answers are read back, kept apart from the
 * connection (connection.ts) and the modes, which deal only in question numbers and answers
 * that are right or wrong. One implementation per protocol: tcp-wire.ts (zen's own framing)
 * and http-wire.ts (zen over HTTP/1.1).
 */
import { makeHttpWire } from './http-wire.js';
import { makeTcpWire } from './tcp-wire.js';
import type { LoadProtocol } from './types.js';

/** One complete answer, in order: `right` when it is what its question asked for. */
export type AnswerCallback = (right: boolean) => void;

/** The reading side of one connection. Answers come back in the order the questions went out. */
export interface AnswerReader {
  /** Forgets all state: the next byte is the start of the answer to question 0 of a new socket. */
  reset(): void;
  /**
   * Hands every answer completed by `bytes` to the reader's callback, at once and in order.
   * `bytes` may be reused once this returns: a reader keeps copies of what it needs.
   * @returns false when the stream broke (an answer that cannot be framed or parsed): nothing
   *   after it can be trusted, and the caller starts over on a new connection.
   */
  push(bytes: Buffer): boolean;
}

/** A protocol's bytes, made once per thread and shared by its connections. */
export interface Wire {
  /**
   * The bytes of questions number first .. first+count-1 of a connection (count at most the
   * largest batch the wire was made for), as one Buffer: a view of bytes made in advance.
   */
  questions(first: number, count: number): Buffer;
  /** A reader for one connection, which calls `onAnswer` for each answer it completes. */
  reader(onAnswer: AnswerCallback): AnswerReader;
}

export interface WireTarget {
  host: string;
  port: number;
  /** The most questions one write carries (the pipeline depth). */
  maxBatch: number;
}

export function makeWire(protocol: LoadProtocol, target: WireTarget): Wire {
  switch (protocol) {
    case 'tcp':
      return makeTcpWire(target.maxBatch);
    case 'http':
      return makeHttpWire(target);
  }
}
