// The notation family lives in the engine (@ocx/policy/engine/notation); this is how the CLI drives it.
import { notationFamily as engineFamily } from '@ocx/policy/engine/notation';
import { cliFamily } from './host.ts';
import type { FlagFamily } from './types.ts';

export const notationFamily: FlagFamily = cliFamily(engineFamily);
