/**
 * Conversation mode, the book's client: connect, ask `questions` questions one at a time,
 * close, and start again. Connect time and whole-conversation time are recorded too.
 */
import { ZenConnection, type ConnectionContext } from './connection.js';

export class ConversationUser extends ZenConnection {
  constructor(
    context: ConnectionContext,
    private readonly questions: number,
  ) {
    super(context, 1);
  }

  protected opened(now: number): void {
    this.context.recorder.connected(now, now - this.connectStartedAt);
    this.send(1, now);
  }

  protected answerRight(index: number, now: number): void {
    this.context.recorder.answer(now, now - this.sentAt[0]!);
  }

  protected answersArrived(_count: number, now: number): void {
    if (this.answered < this.questions) {
      this.send(1, now);
      return;
    }
    this.context.recorder.conversationDone(now, now - this.connectStartedAt);
    this.restart();
  }
}
