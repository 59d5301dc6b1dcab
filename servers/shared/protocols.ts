/**
 * The service of each protocol (protocol/protocol-names.ts): adding a protocol is a service
 * and a line here, and every architecture serves it.
 */
import type { ProtocolName } from '../../protocol/protocol-names.js';
import type { ServerOptions } from './architecture.js';
import { HttpService } from './http-service.js';
import type { Answer, ConnectionService } from './service.js';
import { TcpService } from './tcp-connection.js';

const SERVICES: Record<ProtocolName, new (options: ServerOptions, answer: Answer) => ConnectionService> = {
  tcp: TcpService,
  http: HttpService,
};

export function createService(options: ServerOptions, answer: Answer): ConnectionService {
  return new SERVICES[options.protocol](options, answer);
}
