/**
 * The load generator's wires (loadgen/wire.ts) on their own: the bytes each protocol sends,
 * and the answers its readers find in what comes back, however the bytes are cut into reads
 * and whatever the generator does with its read buffer afterwards.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hostHeader } from '../loadgen/http-wire.js';
import { makeWire, type AnswerCallback, type AnswerReader } from '../loadgen/wire.js';
import { APHORISMS } from '../protocol/zen.js';

type ReaderMaker = (onAnswer: AnswerCallback) => AnswerReader;

const httpReader: ReaderMaker = (onAnswer) =>
  makeWire('http', { host: '127.0.0.1', port: 1, maxBatch: 1 }).reader(onAnswer);

interface Outcome {
  /** 'right' or 'wrong' per answer, in order. */
  verdicts: string[];
  broken: boolean;
}

/**
 * Feeds `stream` to a fresh reader in reads that end at `cuts`, each read copied into one
 * buffer that is overwritten afterwards, as the generator's shared read buffer is.
 */
function feed(make: ReaderMaker, stream: Buffer, cuts: readonly number[]): Outcome {
  const verdicts: string[] = [];
  const reader = make((right) => verdicts.push(right ? 'right' : 'wrong'));
  const scratch = Buffer.alloc(stream.length);
  let start = 0;
  for (const end of [...cuts, stream.length]) {
    if (end <= start) continue;
    const read = scratch.subarray(0, end - start);
    stream.copy(read, 0, start, end);
    const intact = reader.push(read);
    read.fill(0xff);
    if (!intact) return { verdicts, broken: true };
    start = end;
  }
  return { verdicts, broken: false };
}

/** The same outcome whole, cut in two at every byte, and one byte at a time. */
function assertEveryCut(make: ReaderMaker, stream: Buffer, expected: Outcome, label: string): void {
  assert.deepEqual(feed(make, stream, []), expected, `${label}, whole`);
  for (let cut = 1; cut < stream.length; cut++) {
    assert.deepEqual(feed(make, stream, [cut]), expected, `${label}, cut at byte ${cut}`);
  }
  const everyByte = Array.from({ length: stream.length }, (_, index) => index + 1);
  assert.deepEqual(feed(make, stream, everyByte), expected, `${label}, a byte at a time`);
}

function response(status: string, headers: readonly string[], body: string, eol = '\r\n'): string {
  return `HTTP/1.1 ${status}${eol}${headers.map((header) => `${header}${eol}`).join('')}${eol}${body}`;
}

/** What node:http sends for an answer. */
function nodeStyle(body: string): string {
  return response(
    '200 OK',
    [
      'Content-Type: text/plain',
      `Content-Length: ${body.length}`,
      'Date: Mon, 23 Nov 2026 08:00:00 GMT',
      'Connection: keep-alive',
      'Keep-Alive: timeout=5',
    ],
    body,
  );
}

function chunkedBody(pieces: readonly string[], trailers: readonly string[] = []): string {
  const chunks = pieces.map(
    (piece, index) => `${piece.length.toString(16)}${index === 0 ? ';ext=1' : ''}\r\n${piece}\r\n`,
  );
  return `${chunks.join('')}0\r\n${trailers.map((trailer) => `${trailer}\r\n`).join('')}\r\n`;
}

const UGLY = 'Ugly.';
const IMPLICIT = 'Implicit.';
const COMPLEX = 'Complex.';

/** Streams of three responses (to questions 0, 1, 2) and the verdicts they must get. */
const WELL_FORMED: ReadonlyArray<{ name: string; stream: string; verdicts: string[] }> = [
  {
    name: 'node:http responses',
    stream: [UGLY, IMPLICIT, COMPLEX].map(nodeStyle).join(''),
    verdicts: ['right', 'right', 'right'],
  },
  {
    name: 'bare responses, lower-case names, blanks around values, bare LF line ends',
    stream:
      response('200 OK', [`Content-Length: 5`], UGLY) +
      response('200', [`content-length:   9  `, 'X-Other: content-length: 99'], IMPLICIT) +
      response('200 OK', [`CONTENT-LENGTH:8`], COMPLEX, '\n'),
    verdicts: ['right', 'right', 'right'],
  },
  {
    name: 'chunked bodies, with an extension and trailers',
    stream:
      response('200 OK', ['Transfer-Encoding: chunked'], chunkedBody(['Ug', 'ly.'])) +
      response('200 OK', ['transfer-encoding:  Chunked '], chunkedBody([IMPLICIT], ['X-Trailer: 1'])) +
      response('200 OK', ['Transfer-Encoding: chunked', 'Content-Length: 99'], chunkedBody(['C', 'omplex', '.'])),
    verdicts: ['right', 'right', 'right'],
  },
  {
    name: 'a wrong status with the right body, the wrong body, an empty 200',
    stream:
      response('500 Internal Server Error', ['Content-Length: 5'], UGLY) +
      response('200 OK', ['Content-Length: 5'], UGLY) +
      response('200 OK', ['Content-Length: 0'], ''),
    verdicts: ['wrong', 'wrong', 'wrong'],
  },
  {
    name: 'statuses without a body, then a right answer',
    stream:
      response('204 No Content', [], '') +
      response('304 Not Modified', [], '') +
      response('200 OK', ['Content-Length: 8'], COMPLEX),
    verdicts: ['wrong', 'wrong', 'right'],
  },
  {
    name: 'a body far longer than any answer, then right answers',
    stream:
      response('200 OK', ['Content-Length: 300'], `Ugly.${'x'.repeat(295)}`) +
      response('200 OK', ['Content-Length: 9'], IMPLICIT) +
      response('200 OK', ['Transfer-Encoding: chunked'], chunkedBody([COMPLEX, 'y'.repeat(100)])),
    verdicts: ['wrong', 'right', 'wrong'],
  },
  {
    name: 'Connection: close with a length is a complete answer',
    stream: response('200 OK', ['Connection: close', 'Content-Length: 5'], UGLY),
    verdicts: ['right'],
  },
];

/** Streams after which nothing can be trusted: the reader gives up on them. */
const BROKEN: ReadonlyArray<{ name: string; stream: string; verdicts: string[] }> = [
  { name: 'not HTTP at all', stream: 'Ugly.\r\nImplicit.\r\n', verdicts: [] },
  {
    name: 'a body without a length, after a right answer',
    stream:
      response('200 OK', ['Content-Length: 5'], UGLY) + response('200 OK', ['Content-Type: text/plain'], IMPLICIT),
    verdicts: ['right'],
  },
  {
    name: 'two Content-Lengths that disagree',
    stream: response('200 OK', ['Content-Length: 5', 'Content-Length: 6'], UGLY),
    verdicts: [],
  },
];

describe('the TCP wire', () => {
  test('questions go out back to back, in aphorism order from any question number', () => {
    const wire = makeWire('tcp', { host: '127.0.0.1', port: 1060, maxBatch: 16 });
    for (let first = 0; first < 6; first++) {
      for (const count of [1, 2, 5, 16]) {
        const expected = Buffer.concat(
          Array.from({ length: count }, (_, index) => APHORISMS[(first + index) % 3]!.question),
        );
        assert.deepEqual(wire.questions(first, count), expected, `first ${first}, count ${count}`);
      }
    }
  });

  test('answers are checked in order however the reads cut them; one too long breaks the stream', () => {
    const make: ReaderMaker = (onAnswer) =>
      makeWire('tcp', { host: '127.0.0.1', port: 1, maxBatch: 1 }).reader(onAnswer);
    const stream = Buffer.from('Ugly.Implicit.Ugly.Ugly.');
    assertEveryCut(make, stream, { verdicts: ['right', 'right', 'wrong', 'right'], broken: false }, 'tcp');
    assert.deepEqual(feed(make, Buffer.from(`Ugly.${'x'.repeat(100)}.`), []), { verdicts: ['right'], broken: true });
  });
});

describe('the HTTP wire', () => {
  test('each question is a keep-alive POST / with a Host header and a Content-Length, made once', () => {
    const wire = makeWire('http', { host: '127.0.0.1', port: 1060, maxBatch: 4 });
    assert.equal(
      wire.questions(0, 1).toString('latin1'),
      'POST / HTTP/1.1\r\nHost: 127.0.0.1:1060\r\nContent-Length: 25\r\n\r\nBeautiful is better than?',
    );
    const request = (index: number): string => {
      const question = APHORISMS[index % 3]!.question;
      return `POST / HTTP/1.1\r\nHost: 127.0.0.1:1060\r\nContent-Length: ${question.length}\r\n\r\n${question.toString()}`;
    };
    assert.equal(wire.questions(2, 4).toString('latin1'), [2, 3, 4, 5].map(request).join(''));
    // The same bytes every time: views of what was made once.
    assert.equal(wire.questions(1, 3).buffer, wire.questions(4, 3).buffer);
    assert.equal(hostHeader('::1', 80), '[::1]:80');
    assert.equal(hostHeader('localhost', 80), 'localhost:80');
  });

  test('well-formed responses get the right verdicts, however the reads cut them', () => {
    for (const { name, stream, verdicts } of WELL_FORMED) {
      assertEveryCut(httpReader, Buffer.from(stream, 'latin1'), { verdicts, broken: false }, name);
    }
  });

  test('a response that cannot be framed breaks the stream', () => {
    for (const { name, stream, verdicts } of BROKEN) {
      assertEveryCut(httpReader, Buffer.from(stream, 'latin1'), { verdicts, broken: true }, name);
    }
  });

  test('after reset() the next bytes answer question 0 of a new connection', () => {
    const verdicts: boolean[] = [];
    const reader = httpReader((right) => verdicts.push(right));
    assert.ok(reader.push(Buffer.from(nodeStyle(UGLY) + nodeStyle(IMPLICIT).slice(0, 40), 'latin1')));
    reader.reset();
    assert.ok(reader.push(Buffer.from(nodeStyle(UGLY), 'latin1')));
    assert.deepEqual(verdicts, [true, true]);
    assert.equal(reader.push(Buffer.from('garbage\r\n\r\n')), false);
    reader.reset();
    assert.ok(reader.push(Buffer.from(nodeStyle(UGLY), 'latin1')));
    assert.deepEqual(verdicts, [true, true, true]);
  });

  test('a long pipelined stream of mixed responses, cut at random, gets every verdict in order', () => {
    const bodies = [UGLY, IMPLICIT, COMPLEX];
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const parts: string[] = [];
    const verdicts: string[] = [];
    for (let index = 0; index < 300; index++) {
      const unknown = random() < 0.1;
      const body = unknown ? 'Error: unknown aphorism.' : bodies[index % 3]!;
      const kind = random();
      const notFound = kind >= 0.7 && random() < 0.2;
      if (kind < 0.4) parts.push(nodeStyle(body));
      else if (kind < 0.7) parts.push(response('200 OK', ['Transfer-Encoding: chunked'], chunkedBody([...body])));
      else parts.push(response(notFound ? '404 Not Found' : '200 OK', [`Content-Length: ${body.length}`], body));
      verdicts.push(unknown || notFound ? 'wrong' : 'right');
    }
    const stream = Buffer.from(parts.join(''), 'latin1');
    const cuts: number[] = [];
    for (let at = 0; at < stream.length; at += 1 + Math.floor(random() * 200)) cuts.push(at);
    assert.ok(verdicts.includes('wrong') && verdicts.includes('right'));
    assert.deepEqual(feed(httpReader, stream, cuts), { verdicts, broken: false });
  });
});
