export { classifyDescriptor, classifyReferrer, describeKind } from './classify.ts';
export type { ReferrerKind } from './classify.ts';
export { CommandFailure, exitCodeFor, ExitCode, UsageError } from './exit-codes.ts';
export type { ExitCodeValue } from './exit-codes.ts';
export { EXIT_CODE_HELP, run } from './run.ts';
export type { Io } from './output.ts';
