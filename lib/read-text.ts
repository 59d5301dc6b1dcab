/** Reading a file a user named, with a failure that can be told in one line. */
import { readFileSync } from 'node:fs';

export type TextOrProblem = { text: string } | { problem: string; missing: boolean };

/** The file's text, or why it cannot be read ('missing' when there is no such file). */
export function readText(path: string): TextOrProblem {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { problem: error instanceof Error ? error.message : String(error), missing };
  }
}
