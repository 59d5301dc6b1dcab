/**
 * Zen over HTTP/1.1: a question is the body of `POST /`, its answer the body of a 200
 * response, the same bytes as over TCP (zen.ts). Every HTTP server and client of zenbench
 * takes the mapping from here; the framing itself is node:http's.
 */
import { MAX_QUESTION_BYTES } from './zen.js';

export const ZEN_PATH = '/';
export const ZEN_METHOD = 'POST';
export const ANSWER_CONTENT_TYPE = 'text/plain';

/** A body this long or longer is refused with 413 and the connection closed, as over TCP. */
export const MAX_BODY_BYTES = MAX_QUESTION_BYTES;

export const STATUS = {
  answered: 200,
  notFound: 404,
  wrongMethod: 405,
  tooLong: 413,
} as const;

/** The bodies of the refusals; an answer's body is the zen answer itself. */
export const REFUSAL_BODIES = {
  notFound: Buffer.from(`Error: ask ${ZEN_PATH}.`),
  wrongMethod: Buffer.from(`Error: ask with ${ZEN_METHOD}.`),
} as const;

/** The request that asks `question`, as a client sends it on a keep-alive connection. */
export function zenRequest(question: Uint8Array, host: string): Buffer {
  const head = `${ZEN_METHOD} ${ZEN_PATH} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${question.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), question]);
}
