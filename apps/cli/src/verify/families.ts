import { FLAG_FAMILIES } from '@ocx/policy/engine';
import { cliFamily } from './host.ts';
import type { FlagFamily } from './types.ts';

// The families trust flags can name, in report order (the engine's FLAG_FAMILIES: each verifier is
// imported only when its family applies).
export const FAMILIES: readonly FlagFamily[] = FLAG_FAMILIES.map(cliFamily);
