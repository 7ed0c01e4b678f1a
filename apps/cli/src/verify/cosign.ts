// The cosign family lives in the engine (@ocx/policy/engine/cosign); this is how the CLI drives it.
import { createCosignFamily as createEngineFamily, type CosignFamilyDeps } from '@ocx/policy/engine/cosign';
import { cliFamily } from './host.ts';
import type { FlagFamily } from './types.ts';

export type { CosignFamilyDeps };

export function createCosignFamily(deps: CosignFamilyDeps = {}): FlagFamily {
  return cliFamily(createEngineFamily(deps));
}

export const cosignFamily: FlagFamily = createCosignFamily();
