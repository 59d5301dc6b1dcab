/**
 * A deliberately plain HTTP/1.1 client for the zen-over-HTTP tests: raw bytes out, so a test
 * can pipeline, dribble or stop reading, and responses parsed as they arrive. The servers always
 * send Content-Length; a response without one (node:http's own 408 and 400) has no body.
 */
import net from 'node:net';
import { zenRequest } from '../../protocol/zen-http.js';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class HttpTestClient {
  readonly socket: net.Socket;
  readonly responses: HttpResponse[] = [];
  closed = false;
  private pending = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      this.parse();
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<HttpTestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new HttpTestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** The request for `question`, as the load generator sends it. */
  static request(question: string | Buffer, extraHeaders = ''): Buffer {
    const request = zenRequest(Buffer.from(question), '127.0.0.1');
    if (extraHeaders === '') return request;
    const text = request.toString('latin1');
    return Buffer.from(text.replace('\r\n\r\n', `\r\n${extraHeaders}\r\n\r\n`), 'latin1');
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends one question and waits for its response. */
  async ask(question: string | Buffer, extraHeaders = ''): Promise<HttpResponse> {
    const before = this.responses.length;
    this.send(HttpTestClient.request(question, extraHeaders));
    const responses = await this.waitForResponses(before + 1);
    return responses[before]!;
  }

  waitForResponses(count: number, timeoutMs = 5000): Promise<HttpResponse[]> {
    return this.waitFor(() => this.responses.length >= count, `${count} responses`, timeoutMs).then(
      () => this.responses,
    );
  }

  waitForClose(timeoutMs = 5000): Promise<void> {
    return this.waitFor(() => this.closed, 'the server to close', timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const headEnd = this.pending.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const lines = this.pending.subarray(0, headEnd).toString('latin1').split('\r\n');
      const status = Number(lines[0]?.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (this.pending.length < headEnd + 4 + length) return;
      const body = this.pending.subarray(headEnd + 4, headEnd + 4 + length).toString('latin1');
      this.responses.push({ status, headers, body });
      this.pending = this.pending.subarray(headEnd + 4 + length);
    }
  }

  private waitFor(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== onEvent);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.responses.length} responses`));
      }, timeoutMs);
      const onEvent = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== onEvent);
        resolve();
      };
      this.waiters.push(onEvent);
      onEvent();
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
