/** Zen over plain TCP: the bare questions, and answers framed by their '.' (protocol/framer.ts). */
import { Framer } from '../protocol/framer.js';
import { ANSWER_END, MAX_ANSWER_BYTES } from '../protocol/zen.js';
import { APHORISM_COUNT, EXPECTED_ANSWERS, QuestionBatches } from './questions.js';
import type { AnswerCallback, AnswerReader, Wire } from './wire.js';

export function makeTcpWire(maxBatch: number): Wire {
  const batches = new QuestionBatches(maxBatch);
  return {
    questions: (first, count) => batches.batch(first, count),
    reader: (onAnswer) => new TcpAnswerReader(onAnswer),
  };
}

class TcpAnswerReader implements AnswerReader {
  private readonly framer = new Framer(ANSWER_END, MAX_ANSWER_BYTES);
  /** Which aphorism the next answer answers: the answer count mod 3. */
  private phase = 0;
  /** Made once, not per push: the framer calls it for every frame. */
  private readonly onFrame: (frame: Buffer) => void;

  constructor(onAnswer: AnswerCallback) {
    this.onFrame = (frame) => {
      const expected = EXPECTED_ANSWERS[this.phase]!;
      this.phase = this.phase + 1 === APHORISM_COUNT ? 0 : this.phase + 1;
      onAnswer(frame.equals(expected));
    };
  }

  reset(): void {
    this.framer.reset();
    this.phase = 0;
  }

  push(bytes: Buffer): boolean {
    // An answer longer than any the protocol has means the framing is lost.
    return this.framer.push(bytes, this.onFrame);
  }
}
