/**
 * The bounds on answers being worked out, the same for every protocol: so many per
 * connection, so many per server process. A connection past either stops reading.
 */

/**
 * Answers a connection may be waiting for before the server stops reading from it: with
 * asynchronous answers, a client that pipelines without limit would otherwise grow the queue
 * without bound even while the socket drains.
 */
export const MAX_PENDING_ANSWERS = 256;

/**
 * Answers being worked out across all the connections of one server process. Past it every
 * connection stops reading until a quarter has drained, so that thousands of clients that
 * pipeline do not add up to millions of queued questions. Twice what the bench's largest
 * point (1,024 connections x 16 in flight) can have, so that it never throttles a measurement.
 */
export const MAX_PENDING_ANSWERS_PER_SERVER = 32_768;

/** A connection that stopped reading for want of room, to be told when there is some again. */
export interface Waker {
  wake(): void;
}

/**
 * The answers being worked out across one server's connections, with their bound: connections
 * that had to stop reading because it was reached are woken once a quarter has drained, not at
 * each answer, so that a thousand waiting connections do not all wake for one free place.
 */
export class PendingAnswers {
  private count = 0;
  private readonly waiting = new Set<Waker>();

  get full(): boolean {
    return this.count >= MAX_PENDING_ANSWERS_PER_SERVER;
  }

  add(): void {
    this.count++;
  }

  remove(): void {
    this.count--;
    if (this.waiting.size > 0 && this.count <= (MAX_PENDING_ANSWERS_PER_SERVER * 3) / 4) {
      const waiting = [...this.waiting];
      this.waiting.clear();
      for (const connection of waiting) connection.wake();
    }
  }

  waitForRoom(connection: Waker): void {
    this.waiting.add(connection);
  }

  forget(connection: Waker): void {
    this.waiting.delete(connection);
  }
}
