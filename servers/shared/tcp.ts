/**
 * Listening and stopping, the same for every architecture: bind, report a port in use as a
 * user's error, and on close stop accepting, let connections finish, then force the rest.
 */
import { readdirSync, readFileSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import type { RunningServer, ServerOptions } from './architecture.js';
import { Connections, type Answer } from './connection.js';

/** How long a shutdown lets connections write what they owe before cutting them off. */
export const SHUTDOWN_GRACE_MS = 3000;

export class ListenError extends Error {}

export interface TcpService extends RunningServer {
  readonly connections: Connections;
}

/**
 * Binds a server that hands each accepted socket to `accept`. Half-open sockets are allowed,
 * so a client that shuts down its sending side still gets every answer.
 */
export async function listenTcp(
  options: ServerOptions,
  connections: Connections,
  accept: (socket: Socket) => void,
  netOptions: net.ServerOpts = {},
): Promise<TcpService> {
  const descriptors = new DescriptorLimit();
  const server = net.createServer({ ...netOptions, allowHalfOpen: true }, (socket) => {
    descriptors.accepted(socket);
    accept(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(describeListenError(error, options)));
    server.listen({ host: options.host, port: options.port }, () => resolve());
  });
  server.on('error', (error) => process.stderr.write(`server error: ${error.message}\n`));
  const address = server.address() as net.AddressInfo;
  return {
    host: address.address,
    port: address.port,
    connections,
    close: () => closeGracefully(server, connections),
  };
}

/** Every connection served at once, each answered by `answer`: the async and pool style. */
export function serveConcurrently(options: ServerOptions, answer: Answer): Promise<TcpService> {
  const connections = new Connections(options);
  return listenTcp(options, connections, (socket) => connections.serve(socket, answer));
}

async function closeGracefully(server: net.Server, connections: Connections): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  const finished = connections.finishAll();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), SHUTDOWN_GRACE_MS);
  });
  if ((await Promise.race([finished, deadline])) === 'late') {
    // A client that reads none of its answers must not hold the shutdown hostage.
    const { closed, owing } = connections.destroyAll();
    process.stderr.write(
      `shutdown: cut off ${closed} connection(s) still open after the ${SHUTDOWN_GRACE_MS} ms grace, ${owing} of them still owed answers\n`,
    );
  }
  clearTimeout(timer);
  await stopped;
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
 * Tells the operator when the server runs out of file descriptors. libuv then accepts and at
 * once closes the clients it has no descriptor for, and tells nobody; the server goes on
 * serving the others, and new clients are served again as soon as some leave.
 */
class DescriptorLimit {
  /** The soft limit on open files, from /proc (null elsewhere: no warning). */
  private readonly limit = readOpenFileLimit();
  /** Descriptors open before any client: the listening socket, the event loop's, the threads'. */
  private readonly base = countOpenFiles() ?? 0;
  private open = 0;
  private warned = false;

  accepted(socket: Socket): void {
    this.open++;
    socket.once('close', () => {
      this.open--;
      if (this.warned && this.limit !== null && this.base + this.open < this.limit * 0.9) this.warned = false;
    });
    // Counting the descriptors costs a directory read: only near the limit.
    if (this.limit === null || this.warned || this.base + this.open < this.limit - 16) return;
    const inUse = countOpenFiles();
    // At the limit, reading the directory fails for want of a descriptor.
    if (inUse !== null && inUse < this.limit - 2) return;
    this.warned = true;
    process.stderr.write(
      `zenbench server: at the file-descriptor limit (${this.limit}) with ${this.open} connections open: new clients are closed at once until some leave (raise the limit with ulimit -n)\n`,
    );
  }
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
