/** A deliberately plain zen client for tests: raw bytes in, everything received kept as text. */
import { readdirSync } from 'node:fs';
import net from 'node:net';

export class TestClient {
  readonly socket: net.Socket;
  received = '';
  /** Complete answers so far, parsed as they arrive (a test may receive a million). */
  private readonly parsed: string[] = [];
  private unfinished = '';
  ended = false;
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      this.received += text;
      const pieces = (this.unfinished + text).split('.');
      this.unfinished = pieces.pop() ?? '';
      for (const piece of pieces) this.parsed.push(`${piece}.`);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, allowHalfOpen: true }, () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Answers received so far, split at each '.'. */
  answers(): string[] {
    return this.parsed;
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  async ask(question: string, timeoutMs = 5000): Promise<string> {
    const before = this.answers().length;
    this.send(question);
    await this.waitFor(() => this.answers().length > before, timeoutMs, `an answer to '${question}'`);
    return this.answers()[before] ?? '';
  }

  waitForAnswers(count: number, timeoutMs = 5000): Promise<string[]> {
    return this.waitFor(() => this.parsed.length >= count, timeoutMs, `${count} answers`).then(() =>
      this.parsed.slice(),
    );
  }

  waitForClose(timeoutMs = 5000): Promise<void> {
    return this.waitFor(() => this.closed || this.ended, timeoutMs, 'the server to close');
  }

  waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (!condition()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== onEvent);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; received ${JSON.stringify(this.received.slice(-200))}`,
          ),
        );
      }, timeoutMs);
      const onEvent = (): void => {
        if (check()) this.waiters = this.waiters.filter((waiter) => waiter !== onEvent);
      };
      if (!check()) this.waiters.push(onEvent);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** File descriptors open in a process and its descendants (Linux /proc). */
export function openFds(pids: readonly number[]): number {
  let count = 0;
  for (const pid of pids) {
    try {
      count += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // A process that has just exited holds none.
    }
  }
  return count;
}
