import { defineConfig } from 'tsdown';
import { baseConfig } from '../../tsdown.base.ts';

// `@ocx/testkit/pki` is its own entry: only the tests that mint certificates load pkijs.
export default defineConfig({ ...baseConfig, entry: ['src/index.ts', 'src/pki.ts'] });
