/** An error whose message is meant for the user as is: main prints it in one line, no stack, and exits with `exitCode`. */
export class UserFacingError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserFacingError';
  }
}
