// pnpm conformance:sigstore [--cases DIR] [--sigstore-js DIR] [--root FILE]
// Runs the sigstore-conformance bundle-verify corpus (and the sigstore-js test bundles) through
// @ocx/cosign; the last line is "N passed, M failed"; exit 1 if any case disagrees.
import { join } from 'node:path';
import { fixturesDir, scriptArgs } from '@ocx/testkit';
import { listConformanceCases, loadConformanceCase, loadSigstoreJsCases, runCase, type CaseInput } from './conformance-cases.ts';

const { values } = scriptArgs({
  name: 'conformance:sigstore',
  usage: 'pnpm conformance:sigstore -- [--cases DIR] [--sigstore-js DIR] [--root FILE] [--verbose]',
  options: {
    cases: { type: 'string' },
    'sigstore-js': { type: 'string' },
    root: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
  },
}) as { values: { cases?: string; 'sigstore-js'?: string; root?: string; verbose?: boolean } };
const fixtures = fixturesDir();
const casesDir = values.cases ?? join(fixtures, 'sigstore-conformance/test/assets/bundle-verify');
const productionRoot = values.root ?? join(fixtures, 'sigstore-js/derived-production-tuf/trusted_root.json');
const jsDir = values['sigstore-js'] ?? (values.cases ? undefined : join(fixtures, 'sigstore-js/tests/bundles'));

const inputs: CaseInput[] = listConformanceCases(casesDir).map((n) => loadConformanceCase(casesDir, n, productionRoot));
if (jsDir) inputs.push(...loadSigstoreJsCases(jsDir, productionRoot));

let passed = 0;
let failed = 0;
for (const input of inputs) {
  const r = runCase(input);
  if (r.ok) passed++;
  else failed++;
  const mark = r.ok ? 'ok  ' : 'FAIL';
  const want = r.expectPass ? 'expect pass' : 'expect fail';
  if (!r.ok || values.verbose) console.log(`${mark} ${r.name} (${want}): ${r.detail}`);
  else console.log(`${mark} ${r.name}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
