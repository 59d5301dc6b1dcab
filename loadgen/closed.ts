/**
 * Closed mode: a persistent connection that keeps `pipeline` questions in flight and sends a
 * new one for every answer, so the server's speed sets the pace.
 */
import { ZenConnection, type ConnectionContext } from './connection.js';

export class ClosedConnection extends ZenConnection {
  constructor(context: ConnectionContext, pipeline: number) {
    super(context, pipeline);
  }

  protected opened(now: number): void {
    this.send(this.capacity, now);
  }

  protected answerRight(index: number, now: number): void {
    this.context.recorder.answer(now, now - this.sentAt[index % this.capacity]!);
  }

  protected answersArrived(count: number, now: number): void {
    // One write for all the answers a read brought: the refills of a pipeline go out together.
    this.send(count, now);
  }
}
