import { defineConfig } from 'tsdown';
import { baseConfig } from '../../tsdown.base.ts';

// `@ocx/notation/config` is the config-dir lookup alone, for callers that must not load the verifier.
// Named entries: package.json's exports name dist/config-dir.mjs (a bare path list kept src/policy/).
export default defineConfig({ ...baseConfig, entry: { index: 'src/index.ts', 'config-dir': 'src/policy/config-dir.ts' } });
