/**
 * Option parsing and user-facing errors: the layer below the CLI, the views and every subsystem
 * that validates what a user typed, so each does it the same way without reaching up into `cli/`.
 */
export { numberIn, numberListIn, oneOf, seedOption, type NumberRange } from './optionParsers.ts';
export { listOf } from './listOf.ts';
export { UserFacingError } from './userFacingError.ts';
