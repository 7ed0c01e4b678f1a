import { defineConfig } from 'tsdown';
import { baseConfig } from '../../tsdown.base.ts';

// Entries: the pure core (`.`), the engine (`./engine`, which callers that name trust by flags load
// without the policy document code) and its two flag-driven families (`./engine/cosign`,
// `./engine/notation`, each loading only its own verifier).
export default defineConfig({ ...baseConfig, entry: { index: 'src/index.ts', 'engine/index': 'src/engine/index.ts', 'engine/cosign': 'src/engine/flags/cosign.ts', 'engine/notation': 'src/engine/flags/notation.ts' } });
