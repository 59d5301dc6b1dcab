/**
 * Open mode, as wrk2 does it: question i of a connection is due at a time fixed in advance
 * (firstDueAt, then one gap after another: arrivals.ts) whatever the server does. At most
 * `pipeline` are on the wire; the rest wait in the generator, and each one's latency is
 * still taken from the moment it was due. A server that stalls therefore shows the stall in
 * every question that piled up behind it, instead of quietly slowing the generator down
 * (coordinated omission). The latency from the actual
 * send, which hides exactly that, is recorded beside it for comparison.
 */
import { ZenConnection, type ConnectionContext } from './connection.js';

export class OpenConnection extends ZenConnection {
  /** When each outstanding question was due, by question number mod capacity. */
  private readonly dueAt: Float64Array;
  /** When the next question not yet sent is due; questions go out in the order they fall due. */
  private nextDueAt: number;
  /** Questions scheduled so far that fell due inside the measured window. */
  private dueInWindow = 0;

  constructor(
    context: ConnectionContext,
    pipeline: number,
    firstDueAt: number,
    private readonly nextGapMs: () => number,
  ) {
    super(context, pipeline);
    this.dueAt = new Float64Array(pipeline);
    this.nextDueAt = firstDueAt;
  }

  /** Sends every question that is due, as far as the pipeline has room. */
  pump(now: number): void {
    if (!this.connected || this.socket === null) return;
    const first = this.sent;
    let count = 0;
    const room = this.capacity - this.outstanding;
    while (count < room && this.nextDueAt <= now) {
      this.dueAt[(first + count) % this.capacity] = this.nextDueAt;
      if (this.context.recorder.inWindow(this.nextDueAt)) this.dueInWindow++;
      this.nextDueAt += this.nextGapMs();
      count++;
    }
    if (count === 0) return;
    this.send(count, now);
    this.context.recorder.sent(now, count);
  }

  /**
   * How late, at `now`, the generator is with a question it had room to send: the server's
   * slowness fills the pipeline and is not counted; only the generator's own delay is.
   */
  scheduleLagMs(now: number): number {
    if (!this.connected || this.outstanding >= this.capacity) return 0;
    return Math.max(0, now - this.nextDueAt);
  }

  /**
   * Questions of this connection due in [start, end), sent or not: the schedule's own rate
   * over the window, which a Poisson schedule makes differ from the target by chance. Called
   * once the run is over; it walks the rest of the schedule up to `end`.
   */
  dueBetween(start: number, end: number): number {
    while (this.nextDueAt < end) {
      if (this.nextDueAt >= start) this.dueInWindow++;
      this.nextDueAt += this.nextGapMs();
    }
    return this.dueInWindow;
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
