/**
 * A minimal reader of HTTP/1.1 responses, for the load generator's hot path: the status
 * code, Content-Length or chunked transfer coding to find where each body ends, and the body
 * itself (only as far as a zen answer can reach). Every other header is skipped unread.
 *
 * It exists because http-parser-js, the maintained parser, was measured to cost the generator
 * more than a fifth of its capacity (docs/load.md, "Zen over HTTP"): it turns every line into
 * a string and every header into a regular expression match and two array entries. The tests
 * hold this reader to http-parser-js's verdicts (test/loadgen-http-wire.test.ts).
 *
 * Anything it cannot frame breaks the stream rather than being guessed at: a malformed status
 * line, chunk size or Content-Length, a body that runs to the connection's close (no length),
 * a transfer coding other than chunked, a head larger than MAX_RESPONSE_HEAD_BYTES.
 */
import { MAX_ANSWER_BYTES } from '../protocol/zen.js';
import type { AnswerCallback, AnswerReader } from './wire.js';
import { AnswerChecker } from './answer-checker.js';

/** Status line, headers, chunk-size lines and trailers of one response together; Node's HTTP allows 16 KiB. */
export const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const SEMICOLON = 0x3b;

const STATUS_PREFIX = Buffer.from('HTTP/x.x ', 'latin1');
const STATUS_LINE_MIN = 12; // 'HTTP/1.1 200'
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding', 'latin1');
const CHUNKED = Buffer.from('chunked', 'latin1');
/** Beyond this many digits a length is no zen answer, and no longer exact in a double. */
const MAX_LENGTH_DIGITS = 15;
const MAX_CHUNK_SIZE_DIGITS = 12;

// What the line being read is.
const STATUS_LINE = 0;
const HEADER_LINE = 1;
const CHUNK_SIZE_LINE = 2;
/** The CRLF after a chunk's data. */
const CHUNK_END_LINE = 3;
const TRAILER_LINE = 4;

// Within a header line.
const NAME = 0;
const LENGTH_VALUE = 1;
const CODING_VALUE = 2;

const MAYBE_LENGTH = 1;
const MAYBE_CODING = 2;

export class HttpResponseReader implements AnswerReader {
  private readonly checker = new AnswerChecker();
  private readonly body = Buffer.allocUnsafe(MAX_ANSWER_BYTES);
  private broken = false;

  // The response being read.
  private status = 0;
  private contentLength = -1;
  private chunked = false;
  /** A Transfer-Encoding other than plain `chunked`: no way to find the body's end. */
  private otherCoding = false;
  /** Bytes of the body so far; past MAX_ANSWER_BYTES only counted. */
  private bodyLength = 0;
  /** Bytes of body or chunk data still to come; 0 while reading lines. */
  private remaining = 0;
  private headBytes = 0;

  // The line being read.
  private line = STATUS_LINE;
  /** Bytes of the line so far that were looked at, CR not counted. */
  private lineLength = 0;
  /** The rest of the line does not matter: skip to its LF. */
  private skipping = false;
  private field = NAME;
  private nameMatch = 0;
  private digits = 0;
  private value = 0;
  private valueEnded = false;
  private codingMismatch = false;

  constructor(private readonly onAnswer: AnswerCallback) {}

  reset(): void {
    this.broken = false;
    this.checker.reset();
    this.startResponse();
  }

  push(bytes: Buffer): boolean {
    if (this.broken) return false;
    const end = bytes.length;
    let index = 0;
    while (index < end) {
      if (this.remaining > 0) {
        const take = Math.min(end - index, this.remaining);
        this.collect(bytes, index, take);
        index += take;
        this.remaining -= take;
        // A chunk's data is followed by its CRLF (the line already waiting); a body by nothing.
        if (this.remaining === 0 && !this.chunked) this.complete();
        continue;
      }
      if (this.skipping) {
        // A loop, not Buffer.indexOf: the lines are short, and a native call costs more than the scan.
        let stop = index;
        while (stop < end && bytes[stop] !== LF) stop++;
        this.headBytes += stop - index;
        index = stop;
        if (stop === end) break;
      }
      const byte = bytes[index]!;
      index++;
      if (++this.headBytes > MAX_RESPONSE_HEAD_BYTES) return this.fail();
      if (byte === LF) {
        if (!this.endOfLine()) return this.fail();
      } else if (byte !== CR && !this.lineByte(byte)) {
        return this.fail();
      }
    }
    return true;
  }

  private lineByte(byte: number): boolean {
    const position = this.lineLength++;
    switch (this.line) {
      case STATUS_LINE:
        return this.statusByte(byte, position);
      case HEADER_LINE:
        return this.headerByte(byte, position);
      case CHUNK_SIZE_LINE:
        return this.chunkSizeByte(byte);
      case CHUNK_END_LINE:
        return false;
      default:
        // Trailers are not looked at.
        this.skipping = true;
        return true;
    }
  }

  private statusByte(byte: number, position: number): boolean {
    if (position < STATUS_PREFIX.length) {
      const wanted = STATUS_PREFIX[position]!;
      return wanted === 0x78 /* x */ ? isDigit(byte) : byte === wanted;
    }
    if (!isDigit(byte)) return false;
    this.status = this.status * 10 + (byte - 0x30);
    // The reason phrase says nothing the code does not.
    if (position + 1 === STATUS_LINE_MIN) this.skipping = true;
    return true;
  }

  private headerByte(byte: number, position: number): boolean {
    switch (this.field) {
      case NAME: {
        if (byte === COLON) {
          if ((this.nameMatch & MAYBE_LENGTH) !== 0 && position === CONTENT_LENGTH.length) this.field = LENGTH_VALUE;
          else if ((this.nameMatch & MAYBE_CODING) !== 0 && position === TRANSFER_ENCODING.length) {
            this.field = CODING_VALUE;
          } else this.skipping = true;
          return true;
        }
        // Lower case for letters; '-' stays '-' (CR, the only other byte it would fold onto, never gets here).
        const lower = byte | 0x20;
        let match = 0;
        if ((this.nameMatch & MAYBE_LENGTH) !== 0 && CONTENT_LENGTH[position] === lower) match |= MAYBE_LENGTH;
        if ((this.nameMatch & MAYBE_CODING) !== 0 && TRANSFER_ENCODING[position] === lower) match |= MAYBE_CODING;
        this.nameMatch = match;
        // Any other header, or a folded continuation line (leading blank), is skipped.
        if (match === 0) this.skipping = true;
        return true;
      }
      case LENGTH_VALUE:
        if (byte === SPACE || byte === TAB) {
          if (this.digits > 0) this.valueEnded = true;
          return true;
        }
        if (!isDigit(byte) || this.valueEnded || ++this.digits > MAX_LENGTH_DIGITS) return false;
        this.value = this.value * 10 + (byte - 0x30);
        return true;
      default:
        if (byte === SPACE || byte === TAB) {
          if (this.digits > 0) this.valueEnded = true;
          return true;
        }
        if (this.valueEnded || CHUNKED[this.digits] !== (byte | 0x20)) this.codingMismatch = true;
        this.digits++;
        return true;
    }
  }

  private chunkSizeByte(byte: number): boolean {
    const digit = hexValue(byte);
    if (digit >= 0) {
      if (++this.digits > MAX_CHUNK_SIZE_DIGITS) return false;
      this.value = this.value * 16 + digit;
      return true;
    }
    // Chunk extensions are allowed and ignored.
    if (this.digits > 0 && (byte === SEMICOLON || byte === SPACE || byte === TAB)) {
      this.skipping = true;
      return true;
    }
    return false;
  }

  private endOfLine(): boolean {
    switch (this.line) {
      case STATUS_LINE:
        if (this.lineLength < STATUS_LINE_MIN) return false;
        this.startLine(HEADER_LINE);
        return true;
      case HEADER_LINE:
        if (this.lineLength === 0) return this.endOfHead();
        if (this.field === LENGTH_VALUE) {
          if (this.digits === 0) return false;
          // Two Content-Length headers that disagree leave the body's end unknown.
          if (this.contentLength !== -1 && this.contentLength !== this.value) return false;
          this.contentLength = this.value;
        } else if (this.field === CODING_VALUE) {
          if (!this.codingMismatch && this.digits === CHUNKED.length) this.chunked = true;
          else this.otherCoding = true;
        }
        this.startLine(HEADER_LINE);
        return true;
      case CHUNK_SIZE_LINE:
        if (this.digits === 0) return false;
        if (this.value === 0) {
          this.startLine(TRAILER_LINE);
        } else {
          this.remaining = this.value;
          this.startLine(CHUNK_END_LINE);
        }
        return true;
      case CHUNK_END_LINE:
        this.startLine(CHUNK_SIZE_LINE);
        return true;
      default:
        if (this.lineLength === 0) this.complete();
        else this.startLine(TRAILER_LINE);
        return true;
    }
  }

  private endOfHead(): boolean {
    const status = this.status;
    // These never have a body, whatever their headers say.
    if (status < 200 || status === 204 || status === 304) {
      this.complete();
      return true;
    }
    if (this.otherCoding) return false;
    if (this.chunked) {
      this.startLine(CHUNK_SIZE_LINE);
      return true;
    }
    // Without a length the body runs to the connection's close: nothing can follow it.
    if (this.contentLength === -1) return false;
    if (this.contentLength === 0) {
      this.complete();
      return true;
    }
    this.remaining = this.contentLength;
    return true;
  }

  private collect(bytes: Buffer, from: number, count: number): void {
    const length = this.bodyLength;
    if (length + count <= MAX_ANSWER_BYTES) {
      // A loop, not Buffer.copy: zen bodies are a few bytes, where a native call costs more.
      for (let offset = 0; offset < count; offset++) this.body[length + offset] = bytes[from + offset]!;
    }
    this.bodyLength = length + count;
  }

  private complete(): void {
    const right = this.checker.isRight(this.status, this.body, this.bodyLength);
    this.startResponse();
    this.onAnswer(right);
  }

  private startResponse(): void {
    this.status = 0;
    this.contentLength = -1;
    this.chunked = false;
    this.otherCoding = false;
    this.bodyLength = 0;
    this.remaining = 0;
    this.headBytes = 0;
    this.startLine(STATUS_LINE);
  }

  private startLine(line: number): void {
    this.line = line;
    this.lineLength = 0;
    this.skipping = false;
    this.field = NAME;
    this.nameMatch = MAYBE_LENGTH | MAYBE_CODING;
    this.digits = 0;
    this.value = 0;
    this.valueEnded = false;
    this.codingMismatch = false;
  }

  private fail(): false {
    this.broken = true;
    return false;
  }
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
