/**
 * One zen connection, whatever architecture owns it: framing, answers in question order,
 * backpressure, half-close, the too-long question and the idle timeout. The architecture only
 * says how an answer is worked out (the `Answer` function) and when a connection is served.
 */
import type { Socket } from 'node:net';
import { Framer } from '../../protocol/framer.js';
import { MAX_QUESTION_BYTES, QUESTION_END, QUESTION_TOO_LONG } from '../../protocol/zen.js';

/** Works out the answer to one framed question, now or later. */
export type Answer = (question: Buffer) => Uint8Array | Promise<Uint8Array>;

export type Log = (line: string) => void;

/**
 * Answers a connection may be waiting for before the server stops reading from it: with
 * asynchronous answers, a client that pipelines without limit would otherwise grow the queue
 * without bound even while the socket drains.
 */
export const MAX_PENDING_ANSWERS = 256;

interface Slot {
  answer: Uint8Array | null;
}

export class ZenConnection {
  readonly closed: Promise<void>;
  private readonly framer = new Framer(QUESTION_END, MAX_QUESTION_BYTES);
  /** Answers not yet written, in question order; used only while some answer is still being worked out. */
  private readonly queue: Slot[] = [];
  /** Takes a question, and tells the framer to hold the rest of the read while we must wait. */
  private readonly onQuestion = (question: Buffer): boolean => {
    this.ask(question);
    return !this.mustWait();
  };
  private peerEnded = false;
  /** No more questions are read: too-long question or shutdown; end once the queue is written. */
  private finishing = false;
  private ended = false;
  private paused = false;

  constructor(
    private readonly socket: Socket,
    private readonly answer: Answer,
    idleTimeoutMs: number,
    private readonly log: Log | null,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    if (idleTimeoutMs > 0) socket.setTimeout(idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('end', () => {
      this.peerEnded = true;
      this.endWhenAnswered();
    });
    socket.on('drain', () => this.applyBackpressure());
    socket.on('timeout', () => {
      this.log?.(`idle for ${idleTimeoutMs} ms, closing ${this.peer()}`);
      socket.destroy();
    });
    socket.on('error', (error: Error) => this.log?.(`${this.peer()}: ${error.message}`));
    this.log?.(`connected ${this.peer()}`);
    void this.closed.then(() => this.log?.(`closed ${this.peer()}`));
  }

  /** Reads no more questions, writes the answers owed, then closes. */
  finish(): void {
    this.finishing = true;
    this.endWhenAnswered();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private peer(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  private read(chunk: Buffer): void {
    if (this.finishing) return;
    this.frame((onQuestion) => this.framer.push(chunk, onQuestion));
    this.applyBackpressure();
  }

  private frame(step: (onQuestion: (question: Buffer) => boolean) => boolean): void {
    // Corked, the answers to a pipelined batch leave in one write instead of one each.
    this.socket.cork();
    if (!step(this.onQuestion)) {
      this.log?.(`question too long from ${this.peer()}`);
      this.deliver(QUESTION_TOO_LONG);
      this.finish();
    }
    this.socket.uncork();
  }

  private ask(question: Buffer): void {
    if (this.finishing) return;
    let result: Uint8Array | Promise<Uint8Array>;
    try {
      result = this.answer(question);
    } catch (error) {
      this.abort(error);
      return;
    }
    if (result instanceof Uint8Array) {
      this.deliver(result);
      return;
    }
    const slot: Slot = { answer: null };
    this.queue.push(slot);
    result.then(
      (answer) => {
        slot.answer = answer;
        this.flush();
      },
      (error: unknown) => this.abort(error),
    );
  }

  /** Writes an answer now if nothing before it is still being worked out, else queues it. */
  private deliver(answer: Uint8Array): void {
    if (this.queue.length === 0) this.write(answer);
    else this.queue.push({ answer });
  }

  private flush(): void {
    let head = this.queue[0];
    while (head !== undefined && head.answer !== null) {
      this.queue.shift();
      this.write(head.answer);
      head = this.queue[0];
    }
    this.applyBackpressure();
    this.endWhenAnswered();
  }

  private write(answer: Uint8Array): void {
    if (!this.socket.writable) return;
    this.socket.write(answer);
  }

  /** Answers must not pile up: the client is not reading them, or too many are being worked out. */
  private mustWait(): boolean {
    return this.socket.writableNeedDrain || this.queue.length >= MAX_PENDING_ANSWERS;
  }

  /** Stops reading while we must wait; once we need not, frames what was held back and reads on. */
  private applyBackpressure(): void {
    if (!this.finishing && this.framer.isHolding && !this.mustWait()) {
      this.frame((onQuestion) => this.framer.resume(onQuestion));
    }
    const stop = this.finishing || this.framer.isHolding || this.mustWait();
    if (stop && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!stop && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private endWhenAnswered(): void {
    if (this.ended || this.queue.length > 0 || !(this.peerEnded || this.finishing)) return;
    this.ended = true;
    this.socket.end();
  }

  private abort(error: unknown): void {
    this.log?.(`answer failed for ${this.peer()}: ${error instanceof Error ? error.message : String(error)}`);
    this.socket.destroy();
  }
}

/** Every open connection of one server, so that a shutdown can finish them all. */
export class Connections {
  private readonly open = new Set<ZenConnection>();
  private readonly idleTimeoutMs: number;
  private readonly log: Log | null;

  constructor(options: { idleTimeoutS: number; verbose: boolean }) {
    this.idleTimeoutMs = options.idleTimeoutS * 1000;
    this.log = options.verbose ? (line) => process.stderr.write(`[${process.pid}] ${line}\n`) : null;
  }

  serve(socket: Socket, answer: Answer): ZenConnection {
    const connection = new ZenConnection(socket, answer, this.idleTimeoutMs, this.log);
    this.open.add(connection);
    void connection.closed.then(() => this.open.delete(connection));
    return connection;
  }

  /** Lets each connection write what it owes, then closes it; resolves when all are closed. */
  finishAll(): Promise<void> {
    const closing = [...this.open].map((connection) => {
      connection.finish();
      return connection.closed;
    });
    return Promise.all(closing).then(() => undefined);
  }

  destroyAll(): void {
    for (const connection of this.open) connection.destroy();
  }
}
