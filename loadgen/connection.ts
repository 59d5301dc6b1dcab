/**
 * One zen connection of the generator: connecting, reconnecting, counting answers,
 * timeouts, and the error accounting every mode shares. What to send and when is left to the
 * mode's subclass (closed.ts, open.ts, conversation.ts); what the bytes look like, and
 * whether an answer is right, to the protocol's wire (wire.ts).
 *
 * Answers come back in order, so the connection only keeps how many questions it has sent
 * and how many answers it has had; question k's send time sits in slot k % capacity.
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Recorder } from './recorder.js';
import type { AnswerReader, Wire } from './wire.js';

/** What the connections of one thread share. */
export interface ConnectionContext {
  host: string;
  port: number;
  timeoutMs: number;
  recorder: Recorder;
  wire: Wire;
  /** Every socket of the thread reads into this one buffer: reads are handled synchronously. */
  readBuffer: Buffer;
  /** The whole run (warm-up and window), in ms: a connection cannot wait longer than that. */
  runMs: number;
}

const RETRY_FIRST_MS = 10;
const RETRY_MAX_MS = 1000;
/**
 * A connection still waiting for its first answer when the run stops is counted as never
 * answered only if its first question has waited this long (or the timeout, or half the run,
 * if shorter); one that connected a moment before the end has simply not had time, while one
 * that waited through half of a short run got nothing the others got.
 */
const UNANSWERED_GRACE_MS = 1000;

export abstract class ZenConnection {
  protected socket: Socket | null = null;
  protected connected = false;
  /** Questions written on the current socket. */
  protected sent = 0;
  /** Answers read on the current socket, right or wrong. */
  protected answered = 0;
  /** When each outstanding question was written, by question number mod capacity. */
  protected readonly sentAt: Float64Array;
  protected connectStartedAt = 0;
  private firstSentAt = 0;
  /** Questions below this number have already been counted as timed out. */
  private timedOutBelow = 0;
  private errored = false;
  private finished = false;
  private retryDelayMs = RETRY_FIRST_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly reader: AnswerReader;
  private readonly unansweredGraceMs: number;
  /** Set while a read is being parsed, so the per-answer callback needs no argument but the verdict. */
  private readNow = 0;
  private readAnswers = 0;
  private desynchronised = false;
  // Handlers are made once per connection, not per socket or per read; `this` inside the
  // socket's callbacks is the socket, which tells a stale socket's late events apart.
  private readonly readCallback: (this: Socket, bytes: number, buffer: Uint8Array) => boolean;
  private readonly connectListener: (this: Socket) => void;
  private readonly errorListener: (this: Socket) => void;
  private readonly closeListener: (this: Socket) => void;

  protected constructor(
    protected readonly context: ConnectionContext,
    /** Questions that may be outstanding at once. */
    protected readonly capacity: number,
  ) {
    this.sentAt = new Float64Array(capacity);
    this.unansweredGraceMs = Math.min(UNANSWERED_GRACE_MS, context.timeoutMs, context.runMs / 2);
    this.reader = context.wire.reader((right) => this.onAnswer(right));
    // The read callback's `this` is the socket (checked against ours), so the connection is captured by name.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.readCallback = function (this: Socket, bytes: number): boolean {
      if (this === self.socket) self.onRead(bytes);
      return true;
    };
    this.connectListener = function (this: Socket): void {
      if (this === self.socket) self.onConnect();
    };
    this.errorListener = function (this: Socket): void {
      if (this === self.socket) self.onError();
    };
    this.closeListener = function (this: Socket): void {
      if (this === self.socket) self.onClose();
    };
  }

  /** The socket is connected; send the first questions. */
  protected abstract opened(now: number): void;
  /** Answer number `index` arrived and was right. */
  protected abstract answerRight(index: number, now: number): void;
  /** A read brought `count` answers (right or wrong); send what should follow. */
  protected abstract answersArrived(count: number, now: number): void;

  start(): void {
    if (this.finished) return;
    this.retryTimer = null;
    this.connected = false;
    this.errored = false;
    this.desynchronised = false;
    this.sent = 0;
    this.answered = 0;
    this.timedOutBelow = 0;
    this.reader.reset();
    this.connectStartedAt = performance.now();
    const socket = connect({
      host: this.context.host,
      port: this.context.port,
      noDelay: true,
      onread: { buffer: this.context.readBuffer, callback: this.readCallback },
    });
    this.socket = socket;
    socket.on('connect', this.connectListener);
    socket.on('error', this.errorListener);
    socket.on('close', this.closeListener);
  }

  /** Counts questions outstanding for longer than the timeout, each once. */
  sweepTimeouts(now: number): void {
    // A socket that is gone has had its outstanding questions counted as a reset already.
    if (this.socket === null || !this.connected) return;
    const limit = this.context.timeoutMs;
    let index = this.timedOutBelow > this.answered ? this.timedOutBelow : this.answered;
    while (index < this.sent && now - this.sentAt[index % this.capacity]! >= limit) {
      this.context.recorder.error('timeouts', now);
      index++;
    }
    this.timedOutBelow = index;
  }

  /** The run is over: settle this connection's account and close it. */
  finish(now: number): void {
    this.finished = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    if (socket === null) return;
    if (this.connected && this.answered === 0 && this.sent > 0 && now - this.firstSentAt >= this.unansweredGraceMs) {
      this.context.recorder.error('unansweredConnections', now);
    }
    this.socket = null;
    socket.destroy();
  }

  /** Writes questions number `sent` onwards, `count` of them, as one write. */
  protected send(count: number, now: number): void {
    const first = this.sent;
    if (first === 0) this.firstSentAt = now;
    for (let index = first; index < first + count; index++) this.sentAt[index % this.capacity] = now;
    this.sent = first + count;
    this.socket!.write(this.context.wire.questions(first, count));
  }

  protected get outstanding(): number {
    return this.sent - this.answered;
  }

  /** Closes the current socket on purpose and connects again at once (conversation mode). */
  protected restart(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    this.start();
  }

  private onConnect(): void {
    this.connected = true;
    this.opened(performance.now());
  }

  private onRead(bytes: number): void {
    const now = performance.now();
    this.readNow = now;
    this.readAnswers = 0;
    const socket = this.socket;
    const intact = this.reader.push(this.context.readBuffer.subarray(0, bytes));
    if (!intact || this.desynchronised) {
      // An answer that cannot be framed or parsed, or one nobody asked for: the stream
      // cannot be trusted any more, so start over on a new connection.
      if (!intact) this.context.recorder.error('wrongAnswers', now);
      this.abandon();
      return;
    }
    if (this.readAnswers > 0 && this.socket === socket) this.answersArrived(this.readAnswers, now);
  }

  private onAnswer(right: boolean): void {
    const index = this.answered;
    if (index >= this.sent) {
      if (!this.desynchronised) this.context.recorder.error('wrongAnswers', this.readNow);
      this.desynchronised = true;
      return;
    }
    this.answered = index + 1;
    this.readAnswers++;
    if (right) this.answerRight(index, this.readNow);
    else this.context.recorder.error('wrongAnswers', this.readNow);
  }

  private onError(): void {
    const now = performance.now();
    this.errored = true;
    // Before the connection is up any failure is a failed connect; after, the server or the
    // network dropped it under us.
    this.context.recorder.error(this.connected ? 'resets' : 'connectErrors', now);
  }

  private onClose(): void {
    const now = performance.now();
    this.socket = null;
    if (this.finished) return;
    if (this.connected) {
      if (!this.errored && this.outstanding > 0) this.context.recorder.error('resets', now);
      if (this.answered === 0 && this.sent > 0) this.context.recorder.error('unansweredConnections', now);
    }
    this.retryLater(this.answered > 0);
  }

  private abandon(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    this.retryLater(false);
  }

  private retryLater(wasAnswered: boolean): void {
    if (this.finished) return;
    // A server that keeps refusing or dropping connections is retried ever more slowly, so a
    // dead server costs few attempts; one that answered is given a quick second chance.
    if (wasAnswered) this.retryDelayMs = RETRY_FIRST_MS;
    this.retryTimer = setTimeout(() => this.start(), this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }
}
