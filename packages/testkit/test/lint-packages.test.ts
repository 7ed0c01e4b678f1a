import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/index.ts';
import { ATTW_ARGS, publishedPackages } from '../../../scripts/lint-packages.mjs';

// issue 9: publint and @arethetypeswrong/cli pass on every built package in CI. The run itself is
// `pnpm lint:packages` (a build plus a pack per package: too slow for the unit suite); this holds
// its wiring: which packages, which attw profile, pinned tools, and .ci/run running it first.

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

describe('pnpm lint:packages', () => {
  it('covers every published package (and no private one)', () => {
    expect(publishedPackages().map((p) => p.name).sort()).toEqual(['@ocx/cosign', '@ocx/notation', '@ocx/oci', '@ocx/policy', '@ocx/sbom', '@ocx/signer', 'ocx']);
  });

  it('checks the ESM-only profile and pins both tools exactly', () => {
    expect(ATTW_ARGS.join(' ')).toMatch(/--profile esm-only/);
    for (const tool of ['publint', '@arethetypeswrong/cli']) expect(pkg.devDependencies[tool]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.scripts['lint:packages']).toBe('node scripts/bootstrap.mjs lint-packages');
  });

  it('.ci/run runs it before the tests', () => {
    const ci = readFileSync(join(repoRoot, '.ci/run'), 'utf8').split('\n');
    const lint = ci.indexOf('npm run lint:packages');
    expect(lint).toBeGreaterThan(0);
    expect(lint).toBeLessThan(ci.lastIndexOf('npm test'));
  });

  it('every published package ships a README (npm always packs it) and only built files', () => {
    for (const { dir } of publishedPackages()) {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      expect(manifest.files, dir).toContain('dist');
      expect(() => readFileSync(join(dir, 'README.md')), dir).not.toThrow();
    }
  });
});
