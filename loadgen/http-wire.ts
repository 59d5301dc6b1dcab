/**
 * Zen over HTTP/1.1: every question is `POST /` with the question as its body, framed by
 * Content-Length, on a keep-alive connection; the answer is the body of a 200 response.
 * Pipelined responses come back in order, so answer k still answers question k.
 *
 * Requests are made once per thread, like the TCP questions (the Host header names the
 * target). Responses are parsed by http-parser-js, a maintained parser: a minimal reader of
 * our own was measured against it and would have saved the generator less than a fifth of
 * its capacity, which is not worth a parser of our own (docs/load.md, "Zen over HTTP").
 */
import { isIP } from 'node:net';
import { HTTPParser } from 'http-parser-js';
import { STATUS, zenRequest } from '../protocol/zen-http.js';
import { MAX_ANSWER_BYTES } from '../protocol/zen.js';
import { APHORISM_COUNT, EXPECTED_ANSWERS, QUESTIONS, QuestionBatches } from './questions.js';
import type { AnswerCallback, AnswerReader, Wire, WireTarget } from './wire.js';

/** The Host header's value for host:port (an IPv6 address in brackets). */
export function hostHeader(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

export function makeHttpWire(target: WireTarget): Wire {
  const requests = QUESTIONS.map((question) => zenRequest(question, hostHeader(target.host, target.port)));
  const batches = new QuestionBatches(target.maxBatch, requests);
  return {
    questions: (first, count) => batches.batch(first, count),
    reader: (onAnswer) => new HttpAnswerReader(onAnswer),
  };
}

type ResponseParser = InstanceType<typeof HTTPParser>;

/** One connection's responses: each is right when its status is 200 and its body the expected answer. */
export class HttpAnswerReader implements AnswerReader {
  private readonly parser: ResponseParser = new HTTPParser(HTTPParser.RESPONSE);
  /** The body so far, as far as it fits: a longer one is wrong whatever it says. */
  private readonly body = Buffer.allocUnsafe(MAX_ANSWER_BYTES);
  private bodyLength = 0;
  private status = 0;
  /** Which aphorism the next response answers: the response count mod 3. */
  private phase = 0;
  /** Set by the parser's callbacks when a response cannot be followed by another. */
  private broken = false;

  constructor(private readonly onAnswer: AnswerCallback) {
    this.parser[HTTPParser.kOnHeadersComplete] = (info) => {
      this.status = info.statusCode;
      this.bodyLength = 0;
      // http-parser-js says a response ends the connection when its body runs to the close
      // (no Content-Length, not chunked) or when it says `Connection: close`. The first
      // leaves no way to find the next response on a keep-alive connection; the second is a
      // complete answer, and the server's close is then counted like any other.
      if (!info.shouldKeepAlive && !hasBodyLength(info.headers, info.statusCode)) this.broken = true;
    };
    this.parser[HTTPParser.kOnBody] = (chunk, offset, length) => {
      if (this.bodyLength + length <= MAX_ANSWER_BYTES) chunk.copy(this.body, this.bodyLength, offset, offset + length);
      // Counting on past the room marks the body too long without keeping it.
      this.bodyLength += length;
    };
    this.parser[HTTPParser.kOnMessageComplete] = () => {
      if (!this.broken) this.onAnswer(this.isRight());
    };
  }

  reset(): void {
    this.parser.initialize(HTTPParser.RESPONSE);
    this.bodyLength = 0;
    this.status = 0;
    this.phase = 0;
    this.broken = false;
  }

  push(bytes: Buffer): boolean {
    if (this.broken) return false;
    const parsed = this.parser.execute(bytes);
    // An Error is a response that does not parse; fewer bytes than given, one that switched
    // protocols (upgrade), after which the rest is not HTTP.
    if (typeof parsed !== 'number' || parsed !== bytes.length) this.broken = true;
    return !this.broken;
  }

  private isRight(): boolean {
    const expected = EXPECTED_ANSWERS[this.phase]!;
    this.phase = this.phase + 1 === APHORISM_COUNT ? 0 : this.phase + 1;
    const length = this.bodyLength;
    return (
      this.status === STATUS.answered && length === expected.length && expected.compare(this.body, 0, length) === 0
    );
  }
}

/**
 * Whether a response's body has a length known from its head: Content-Length, chunked
 * transfer coding, or a status that has no body (1xx, 204, 304). Only asked of the rare
 * response http-parser-js says ends its connection.
 */
function hasBodyLength(headers: readonly string[], status: number): boolean {
  if (status < 200 || status === 204 || status === 304) return true;
  for (let index = 0; index < headers.length; index += 2) {
    const name = headers[index]!.toLowerCase();
    if (name === 'content-length') return true;
    if (name === 'transfer-encoding' && headers[index + 1]!.toLowerCase() === 'chunked') return true;
  }
  return false;
}
