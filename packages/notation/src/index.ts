export { NotationError, isNotationError } from './errors.ts';
export type { NotationErrorCode, NotationErrorOptions } from './errors.ts';
export { VALIDATION_TYPES } from './verify/types.ts';
export type { ValidationType, CheckStatus, CheckResult } from './verify/types.ts';
