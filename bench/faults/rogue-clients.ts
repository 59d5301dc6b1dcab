/**
 * The fault suite's misbehaving clients: a flood of pipelined questions never read, idle
 * connections, and a slowloris. Loopback only, and bounded in every way: so many clients,
 * connected a batch at a time, each connect given up after a while, and every socket closed by
 * stop(), which itself waits a bounded time.
 */
import net, { type Socket } from 'node:net';
import { APHORISMS } from '../../protocol/zen.js';
import type { RogueKind } from './fault-scenarios.js';

export interface RogueSettings {
  host: string;
  port: number;
  kind: RogueKind;
  clients: number;
  /** Flood: questions each client writes at once. */
  floodQuestions: number;
  /** Slowloris: the pause between two bytes of a client's question stream. */
  dribbleMs: number;
}

export interface RogueReport {
  kind: RogueKind;
  clients: number;
  /** Connections that were established. */
  connected: number;
  /** Connection attempts that failed or did not complete within CONNECT_TIMEOUT_MS. */
  failedToConnect: number;
  /** Established connections the server closed or reset before the suite closed them. */
  closedByServer: number;
  bytesSent: number;
  /** From the first connect to the last established connection, ms. */
  connectMs: number;
}

/** Connects in flight at once: enough to be quick, few enough not to overrun the listen backlog. */
const CONNECTS_AT_ONCE = 128;
const CONNECT_TIMEOUT_MS = 3000;
/** How long stop() waits for the sockets it destroyed to report closed. */
const CLOSE_WAIT_MS = 2000;

/** The protocol's questions back to back, repeated: what a flood sends and a slowloris dribbles. */
function questionStream(count: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, (_, index) => APHORISMS[index % APHORISMS.length]!.question));
}

export class RogueClients {
  private readonly sockets = new Set<Socket>();
  private readonly report: RogueReport;
  private readonly stream: Buffer;
  private readonly startedAt = performance.now();
  private stopping = false;
  private dribble: NodeJS.Timeout | null = null;
  private dribbled = 0;
  private readonly connecting: Promise<void>;

  constructor(private readonly settings: RogueSettings) {
    this.report = {
      kind: settings.kind,
      clients: settings.clients,
      connected: 0,
      failedToConnect: 0,
      closedByServer: 0,
      bytesSent: 0,
      connectMs: 0,
    };
    this.stream = questionStream(settings.kind === 'flood' ? settings.floodQuestions : 64);
    this.connecting = this.connectAll();
    if (settings.kind === 'slowloris') this.dribble = setInterval(() => this.dribbleOneByte(), settings.dribbleMs);
  }

  /** Closes every connection and reports; waits at most CLOSE_WAIT_MS for them to close. */
  async stop(): Promise<RogueReport> {
    this.stopping = true;
    if (this.dribble !== null) clearInterval(this.dribble);
    await this.connecting;
    const closed = [...this.sockets].map(
      (socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', resolve))),
    );
    for (const socket of this.sockets) socket.destroy();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    this.sockets.clear();
    return { ...this.report };
  }

  private async connectAll(): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.settings.clients && !this.stopping) {
        next++;
        await this.connectOne();
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONNECTS_AT_ONCE, this.settings.clients) }, worker));
  }

  private connectOne(): Promise<void> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: this.settings.host, port: this.settings.port, noDelay: true });
      let established = false;
      const timer = setTimeout(() => {
        this.report.failedToConnect++;
        socket.destroy();
        resolve();
      }, CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        established = true;
        this.report.connected++;
        this.report.connectMs = Math.round(performance.now() - this.startedAt);
        this.sockets.add(socket);
        // Never read: nothing consumes the stream, so Node stops reading once its buffer is full.
        socket.pause();
        if (this.settings.kind === 'flood') this.send(socket, this.stream);
        resolve();
      });
      socket.on('error', () => {
        if (!established) {
          clearTimeout(timer);
          this.report.failedToConnect++;
          resolve();
        }
      });
      socket.once('end', () => socket.destroy());
      socket.once('close', () => {
        if (established && !this.stopping) this.report.closedByServer++;
        this.sockets.delete(socket);
      });
    });
  }

  private dribbleOneByte(): void {
    const byte = this.stream.subarray(this.dribbled % this.stream.length, (this.dribbled % this.stream.length) + 1);
    this.dribbled++;
    for (const socket of this.sockets) this.send(socket, byte);
  }

  private send(socket: Socket, bytes: Buffer): void {
    if (socket.destroyed || !socket.writable) return;
    socket.write(bytes);
    this.report.bytesSent += bytes.length;
  }
}
