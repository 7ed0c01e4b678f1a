import { defineConfig } from 'tsdown';
import { baseConfig } from '../../tsdown.base.ts';

// The library (dist/index.mjs) is ESM like every package. The executable is a bundle with every
// dependency inlined, so `npx ocx` and global installs need nothing else: dist/bin/ocx.cjs (a small
// launcher with the shebang) loads dist/bin/cli.cjs and its chunks through V8's code cache. That
// bundle is CommonJS because Node 20 gives a code cache to CommonJS only (launch.ts says why).
const bin = {
  ...baseConfig,
  format: 'cjs',
  dts: false,
  clean: false,
  deps: { alwaysBundle: () => true, onlyBundle: false },
  inputOptions: { resolve: { conditionNames: ['@ocx/source', 'import', 'node', 'default'] } },
  outDir: 'dist/bin',
  // pkijs/asn1js and their helpers (~750 KB) in a chunk of their own: left to itself rolldown merged
  // them into the chunk that holds notation's certificate code, so every notation verify loaded them
  // although only RFC 3161, OCSP and CRL code needs them (issue 12).
  outputOptions: { codeSplitting: { groups: [{ name: 'pkijs', test: /node_modules[\\/]\.pnpm[\\/](pkijs|asn1js|bytestreamjs|@peculiar\+utils|@noble\+hashes)@/ }] } },
} as const;

export default defineConfig([
  baseConfig,
  // Verifiers and the custom-TLS transport load through import() (require() once bundled): as
  // separate chunks they are not even parsed by `ocx discover`.
  { ...bin, entry: { cli: 'src/main.ts' } },
  { ...bin, entry: { ocx: 'src/launch.ts' }, banner: { js: '#!/usr/bin/env node' } },
]);
