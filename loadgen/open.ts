/**
 * Open mode, as wrk2 does it: question i of a connection is due at firstDueAt + i * interval
 * whatever the server does. At most `pipeline` are on the wire; the rest wait in the
 * generator, and each one's latency is still taken from the moment it was due. A server that
 * stalls therefore shows the stall in every question that piled up behind it, instead of
 * quietly slowing the generator down (coordinated omission). The latency from the actual
 * send, which hides exactly that, is recorded beside it for comparison.
 */
import { ZenConnection, type ConnectionContext } from './connection.js';

export class OpenConnection extends ZenConnection {
  /** When each outstanding question was due, by question number mod capacity. */
  private readonly dueAt: Float64Array;
  /** Scheduled questions sent so far, over all of this connection's sockets. */
  private issued = 0;

  constructor(
    context: ConnectionContext,
    pipeline: number,
    private readonly firstDueAt: number,
    private readonly intervalMs: number,
  ) {
    super(context, pipeline);
    this.dueAt = new Float64Array(pipeline);
  }

  /** Sends every question that is due, as far as the pipeline has room. */
  pump(now: number): void {
    if (!this.connected || this.socket === null || now < this.firstDueAt) return;
    const due = Math.floor((now - this.firstDueAt) / this.intervalMs) + 1;
    let count = due - this.issued;
    const room = this.capacity - this.outstanding;
    if (count > room) count = room;
    if (count <= 0) return;
    const first = this.sent;
    for (let offset = 0; offset < count; offset++) {
      this.dueAt[(first + offset) % this.capacity] = this.firstDueAt + (this.issued + offset) * this.intervalMs;
    }
    this.issued += count;
    this.send(count, now);
    this.context.recorder.sent(now, count);
  }

  protected opened(now: number): void {
    this.pump(now);
  }

  protected answerRight(index: number, now: number): void {
    const slot = index % this.capacity;
    this.context.recorder.scheduledAnswer(now, now - this.dueAt[slot]!, now - this.sentAt[slot]!);
  }

  protected answersArrived(_count: number, now: number): void {
    this.pump(now);
  }
}
