import { describe, expect, it } from 'vitest';
import { fixturePath } from '@ocx/testkit';
import {
  listConformanceCases,
  loadConformanceCase,
  loadSigstoreJsCases,
  runCase,
} from '../scripts/conformance-cases.ts';

// The same corpus `pnpm conformance:sigstore` runs (fixtures/SOURCES.md, sigstore-conformance and
// sigstore-js sections). Certificates are historic: every verdict uses the bundle's own signed time.
const casesDir = fixturePath('sigstore-conformance/test/assets/bundle-verify');
const productionRoot = fixturePath('sigstore-js/derived-production-tuf/trusted_root.json');

describe('sigstore-conformance bundle-verify corpus', () => {
  const names = listConformanceCases(casesDir);

  it('has the full corpus', () => {
    expect(names.length).toBeGreaterThanOrEqual(58);
  });

  it.each(names)('%s', (name) => {
    const r = runCase(loadConformanceCase(casesDir, name, productionRoot));
    expect(r.ok, `${name}: ${r.detail}`).toBe(true);
  });
});

describe('sigstore-js test bundles against the production root', () => {
  const cases = loadSigstoreJsCases(fixturePath('sigstore-js/tests/bundles'), productionRoot);

  it('has the nine bundles', () => {
    expect(cases).toHaveLength(9);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = runCase(c);
    expect(r.ok, `${c.name}: ${r.detail}`).toBe(true);
  });
});
