/**
 * A data file that cannot be read as asked: one line naming the file and what is wrong, e.g.
 * `banana shape data.npy: expected a 1-D array, got shape (100, 2)`. The CLI prints the message
 * as is; `path` and `problem` are there for callers that want to rephrase it.
 */
export class DataFileError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'DataFileError';
  }
}
