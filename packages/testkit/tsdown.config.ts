import { defineConfig } from 'tsdown';
import { baseConfig } from '../../tsdown.base.ts';

// `@ocx/testkit/pki` and `/fuzz` are their own entries: only the tests that mint certificates load
// pkijs, only the property suites load fast-check.
export default defineConfig({ ...baseConfig, entry: ['src/index.ts', 'src/pki.ts', 'src/fuzz.ts'] });
