import { UserFacingError } from '../../options/userFacingError.ts';

/**
 * A queue-mode error meant for the user as is — a bad `--queue` URL or a Redis that cannot be
 * reached. One line, exit code 2: the CLI prints it without a stack (it is a UserFacingError).
 */
export class QueueError extends UserFacingError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'QueueError';
  }
}
