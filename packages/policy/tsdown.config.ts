import { defineConfig } from 'tsdown';
import { baseConfig } from '../../tsdown.base.ts';

// Two entries: the pure core (`.`) and the engine (`./engine`), which callers that name trust by
// flags load without the policy document code.
export default defineConfig({ ...baseConfig, entry: { index: 'src/index.ts', 'engine/index': 'src/engine/index.ts' } });
