/**
 * Zen over HTTP/1.1 (protocol/zen-http.ts), whatever architecture owns the connection, with
 * node:http doing all the framing, keep-alive and pipelining. What is ours: the mapping of
 * questions and answers, the same limits as over TCP in HTTP's terms (answers owed per
 * connection and per server, idle and question deadlines, the too-long question), and the
 * shutdown that answers what is in flight and closes idle keep-alive connections.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  ANSWER_CONTENT_TYPE,
  MAX_BODY_BYTES,
  REFUSAL_BODIES,
  STATUS,
  ZEN_METHOD,
  ZEN_PATH,
} from '../../protocol/zen-http.js';
import { QUESTION_TOO_LONG } from '../../protocol/zen.js';
import type { ServerOptions } from './architecture.js';
import { MAX_PENDING_ANSWERS, PendingAnswers, type Waker } from './pending-answers.js';
import {
  connectionLog,
  FINISHED_LINGER_MS,
  type Answer,
  type Asker,
  type ConnectionService,
  type Log,
} from './service.js';

/**
 * How often node:http looks for requests past their deadline; at its default of 30 s a
 * dribbling client would keep its connection up to 30 s past the question deadline.
 */
const DEADLINE_CHECK_MS = 1000;

/** One keep-alive connection: the requests it owes a response, and its reading paused while too many are in work. */
class HttpConnection implements Asker, Waker {
  readonly closed: Promise<void>;
  /** Requests read whose response has not yet been written out. */
  private owed = 0;
  /** Of those, the ones whose answer is being worked out: what the bounds count. */
  private working = 0;
  private pausedByUs = false;
  private finishing = false;
  /** Requests read while too many were owed: their bodies are read once there is room. */
  private readonly held: Array<() => void> = [];
  private lingerTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly socket: Socket,
    private readonly pending: PendingAnswers,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => {
      if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
      pending.forget(this);
    });
  }

  get gone(): boolean {
    return this.socket.destroyed;
  }

  get owes(): boolean {
    return this.owed > 0;
  }

  /** A request was read; its response is owed until `response` closes (written out, or the connection gone). */
  owe(response: ServerResponse): void {
    this.owed++;
    response.once('close', () => {
      this.owed--;
      this.applyBackpressure();
    });
    this.applyBackpressure();
  }

  wake(): void {
    this.applyBackpressure();
  }

  /**
   * Reads a request's body and works out its answer now, or once fewer answers are being
   * worked out. Reading a body resumes the socket (node:http's IncomingMessage does), so a
   * request past the bound is left unread until then, and the socket stays paused.
   */
  readBody(response: ServerResponse, read: () => void): void {
    const start = (): void => {
      this.working++;
      this.pending.add();
      response.once('close', () => {
        this.working--;
        this.pending.remove();
        this.applyBackpressure();
      });
      read();
    };
    if (this.mustWait()) this.held.push(start);
    else start();
  }

  /** Reads no more requests, writes the responses owed, then closes. */
  finish(): void {
    this.finishing = true;
    this.applyBackpressure();
  }

  /**
   * Stops reading while too many answers are being worked out, here or in the whole server.
   * node:http also stops reading while the client does not read its responses; a read already
   * taken in is parsed to its end, so a connection holds at most this bound and one read's
   * worth of requests (64 KB: about 900 requests of the load generator's).
   */
  private applyBackpressure(): void {
    if (this.finishing && this.owed === 0) {
      this.end();
      return;
    }
    if (this.pending.full) this.pending.waitForRoom(this);
    // Requests already read are answered, during a shutdown too.
    while (this.held.length > 0 && !this.mustWait()) this.held.shift()?.();
    const stop = this.finishing || this.mustWait();
    // Paused again at every request while it must wait: node:http resumes the socket on its
    // own now and then (reading a body does), and each request it reads then comes here.
    if (stop && this.socket.readableFlowing !== false) {
      this.pausedByUs = true;
      this.socket.pause();
    } else if (!stop && this.pausedByUs) {
      this.pausedByUs = false;
      this.socket.resume();
    }
  }

  private mustWait(): boolean {
    return this.pending.full || this.working >= MAX_PENDING_ANSWERS;
  }

  private end(): void {
    if (this.lingerTimer !== null || this.socket.destroyed) return;
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), FINISHED_LINGER_MS);
  }
}

export class HttpService implements ConnectionService {
  readonly server: http.Server;
  private readonly open = new Map<Socket, HttpConnection>();
  private readonly pending = new PendingAnswers();
  private readonly idleTimeoutMs: number;
  private readonly log: Log | null;

  constructor(
    options: Pick<ServerOptions, 'idleTimeoutS' | 'questionTimeoutS' | 'verbose'>,
    private readonly answer: Answer,
  ) {
    this.idleTimeoutMs = options.idleTimeoutS * 1000;
    this.log = connectionLog(options.verbose);
    const questionTimeoutMs = options.questionTimeoutS * 1000;
    this.server = http.createServer(
      {
        // Between requests: the idle deadline. Before the first request the socket's own
        // timer keeps it (serve), so that a client waiting its turn at the blocking server
        // is not timed out before it is served, as over TCP.
        keepAliveTimeout: this.idleTimeoutMs,
        // A request must be complete this long after its first byte: the question deadline.
        headersTimeout: questionTimeoutMs,
        requestTimeout: questionTimeoutMs,
        connectionsCheckingInterval: DEADLINE_CHECK_MS,
      },
      (request, response) => this.onRequest(request, response),
    );
  }

  serve(socket: Socket): Promise<void> {
    const connection = new HttpConnection(socket, this.pending);
    this.open.set(socket, connection);
    if (this.idleTimeoutMs > 0) socket.setTimeout(this.idleTimeoutMs);
    this.log?.(`connected ${peer(socket)}`);
    return connection.closed.then(() => {
      this.open.delete(socket);
      this.log?.(`closed ${peer(socket)}`);
    });
  }

  finishAll(): Promise<void> {
    const closing = [...this.open.values()].map((connection) => {
      connection.finish();
      return connection.closed;
    });
    return Promise.all(closing).then(() => undefined);
  }

  destroyAll(): { closed: number; owing: number } {
    let owing = 0;
    for (const connection of this.open.values()) {
      if (connection.owes) owing++;
      connection.socket.destroy();
    }
    return { closed: this.open.size, owing };
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket;
    const connection = this.open.get(socket);
    // Every connection is served before it is read (blocking resumes it only then).
    if (connection === undefined) {
      socket.destroy();
      return;
    }
    connection.owe(response);
    if (request.url !== ZEN_PATH) {
      reply(response, STATUS.notFound, REFUSAL_BODIES.notFound);
      return;
    }
    if (request.method !== ZEN_METHOD) {
      response.setHeader('Allow', ZEN_METHOD);
      reply(response, STATUS.wrongMethod, REFUSAL_BODIES.wrongMethod);
      return;
    }
    if (Number(request.headers['content-length'] ?? 0) >= MAX_BODY_BYTES) {
      this.refuseTooLong(response, socket);
      return;
    }
    connection.readBody(response, () => this.readQuestion(request, response, connection));
  }

  private readQuestion(request: IncomingMessage, response: ServerResponse, connection: HttpConnection): void {
    const socket = connection.socket;
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      if (length >= MAX_BODY_BYTES) return;
      length += chunk.length;
      // A chunked body has no length to look at beforehand.
      if (length >= MAX_BODY_BYTES) this.refuseTooLong(response, socket);
      else chunks.push(chunk);
    });
    request.on('end', () => {
      if (length >= MAX_BODY_BYTES) return;
      const question = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
      this.ask(question, connection, response);
    });
  }

  private ask(question: Buffer, connection: HttpConnection, response: ServerResponse): void {
    let result: Uint8Array | Promise<Uint8Array>;
    try {
      result = this.answer(question, connection);
    } catch (error) {
      this.abort(connection.socket, error);
      return;
    }
    if (result instanceof Uint8Array) reply(response, STATUS.answered, result);
    else
      result.then(
        (answer) => reply(response, STATUS.answered, answer),
        (error: unknown) => this.abort(connection.socket, error),
      );
  }

  /** As over TCP: refused, and the connection closed, however much more the client sends. */
  private refuseTooLong(response: ServerResponse, socket: Socket): void {
    this.log?.(`question too long from ${peer(socket)}`);
    response.setHeader('Connection', 'close');
    reply(response, STATUS.tooLong, QUESTION_TOO_LONG);
    setTimeout(() => socket.destroy(), FINISHED_LINGER_MS).unref();
  }

  private abort(socket: Socket, error: unknown): void {
    if (socket.destroyed) return;
    this.log?.(`answer failed for ${peer(socket)}: ${error instanceof Error ? error.message : String(error)}`);
    socket.destroy();
  }
}

function reply(response: ServerResponse, status: number, body: Uint8Array): void {
  response.writeHead(status, { 'Content-Type': ANSWER_CONTENT_TYPE, 'Content-Length': body.length });
  response.end(body);
}

function peer(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}
