/**
 * The yardstick for the HTTP twins: zen over node:http and nothing else (no limits, no
 * deadlines, no backpressure of our own, no shutdown grace). Started by `npm run bench:http`
 * through servers/launch.ts, whose listening line it prints; it ignores its arguments but
 * --port. Every answer is right, so any client can drive it.
 */
import { createServer } from 'node:http';
import { ANSWER_CONTENT_TYPE } from '../../protocol/zen-http.js';
import { answerFor } from '../../protocol/zen.js';

const portArgument = process.argv.indexOf('--port');
const port = portArgument > 0 ? Number(process.argv[portArgument + 1]) : 0;

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const answer = answerFor(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    response.writeHead(200, { 'Content-Type': ANSWER_CONTENT_TYPE, 'Content-Length': answer.length });
    response.end(answer);
  });
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const listening = {
    event: 'listening',
    architecture: 'node:http',
    protocol: 'http',
    host: '127.0.0.1',
    port: address !== null && typeof address === 'object' ? address.port : port,
    pid: process.pid,
    workers: 1,
  };
  process.stdout.write(`${JSON.stringify(listening)}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
