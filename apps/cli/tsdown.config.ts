import { defineConfig, type UserConfig } from 'tsdown';
import { baseConfig } from '../../tsdown.base.ts';

type Plugin = Extract<NonNullable<UserConfig['plugins']>, { name: string }>;

// Any node that is an ImportExpression (`import(x)`), searched without recursion limits.
function hasImportExpression(node: unknown): boolean {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === null || typeof n !== 'object') continue;
    if ((n as { type?: unknown }).type === 'ImportExpression') return true;
    for (const v of Object.values(n)) if (v !== null && typeof v === 'object') stack.push(v);
  }
  return false;
}

// The launcher runs the bundle through vm.Script, which has no module loader: an `import()` left in
// it would need an (experimental) callback. dynamicImportInCjs: false turns external ones
// (`import('node:https')`) into require() as chunks already are; this check fails the build if any is left.
const noDynamicImport: Plugin = {
  name: 'ocx:no-dynamic-import-in-bin',
  generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type === 'chunk' && hasImportExpression(this.parse(chunk.code))) {
        this.error(`${chunk.fileName} contains import(): the vm.Script launcher (src/launch.ts) cannot load it`);
      }
    }
  },
};

// Nothing at run time comes from the registry: the library entry inlines the workspace packages and
// zod as the executable does (all are devDependencies), so the packed tarball installs offline and
// `npx ocx` fetches one package. Its declarations inline the types it re-exports from them.
const everything = { alwaysBundle: () => true, onlyBundle: false } as const;

// The library (dist/index.mjs) is ESM like every package. The executable is a bundle with every
// dependency inlined, so `npx ocx` and global installs need nothing else: dist/bin/ocx.cjs (a small
// launcher with the shebang) loads dist/bin/cli.cjs and its chunks through V8's code cache. That
// bundle is CommonJS because Node 20 gives a code cache to CommonJS only (launch.ts says why).
const bin: UserConfig = {
  ...baseConfig,
  format: 'cjs',
  dts: false,
  clean: false,
  deps: everything,
  inputOptions: { resolve: { conditionNames: ['@ocx/source', 'import', 'node', 'default'] } },
  outputOptions: {
    dynamicImportInCjs: false,
    // pkijs/asn1js and their helpers (~740 KB) in a chunk of their own: left to itself rolldown merged
    // them into the chunk that holds notation's certificate code, so every notation verify loaded them
    // although only RFC 3161, OCSP and CRL code needs them (issue 12).
    codeSplitting: { groups: [{ name: 'pkijs', test: /node_modules[\\/]\.pnpm[\\/](pkijs|asn1js|bytestreamjs|@peculiar\+utils|@noble\+hashes)@/ }] },
  },
  plugins: [noDynamicImport],
  outDir: 'dist/bin',
};

export default defineConfig([
  { ...baseConfig, deps: everything },
  // Verifiers and the custom-TLS transport load through import() (require() once bundled): as
  // separate chunks they are not even parsed by `ocx discover`.
  { ...bin, entry: { cli: 'src/main.ts' } },
  { ...bin, entry: { ocx: 'src/launch.ts' }, banner: { js: '#!/usr/bin/env node' } },
]);
