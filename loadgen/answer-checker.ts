/**
 * Whether an HTTP response is the right answer to its question: status 200 and the body the
 * aphorism's answer, byte for byte. Responses come in the order of the questions, so the
 * checker only counts them (question k is aphorism k mod 3).
 */
import { STATUS } from '../protocol/zen-http.js';
import { APHORISM_COUNT, EXPECTED_ANSWERS } from './questions.js';

export class AnswerChecker {
  private phase = 0;

  reset(): void {
    this.phase = 0;
  }

  /** The next response's verdict; `bodyLength` may exceed what `body` holds (a body too long to keep). */
  isRight(status: number, body: Uint8Array, bodyLength: number): boolean {
    const expected = EXPECTED_ANSWERS[this.phase]!;
    this.phase = this.phase + 1 === APHORISM_COUNT ? 0 : this.phase + 1;
    if (status !== STATUS.answered || bodyLength !== expected.length) return false;
    // A loop, not Buffer.compare: the answers are a few bytes, where a native call costs more.
    for (let index = 0; index < bodyLength; index++) if (body[index] !== expected[index]) return false;
    return true;
  }
}
