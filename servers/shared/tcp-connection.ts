/**
 * Zen over TCP, whatever architecture owns the connection: framing, answers in question order,
 * backpressure, half-close, the too-long question, the idle and question deadlines. The
 * architecture only says how an answer is worked out (the `Answer` function) and when a
 * connection is served.
 */
import net, { type Socket } from 'node:net';
import { Framer } from '../../protocol/framer.js';
import { MAX_QUESTION_BYTES, QUESTION_END, QUESTION_TOO_LONG } from '../../protocol/zen.js';
import type { ServerOptions } from './architecture.js';
import { MAX_PENDING_ANSWERS, PendingAnswers } from './pending-answers.js';
import {
  connectionLog,
  FINISHED_LINGER_MS,
  type Answer,
  type Asker,
  type ConnectionService,
  type Log,
} from './service.js';

interface Slot {
  answer: Uint8Array | null;
}

export interface ConnectionSettings {
  idleTimeoutMs: number;
  questionTimeoutMs: number;
  log: Log | null;
}

export class ZenConnection implements Asker {
  readonly closed: Promise<void>;
  private readonly framer = new Framer(QUESTION_END, MAX_QUESTION_BYTES);
  /** Answers not yet written, in question order; used only while some answer is still being worked out. */
  private readonly queue: Slot[] = [];
  /** Takes a question, and tells the framer to hold the rest of the read while we must wait. */
  private readonly onQuestion = (question: Buffer): boolean => {
    this.ask(question);
    return !this.mustWait();
  };
  private readonly log: Log | null;
  private peerEnded = false;
  /**
   * No more questions are read: too-long question or shutdown. The socket is still read, and
   * what arrives dropped, so that the peer's close is seen; the answers owed are written, those
   * to questions already read but held back included, then the connection ends.
   */
  private finishing = false;
  private ended = false;
  private paused = false;
  /** Questions framed so far: a question completed restarts the question deadline. */
  private asked = 0;
  private askedWhenTimed = -1;
  private questionTimer: NodeJS.Timeout | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly answer: Answer,
    private readonly server: PendingAnswers,
    private readonly settings: ConnectionSettings,
  ) {
    this.log = settings.log;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    if (settings.idleTimeoutMs > 0) socket.setTimeout(settings.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('end', () => {
      this.peerEnded = true;
      this.endWhenAnswered();
    });
    socket.on('drain', () => this.applyBackpressure());
    socket.on('timeout', () => {
      this.log?.(`idle for ${settings.idleTimeoutMs} ms, closing ${this.peer()}`);
      socket.destroy();
    });
    socket.on('error', (error: Error) => this.log?.(`${this.peer()}: ${error.message}`));
    socket.once('close', () => {
      if (this.questionTimer !== null) clearTimeout(this.questionTimer);
      if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
      this.server.forget(this);
    });
    this.log?.(`connected ${this.peer()}`);
    void this.closed.then(() => this.log?.(`closed ${this.peer()}`));
  }

  get gone(): boolean {
    return this.socket.destroyed;
  }

  /** True until every answer owed has been written and the connection ended. */
  get owes(): boolean {
    return !this.ended;
  }

  /** Reads no more questions, writes the answers owed, then closes. */
  finish(): void {
    this.finishing = true;
    this.applyBackpressure();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Goes on reading once the server has room for more answers again. */
  wake(): void {
    this.applyBackpressure();
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
      this.finishing = true;
    }
    this.socket.uncork();
  }

  private ask(question: Buffer): void {
    this.asked++;
    // A connection cut off while a batch was being framed: nobody is left to answer.
    if (this.socket.destroyed) return;
    let result: Uint8Array | Promise<Uint8Array>;
    try {
      result = this.answer(question, this);
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
    this.server.add();
    result.then(
      (answer) => {
        this.server.remove();
        slot.answer = answer;
        this.flush();
      },
      (error: unknown) => {
        this.server.remove();
        this.abort(error);
      },
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
  }

  private write(answer: Uint8Array): void {
    if (!this.socket.writable) return;
    this.socket.write(answer);
  }

  /** Answers must not pile up: the client is not reading them, or too many are being worked out. */
  private mustWait(): boolean {
    return this.socket.writableNeedDrain || this.queue.length >= MAX_PENDING_ANSWERS || this.server.full;
  }

  /**
   * Stops reading while we must wait; once we need not, frames what was held back and reads on.
   * A finishing connection reads on whatever happens, to see its peer close.
   */
  private applyBackpressure(): void {
    if (this.framer.isHolding && !this.mustWait()) {
      this.frame((onQuestion) => this.framer.resume(onQuestion));
    }
    const stop = !this.finishing && (this.framer.isHolding || this.mustWait());
    if ((stop || this.framer.isHolding) && this.server.full) this.server.waitForRoom(this);
    if (stop && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!stop && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.timeQuestion();
    this.endWhenAnswered();
  }

  /**
   * Keeps the question deadline: it runs from the first byte of an unfinished question and
   * restarts when a question completes. It is off while we are the ones not reading.
   */
  private timeQuestion(): void {
    if (this.settings.questionTimeoutMs === 0) return;
    const unfinished = this.framer.pendingBytes > 0 && !this.paused && !this.finishing;
    if (!unfinished) {
      if (this.questionTimer !== null) clearTimeout(this.questionTimer);
      this.questionTimer = null;
      return;
    }
    if (this.questionTimer !== null && this.askedWhenTimed === this.asked) return;
    this.askedWhenTimed = this.asked;
    if (this.questionTimer !== null) {
      this.questionTimer.refresh();
      return;
    }
    this.questionTimer = setTimeout(() => {
      this.log?.(`question unfinished after ${this.settings.questionTimeoutMs} ms, closing ${this.peer()}`);
      this.socket.destroy();
    }, this.settings.questionTimeoutMs);
  }

  private endWhenAnswered(): void {
    if (this.ended || this.queue.length > 0 || this.framer.isHolding || !(this.peerEnded || this.finishing)) return;
    this.ended = true;
    this.socket.end();
    if (this.peerEnded) return;
    // Read on and dropped, a client that never stops sending would keep the connection open
    // for good, idle timer and all; it gets long enough to read what it was owed.
    this.lingerTimer = setTimeout(() => {
      this.log?.(`still open ${FINISHED_LINGER_MS} ms after the server's end, closing ${this.peer()}`);
      this.socket.destroy();
    }, FINISHED_LINGER_MS);
  }

  private abort(error: unknown): void {
    if (this.socket.destroyed) return;
    this.log?.(`answer failed for ${this.peer()}: ${error instanceof Error ? error.message : String(error)}`);
    this.socket.destroy();
  }
}

/** Every open zen connection of one server, so that a shutdown can finish them all. */
export class TcpService implements ConnectionService {
  /** Half-open sockets allowed, so a client that shuts down its sending side still gets every answer. */
  readonly server = net.createServer({ allowHalfOpen: true });
  private readonly open = new Set<ZenConnection>();
  private readonly pending = new PendingAnswers();
  private readonly settings: ConnectionSettings;

  constructor(
    options: Pick<ServerOptions, 'idleTimeoutS' | 'questionTimeoutS' | 'verbose'>,
    private readonly answer: Answer,
  ) {
    this.settings = {
      idleTimeoutMs: options.idleTimeoutS * 1000,
      questionTimeoutMs: options.questionTimeoutS * 1000,
      log: connectionLog(options.verbose),
    };
  }

  serve(socket: Socket): Promise<void> {
    const connection = new ZenConnection(socket, this.answer, this.pending, this.settings);
    this.open.add(connection);
    return connection.closed.then(() => {
      this.open.delete(connection);
    });
  }

  finishAll(): Promise<void> {
    const closing = [...this.open].map((connection) => {
      connection.finish();
      return connection.closed;
    });
    return Promise.all(closing).then(() => undefined);
  }

  destroyAll(): { closed: number; owing: number } {
    let owing = 0;
    for (const connection of this.open) {
      if (connection.owes) owing++;
      connection.destroy();
    }
    return { closed: this.open.size, owing };
  }
}
