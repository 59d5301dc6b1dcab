/**
 * The bytes the generator sends and expects, made once: the hot path only slices them.
 * Question number k on a connection is aphorism k mod 3, so its expected answer needs no
 * bookkeeping beyond the connection's answer count.
 */
import { APHORISMS } from '../protocol/zen.js';

export const APHORISM_COUNT = APHORISMS.length;
export const QUESTIONS: readonly Buffer[] = APHORISMS.map((aphorism) => aphorism.question);
export const EXPECTED_ANSWERS: readonly Buffer[] = APHORISMS.map((aphorism) => aphorism.answer);

/**
 * Writes of up to `maxBatch` consecutive questions as one contiguous Buffer each.
 * `messages[i]` is what goes on the wire for aphorism i: the bare question over TCP, a whole
 * request over HTTP.
 */
export class QuestionBatches {
  private readonly stream: Buffer;
  /** offsets[i] is where question i of the repeating stream starts. */
  private readonly offsets: Int32Array;

  constructor(
    readonly maxBatch: number,
    private readonly messages: readonly Buffer[] = QUESTIONS,
  ) {
    const count = maxBatch + APHORISM_COUNT;
    const parts: Buffer[] = [];
    this.offsets = new Int32Array(count + 1);
    let offset = 0;
    for (let index = 0; index < count; index++) {
      const message = messages[index % APHORISM_COUNT]!;
      parts.push(message);
      this.offsets[index] = offset;
      offset += message.length;
    }
    this.offsets[count] = offset;
    this.stream = Buffer.concat(parts, offset);
  }

  /** Questions number first .. first+count-1 of a connection, count <= maxBatch. */
  batch(first: number, count: number): Buffer {
    const phase = first % APHORISM_COUNT;
    if (count === 1) return this.messages[phase]!;
    return this.stream.subarray(this.offsets[phase], this.offsets[phase + count]);
  }
}
