/** A deliberately plain zen client for tests: raw bytes in, everything received kept as text. */
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
    return this.waitFor(() => this.parsed.length >= count, timeoutMs, `${count} answers`).then(() => this.parsed.slice());
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
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${JSON.stringify(this.received.slice(-200))}`));
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

/** Resident memory of a process and all its descendants, in bytes (Linux /proc). */
export async function treeRssBytes(pid: number): Promise<number> {
  const { readFile, readdir } = await import('node:fs/promises');
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  }
  let total = 0;
  for (const member of tree) {
    try {
      const status = await readFile(`/proc/${member}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+) kB/.exec(status);
      total += match ? Number(match[1]) * 1024 : 0;
    } catch {
      // Gone.
    }
  }
  return total;
}

/** The pids of a process's children (Linux /proc). */
export async function childPids(pid: number): Promise<number[]> {
  const { readFile } = await import('node:fs/promises');
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
