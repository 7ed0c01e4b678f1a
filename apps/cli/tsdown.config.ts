import { defineConfig } from 'tsdown';
import { baseConfig } from '../../tsdown.base.ts';

// The CLI ships as one bundled file with a shebang, so `npx ocx` and global installs need nothing
// else; workspace packages are read from source through the @ocx/source condition.
export default defineConfig([
  baseConfig,
  {
    ...baseConfig,
    entry: { ocx: 'src/main.ts' },
    dts: false,
    clean: false,
    deps: { alwaysBundle: () => true, onlyBundle: false },
    inputOptions: { resolve: { conditionNames: ['@ocx/source', 'import', 'node', 'default'] } },
    // Verifiers and the custom-TLS transport load through import(): as separate chunks they are not
    // even parsed by `ocx discover`, which keeps start-up near Node's own.
    outDir: 'dist/bin',
    banner: { js: '#!/usr/bin/env node\nimport { createRequire as __ocxCreateRequire } from "node:module"; const require = __ocxCreateRequire(import.meta.url);' },
  },
]);
