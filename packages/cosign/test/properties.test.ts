import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { fixturePath } from '@ocx/testkit';
import { arbitraryBytes, fuzzParams, fuzzTimeout, hostileJsonValue, mutatedBytes, mutatedJson, parsesOrTyped } from '@ocx/testkit/fuzz';
import { describe, expect } from 'vitest';
import { isCosignError, parseBundle, parseStatement } from '../src/index.ts';

// Property suite (issue 10 "Beyond the list"): Sigstore bundles and in-toto statements from a registry
// parse to a value or throw CosignError — never another exception, never a hang.

const enc = new TextEncoder();
const typed = (err: unknown) => isCosignError(err);

function bundleSamples(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const cases = fixturePath('sigstore-conformance/test/assets/bundle-verify');
  for (const c of readdirSync(cases)) {
    const f = join(cases, c, 'bundle.sigstore.json');
    if (existsSync(f)) out.push(readFileSync(f));
  }
  const js = fixturePath('sigstore-js/tests/bundles');
  for (const f of readdirSync(js)) if (f.endsWith('.sigstore')) out.push(readFileSync(join(js, f)));
  out.push(readFileSync(fixturePath('cosign/pkg/cosign/testdata/oci-attestation.sigstore.json')));
  return out;
}

const BUNDLES = bundleSamples();
const BUNDLE_JSON = BUNDLES.flatMap((b) => {
  try {
    return [JSON.parse(new TextDecoder().decode(b)) as unknown];
  } catch {
    return [];
  }
});
const STATEMENTS = [
  readFileSync(fixturePath('sigstore-conformance/test/assets/statement.json')),
  readFileSync(fixturePath('sigstore-js/tests/bundles/statement.json')),
  // The DSSE payloads of the sample bundles: real statements as signers wrote them.
  ...BUNDLE_JSON.flatMap((b) => {
    const payload = (b as { dsseEnvelope?: { payload?: unknown } }).dsseEnvelope?.payload;
    return typeof payload === 'string' ? [Buffer.from(payload, 'base64')] : [];
  }),
];

describe('Sigstore bundles', () => {
  test.prop([fc.oneof(mutatedBytes(BUNDLES), mutatedJson(BUNDLE_JSON).map((s) => enc.encode(s)), arbitraryBytes())], fuzzParams(500))(
    'parseBundle(bytes) returns a bundle or throws CosignError',
    (bytes) => {
      const r = parsesOrTyped(() => parseBundle(bytes), typed);
      if (r.value) expect(['0.1', '0.2', '0.3']).toContain(r.value.version);
    },
    fuzzTimeout(),
  );

  test.prop([fc.oneof(mutatedJson(BUNDLE_JSON).map((s) => JSON.parse(s) as object), hostileJsonValue(), fc.anything())], fuzzParams(300))(
    'parseBundle(value) returns a bundle or throws CosignError',
    (value) => {
      parsesOrTyped(() => parseBundle(value as object), typed);
    },
    fuzzTimeout(),
  );

  test.prop([mutatedJson(BUNDLE_JSON), fc.integer({ min: 1, max: 4096 })], fuzzParams(200))(
    'a small maxBytes is enforced with a typed error, never bypassed',
    (text, maxBytes) => {
      const r = parsesOrTyped(() => parseBundle(text, { maxBytes }), typed);
      if (r.value) expect(text.length).toBeLessThanOrEqual(maxBytes);
    },
    fuzzTimeout(),
  );
});

describe('in-toto statements', () => {
  const json = STATEMENTS.map((b) => JSON.parse(b.toString('utf8')) as unknown);
  test.prop([fc.oneof(mutatedBytes(STATEMENTS), mutatedJson(json).map((s) => enc.encode(s)), arbitraryBytes())], fuzzParams(500))(
    'parseStatement returns a statement or throws CosignError',
    (bytes) => {
      parsesOrTyped(() => parseStatement(bytes), typed);
    },
    fuzzTimeout(),
  );
});
