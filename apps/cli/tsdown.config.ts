import { defineConfig } from 'tsdown';
import { baseConfig } from '../../tsdown.base.ts';

// The CLI ships as one bundled file with a shebang, so `npx ocx` and global installs need nothing else.
export default defineConfig([
  baseConfig,
  {
    ...baseConfig,
    entry: { ocx: 'src/main.ts' },
    dts: false,
    clean: false,
    noExternal: [/.*/],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
