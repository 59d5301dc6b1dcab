/**
 * Listening and stopping, the same for every architecture and protocol: bind, report a port
 * in use as a user's error, keep file descriptors in hand, and on close stop accepting, let
 * connections finish, then force the rest.
 */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import type { Socket } from 'node:net';
import type { RunningServer, ServerOptions } from './architecture.js';
import { createService } from './protocols.js';
import type { Answer, ConnectionService } from './service.js';

/** How long a shutdown lets connections write what they owe before cutting them off. */
export const SHUTDOWN_GRACE_MS = 3000;

export class ListenError extends Error {}

/** File descriptors kept free of clients, for whatever else the process must open. */
const SPARE_DESCRIPTORS = 16;

/**
 * The grace counted from the signal itself, by the watchdog, rather than from when a busy main
 * thread got round to the shutdown: once it has run out, a shutdown cuts off at once.
 */
let endGraceNow: () => void = () => undefined;
const graceRanOut = new Promise<'late'>((resolve) => {
  endGraceNow = () => resolve('late');
});

/** Called (through the watchdog) when the grace has run out since the stop signal arrived. */
export function endGrace(): void {
  endGraceNow();
}

export interface ListeningService extends RunningServer {
  readonly service: ConnectionService;
}

/**
 * Makes the service's server listen and hands each accepted socket to `accept`, which serves
 * it (`service.serve`) now or later. With `pauseOnConnect` nothing is read from a socket
 * before `accept` resumes it.
 */
export async function listen(
  options: ServerOptions,
  service: ConnectionService,
  accept: (socket: Socket) => void,
  { pauseOnConnect = false, reusePort = false } = {},
): Promise<ListeningService> {
  const server = service.server;
  // A documented option of net.createServer that node:http's server does not pass on; net
  // reads the property at each connection.
  (server as net.Server & { pauseOnConnect: boolean }).pauseOnConnect = pauseOnConnect;
  const descriptors = new DescriptorLimit();
  // Before node:http's own listener, so that a socket turned away is never parsed.
  server.prependListener('connection', (socket: Socket) => {
    if (descriptors.admit(socket)) accept(socket);
  });
  const address = await bind(server, options, reusePort);
  return { host: address.address, port: address.port, service, close: () => closeGracefully(server, service) };
}

/**
 * Listens, and lets the socket underneath `reusePort` (Node 22.12 or newer): then several
 * processes each bind a socket of their own to the same port and the kernel spreads the
 * connections over them.
 */
async function bind(server: net.Server, options: ServerOptions, reusePort: boolean): Promise<net.AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(describeListenError(error, options)));
    // reusePort is not in the types of Node 20, which ignores it (architecture.minimumNode keeps it from there).
    const listenOptions: net.ListenOptions & { reusePort?: boolean } = { host: options.host, port: options.port };
    if (reusePort) listenOptions.reusePort = true;
    server.listen(listenOptions, () => resolve());
  });
  server.on('error', (error) => process.stderr.write(`server error: ${error.message}\n`));
  return server.address() as net.AddressInfo;
}

/**
 * Accepts connections only to hand them on to another process (inetd's acceptor): nothing is
 * read from them here, so that the process that serves a connection gets all its bytes.
 * `close` stops accepting; what was handed on is the receivers' to finish.
 */
export async function listenToHandOn(options: ServerOptions, accept: (socket: Socket) => void): Promise<RunningServer> {
  const server = net.createServer({ pauseOnConnect: true });
  const descriptors = new DescriptorLimit();
  server.on('connection', (socket: Socket) => {
    if (descriptors.admit(socket)) accept(socket);
  });
  const address = await bind(server, options, false);
  return {
    host: address.address,
    port: address.port,
    // Not waiting for close's callback: node counts the connections handed on as the server's
    // until their receivers report them closed, and those are the receivers' to finish.
    close: () => {
      server.close();
      return Promise.resolve();
    },
  };
}

/**
 * Serves a connection that another process accepted and handed to this one (child_process's
 * handle passing), as if this service's server had accepted it.
 */
export function serveHandedSocket(service: ConnectionService, socket: Socket): Promise<void> {
  // A handed socket is made without the server's options; the TCP service keeps a half-closed
  // connection open for its answers (TcpService), and so must this one.
  socket.allowHalfOpen = true;
  const served = service.serve(socket);
  if (service.server.listenerCount('connection') > 0) {
    // node:http starts checking its question deadlines on its server's 'listening' event; this
    // server never listens, so the event is emitted by hand, once.
    if (!service.server.listening && !handedServers.has(service.server)) {
      handedServers.add(service.server);
      service.server.emit('listening');
    }
    service.server.emit('connection', socket);
  }
  return served;
}

const handedServers = new WeakSet<net.Server>();

/** Every connection served at once, each answered by `answer`: the async and pool style. */
export function serveConcurrently(
  options: ServerOptions,
  answer: Answer,
  { reusePort = false } = {},
): Promise<ListeningService> {
  const service = createService(options, answer);
  return listen(options, service, (socket) => void service.serve(socket), { reusePort });
}

async function closeGracefully(server: net.Server, service: ConnectionService): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  await finishGracefully(service);
  await stopped;
}

/** Lets every connection finish within the grace, then cuts off the rest, saying so on stderr. */
export async function finishGracefully(service: ConnectionService): Promise<void> {
  const finished = service.finishAll();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), SHUTDOWN_GRACE_MS);
  });
  if ((await Promise.race([finished, deadline, graceRanOut])) === 'late') {
    // A client that reads none of its answers must not hold the shutdown hostage.
    const { closed, owing } = service.destroyAll();
    if (closed > 0) {
      process.stderr.write(
        `zenbench server: shutdown cut off ${closed} connection(s) still open after the ${SHUTDOWN_GRACE_MS} ms grace, ${owing} of them still owed answers\n`,
      );
    }
  }
  clearTimeout(timer);
}

function describeListenError(error: NodeJS.ErrnoException, options: ServerOptions): ListenError {
  const where = `${options.host}:${options.port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new ListenError(
        `port ${options.port} is in use on ${options.host}: choose another with --port, or --port 0 for a free one`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ListenError(`cannot listen on ${where}: --host must be an address of this machine, e.g. 127.0.0.1`);
    case 'EACCES':
      return new ListenError(`not allowed to listen on ${where}: use a port above 1023`);
    default:
      return new ListenError(`cannot listen on ${where}: ${error.message}`);
  }
}

/**
 * Keeps a few file descriptors spare, and says so when it must turn clients away for it. At
 * the limit itself, libuv accepts and at once closes the clients it has no descriptor for and
 * tells nobody; worse, a cluster worker that cannot take the descriptor of a client handed to
 * it never answers the primary, which then hands it nothing more, and soon every new client
 * hangs. Turned away a little before the limit, new clients are closed at once, the spare
 * descriptors serve what else needs one (a pool thread started again), and clients are served
 * again as soon as some leave.
 */
class DescriptorLimit {
  /** The soft limit on open files, from /proc (null elsewhere: no limit kept). */
  private readonly limit = readOpenFileLimit();
  /** Descriptors open before any client: the listening socket, the event loop's, the threads'. */
  private readonly base = countOpenFiles() ?? 0;
  private open = 0;
  private warned = false;

  /** Whether to serve this client; if not, it has been closed. */
  admit(socket: Socket): boolean {
    this.open++;
    socket.once('close', () => {
      this.open--;
      if (this.warned && this.limit !== null && this.base + this.open < this.limit * 0.9) this.warned = false;
    });
    if (this.limit === null || this.base + this.open < this.limit - SPARE_DESCRIPTORS) return true;
    // Counting costs a directory read, so only near the limit; at the limit itself the read
    // fails for want of a descriptor.
    const inUse = countOpenFiles();
    if (inUse !== null && inUse < this.limit - SPARE_DESCRIPTORS) return true;
    if (!this.warned) warnOfDescriptorLimit(this.limit, `with ${this.open - 1} connections open`);
    this.warned = true;
    socket.destroy();
    return false;
  }
}

/**
 * The same warning for a process that accepts its clients only to hand them on (the cluster
 * primary), so sees none of them: a look at its descriptors twice a second.
 */
export function watchDescriptorLimit(): void {
  const limit = readOpenFileLimit();
  if (limit === null) return;
  let warned = false;
  setInterval(() => {
    const inUse = countOpenFiles();
    if (inUse !== null && inUse < limit * 0.9) warned = false;
    if (warned || (inUse !== null && inUse < limit - SPARE_DESCRIPTORS / 2)) return;
    warned = true;
    warnOfDescriptorLimit(limit, 'in the process that accepts them');
  }, 500).unref();
}

function warnOfDescriptorLimit(limit: number, where: string): void {
  process.stderr.write(
    `zenbench server: at the file-descriptor limit (${limit}) ${where}: new clients are closed at once until some leave (raise the limit with ulimit -n)\n`,
  );
}

function readOpenFileLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

function countOpenFiles(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}
