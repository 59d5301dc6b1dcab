/**
 * The zen protocol of Foundations of Python Network Programming (3rd ed.), chapter 7.
 * A question is bytes ending with '?'; its answer is bytes ending with '.', no newline.
 * Every server and the load generator take the protocol from here and nowhere else.
 */

export const QUESTION_END = 0x3f; // '?'
export const ANSWER_END = 0x2e; // '.'

/** A question that reaches this many bytes without its '?' is refused and the connection closed. */
export const MAX_QUESTION_BYTES = 1024;

/** The longest answer the server can give; the load generator frames answers with this bound. */
export const MAX_ANSWER_BYTES = 64;

export interface Aphorism {
  readonly question: Buffer;
  readonly answer: Buffer;
}

export const APHORISMS: readonly Aphorism[] = [
  { question: Buffer.from('Beautiful is better than?'), answer: Buffer.from('Ugly.') },
  { question: Buffer.from('Explicit is better than?'), answer: Buffer.from('Implicit.') },
  { question: Buffer.from('Simple is better than?'), answer: Buffer.from('Complex.') },
];

export const UNKNOWN_APHORISM = Buffer.from('Error: unknown aphorism.');
export const QUESTION_TOO_LONG = Buffer.from('Error: question too long.');

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * The answer to one framed question (its '?' included).
 * Leading whitespace is skipped so that a person typing lines into `nc` is understood;
 * the book's client never sends any. Comparing lengths first keeps this allocation-free.
 */
export function answerFor(question: Uint8Array): Buffer {
  let start = 0;
  while (isWhitespace(question[start])) start++;
  const length = question.length - start;
  for (const aphorism of APHORISMS) {
    if (aphorism.question.length !== length) continue;
    if (aphorism.question.compare(question, start) === 0) return aphorism.answer;
  }
  return UNKNOWN_APHORISM;
}
