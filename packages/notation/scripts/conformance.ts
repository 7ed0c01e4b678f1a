// pnpm conformance:notation [--verbose]
// Runs the upstream notation corpora in /work/shared/fixtures (notation-go envelopes, notation-core-go
// vectors, tspclient-go tokens) through @ocx/notation and compares with the upstream verdicts recorded in
// fixtures/SOURCES.md. The last line is "N passed, M failed"; exit 1 if any case disagrees.
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { fixturePath, scriptArgs } from '@ocx/testkit';
// Import the modules directly (not src/index.ts) so the corpus run does not depend on unrelated exports.
import { isNotationError } from '../src/errors.ts';
import { parseSignatureEnvelope } from '../src/envelope/parse.ts';
import { parseTimestampToken, verifyTimestampToken, verifyTimestampTokenSignature } from '../src/timestamp/token.ts';
import { parseCertificates, type ParsedCertificate } from '../src/x509/cert.ts';
import { validateCertChain } from '../src/x509/chain.ts';
import type { CheckStatus, ValidationType } from '../src/verify/types.ts';
import { verifyNotationSignature, type NotationVerificationResult, type TrustAnchors, type VerifyNotationOptions } from '../src/verify/verify.ts';
import { parseSignedData, verifySignedAttributes, verifySignedData } from '../src/timestamp/cms.ts';
import { tokenSigningCertificate } from '../src/timestamp/token.ts';

export interface ConformanceCase {
  readonly name: string;
  /** Resolves to undefined when ocx agrees with upstream, else a description of the disagreement. */
  readonly run: () => Promise<string | undefined>;
}

const read = (...p: string[]): Uint8Array => new Uint8Array(readFileSync(fixturePath(...p)));
const certs = (...p: string[]): ParsedCertificate[] => parseCertificates(read(...p));
const certsOfDir = (...p: string[]): ParsedCertificate[] =>
  readdirSync(fixturePath(...p)).sort().flatMap((f) => certs(...p, f));
const mediaTypeOf = (b: Uint8Array): string => (b[0] === 0x7b ? 'application/jose+json' : 'application/cose');

type Expect = Partial<Record<ValidationType, CheckStatus | `${CheckStatus}:${string}`>>;

/** Compare per-check outcomes; `failed:CODE` also pins the error code. */
function compare(r: NotationVerificationResult, expect: Expect): string | undefined {
  const bad: string[] = [];
  for (const [type, want] of Object.entries(expect) as [ValidationType, string][]) {
    const got = r.checks[type];
    const [status, code] = want.split(':');
    if (got.status !== status || (code !== undefined && got.code !== code)) {
      bad.push(`${type}: want ${want}, got ${got.status}${got.code ? `:${got.code}` : ''} (${got.reason ?? ''})`);
    }
  }
  return bad.length ? bad.join('; ') : undefined;
}

function expectThrow(fn: () => unknown, code?: string): string | undefined {
  try {
    fn();
  } catch (err) {
    if (code && !(isNotationError(err) && err.code === code)) return `threw ${(err as Error).message}, want code ${code}`;
    return undefined;
  }
  return 'expected a failure, got success';
}

async function expectOk(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return `unexpected failure: ${(err as Error).message}`;
  }
}

// ---------------------------------------------------------------------------------------------
// notation-go: mock envelopes (verifier/verifier_test.go, trust store `valid-trust-store`)
// ---------------------------------------------------------------------------------------------
function notationGoMockCases(): ConformanceCase[] {
  const mock = (f: string) => read('notation-go/internal/mock/testdata', f);
  const ca = certsOfDir('notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store');
  const sa = certsOfDir('notation-go/verifier/testdata/truststore/x509/signingAuthority/valid-trust-store');
  const anchors: TrustAnchors = { ca, signingAuthority: sa };
  const docker = 'application/vnd.docker.distribution.manifest.v2+json';
  const subject60043 = { mediaType: docker, digest: 'sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e', size: 528 };
  const subjectFe7e = { mediaType: docker, digest: 'sha256:fe7e9333395060c2f5e63cf36a38fba10176f183b4163a5794e081a480abba5f', size: 942 };
  const now = new Date('2024-06-01T00:00:00Z');
  const verify = (f: string, opts: Partial<VerifyNotationOptions>) => {
    const b = mock(f);
    return verifyNotationSignature(b, mediaTypeOf(b), { subject: subject60043, trustAnchors: anchors, trustedIdentities: ['*'], now, ...opts });
  };
  const c = (name: string, f: string, expect: Expect, opts: Partial<VerifyNotationOptions> = {}): ConformanceCase => ({
    name: `notation-go mock ${name}`,
    run: async () => compare(await verify(f, opts), expect),
  });
  const pluginHeaders = ['SomeKey', 'io.cncf.notary.verificationPlugin', 'io.cncf.notary.verificationPluginMinVersion'];
  const cases: ConformanceCase[] = [
    c('ca_valid_sig_env PASS', 'ca_valid_sig_env.json', { integrity: 'ok', authenticity: 'ok', authenticTimestamp: 'ok', expiry: 'ok', revocation: 'skipped' }),
    c('sa_valid_sig_env PASS', 'sa_valid_sig_env.json', { integrity: 'ok', authenticity: 'ok', authenticTimestamp: 'ok', expiry: 'ok' }),
    c('ca_expired_sig_env FAIL expiry', 'ca_expired_sig_env.json', { integrity: 'ok', authenticity: 'ok', expiry: 'failed:EXPIRED' }),
    c('sa_expired_sig_env FAIL expiry', 'sa_expired_sig_env.json', { integrity: 'ok', authenticity: 'ok', expiry: 'failed:EXPIRED' }),
    c('ca_invalid_sig_env FAIL integrity', 'ca_invalid_sig_env.json', { integrity: 'failed' }),
    c('sa_invalid_sig_env FAIL integrity', 'sa_invalid_sig_env.json', { integrity: 'failed' }),
    c('ca_valid_sig_env untrusted without ca store', 'ca_valid_sig_env.json', { integrity: 'ok', authenticity: 'failed:UNTRUSTED' }, { trustAnchors: { signingAuthority: sa } }),
    c('sa_valid_sig_env untrusted without signingAuthority store', 'sa_valid_sig_env.json', { integrity: 'ok', authenticity: 'failed:UNTRUSTED' }, { trustAnchors: { ca } }),
    c('ca_valid_sig_env trusted identity match', 'ca_valid_sig_env.json', { authenticity: 'ok' }, { trustedIdentities: ['x509.subject: C=US, ST=WA, O=Notary, CN=Notation Test Root'] }),
    c('ca_valid_sig_env trusted identity mismatch', 'ca_valid_sig_env.json', { authenticity: 'failed:UNTRUSTED' }, { trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme'] }),
    c('ca_valid_sig_env subject digest mismatch', 'ca_valid_sig_env.json', { integrity: 'failed:PAYLOAD_MISMATCH' }, { subject: { ...subject60043, digest: `sha256:${'0'.repeat(64)}` } }),
    c('ca_valid_sig_env subject size mismatch', 'ca_valid_sig_env.json', { integrity: 'failed:PAYLOAD_MISMATCH' }, { subject: { ...subject60043, size: 529 } }),
    // Plugin envelopes: upstream verifies them only through a (mock) verification plugin. ocx runs no
    // plugins, so unknown critical headers fail integrity unless the caller declares it handles them.
    c('ca_plugin_sig_env needs plugin', 'ca_plugin_sig_env.json', { integrity: 'failed:CRIT_UNKNOWN' }),
    c('sa_plugin_sig_env needs plugin', 'sa_plugin_sig_env.json', { integrity: 'failed:CRIT_UNKNOWN' }),
    c('ca_plugin_sig_env with declared headers', 'ca_plugin_sig_env.json', { integrity: 'ok', authenticity: 'ok' }, { knownCriticalHeaders: pluginHeaders }),
    c('sa_plugin_sig_env with declared headers', 'sa_plugin_sig_env.json', { integrity: 'ok', authenticity: 'ok' }, { knownCriticalHeaders: pluginHeaders }),
  ];
  for (const v of ['0.0.9', '1.0.0-alpha.beta', '1.0.0-alpha', '1.0.0', '1.0.1', '1.0.9', '1.1.0-alpha', '1.2.3']) {
    const f = `ca_${['1.0.1', '1.0.9', '1.1.0-alpha', '1.2.3'].includes(v) ? 'in' : ''}compatible_pluginver_sig_env_${v}.json`;
    cases.push(c(`${f} needs plugin`, f, { integrity: 'failed:CRIT_UNKNOWN' }, { subject: subjectFe7e }));
    cases.push(c(`${f} signature with declared headers`, f, { integrity: 'ok', authenticity: 'ok' }, { subject: subjectFe7e, knownCriticalHeaders: pluginHeaders }));
  }
  const meta = { mediaType: docker, digest: 'sha256:5a07385af4e6b6af81b0ebfd435aedccdfa3507f0609c658209e1aba57159b2b', size: 942 };
  cases.push(
    c('sig_env_with_metadata user metadata present', 'sig_env_with_metadata.json', { integrity: 'ok' }, { subject: meta, userMetadata: { 'io.wabbit-networks.buildId': '123' } }),
    c('sig_env_with_metadata user metadata absent', 'sig_env_with_metadata.json', { integrity: 'failed:PAYLOAD_MISMATCH' }, { subject: meta, userMetadata: { 'io.wabbit-networks.buildId': '999' } }),
    c('sig_env_with_metadata leaf expired at now', 'sig_env_with_metadata.json', { integrity: 'ok', authenticTimestamp: 'failed:EXPIRED' }, { subject: meta }),
  );
  return cases;
}

// ---------------------------------------------------------------------------------------------
// notation-go: timestamped envelopes (verifier/timestamp tests; tsa store test-timestamp)
// ---------------------------------------------------------------------------------------------
function notationGoTimestampCases(): ConformanceCase[] {
  const dir = 'notation-go/verifier/testdata/timestamp/sigEnv';
  const ca = certsOfDir('notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store');
  const tsa = certs('notation-go/verifier/testdata/truststore/x509/tsa/test-timestamp/globalsignRoot.cer');
  const tsaMismatch = certs('notation-go/verifier/testdata/truststore/x509/tsa/test-mismatch/DigiCertTSARootSHA384.cer');
  const subject = {
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    digest: 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda',
    size: 528,
  };
  const now = new Date('2025-06-01T00:00:00Z');
  const run = (bytes: Uint8Array, opts: Partial<VerifyNotationOptions>) =>
    verifyNotationSignature(bytes, mediaTypeOf(bytes), { subject, trustAnchors: { ca, tsa }, now, verifyTimestamp: 'always', ...opts });
  const c = (name: string, f: string, expect: Expect, opts: Partial<VerifyNotationOptions> = {}): ConformanceCase => ({
    name: `notation-go timestamp ${name}`,
    run: async () => compare(await run(read(dir, f), opts), expect),
  });
  // Inject a countersignature into the (unsigned) JWS header of withoutTimestamp.sig.
  const inject = (token: Uint8Array): Uint8Array => {
    const env = JSON.parse(new TextDecoder().decode(read(dir, 'withoutTimestamp.sig'))) as { header: Record<string, unknown> };
    env.header['io.cncf.notary.timestampSignature'] = Buffer.from(token).toString('base64');
    return new TextEncoder().encode(JSON.stringify(env));
  };
  const cs = (name: string, f: string): ConformanceCase => ({
    name: `notation-go timestamp countersignature ${f} FAIL`,
    run: async () => compare(await run(inject(read('notation-go/verifier/testdata/timestamp/countersignature', f)), {}), { integrity: 'ok', authenticTimestamp: 'failed:TIMESTAMP_INVALID' }),
  });
  return [
    c('jwsWithTimestamp PASS', 'jwsWithTimestamp.sig', { integrity: 'ok', authenticity: 'ok', authenticTimestamp: 'ok', expiry: 'ok' }),
    c('coseWithTimestamp PASS', 'coseWithTimestamp.sig', { integrity: 'ok', authenticity: 'ok', authenticTimestamp: 'ok', expiry: 'ok' }),
    c('jwsExpiredWithTimestamp PASS (timestamp rescues expired cert)', 'jwsExpiredWithTimestamp.sig', { integrity: 'ok', authenticTimestamp: 'ok' }),
    c('coseExpiredWithTimestamp PASS (timestamp rescues expired cert)', 'coseExpiredWithTimestamp.sig', { integrity: 'ok', authenticTimestamp: 'ok' }),
    c('jwsExpiredWithTimestamp FAIL without tsa store', 'jwsExpiredWithTimestamp.sig', { integrity: 'ok', authenticTimestamp: 'failed:EXPIRED' }, { trustAnchors: { ca } }),
    c('coseExpiredWithTimestamp FAIL without tsa store', 'coseExpiredWithTimestamp.sig', { integrity: 'ok', authenticTimestamp: 'failed:EXPIRED' }, { trustAnchors: { ca } }),
    c('jwsExpiredWithTimestamp PASS afterCertExpiry', 'jwsExpiredWithTimestamp.sig', { authenticTimestamp: 'ok' }, { verifyTimestamp: 'afterCertExpiry' }),
    c('timestampAfterNotAfter FAIL', 'timestampAfterNotAfter.sig', { integrity: 'ok', authenticTimestamp: 'failed:EXPIRED' }),
    c('timestampBeforeNotBefore FAIL', 'timestampBeforeNotBefore.sig', { integrity: 'ok', authenticTimestamp: 'failed:EXPIRED' }),
    c('withoutTimestamp FAIL (verifyTimestamp=always)', 'withoutTimestamp.sig', { integrity: 'ok', authenticity: 'ok', authenticTimestamp: 'failed:TIMESTAMP_INVALID' }),
    c('withoutTimestamp PASS afterCertExpiry (cert still valid)', 'withoutTimestamp.sig', { authenticTimestamp: 'ok' }, { verifyTimestamp: 'afterCertExpiry' }),
    c('jwsWithTimestamp FAIL with mismatched tsa root', 'jwsWithTimestamp.sig', { authenticTimestamp: 'failed:TIMESTAMP_INVALID' }, { trustAnchors: { ca, tsa: tsaMismatch } }),
    c('jwsWithTimestamp FAIL with empty tsa store', 'jwsWithTimestamp.sig', { authenticTimestamp: 'failed:TIMESTAMP_INVALID' }, { trustAnchors: { ca, tsa: [] } }),
    cs('mismatched message', 'TimeStampToken.p7s'),
    cs('invalid TSTInfo', 'TimeStampTokenWithInvalidTSTInfo.p7s'),
    cs('invalid content type', 'TimeStampTokenWithInvalideContentType.p7s'),
    cs('without certificate', 'TimeStampTokenWithoutCertificate.p7s'),
  ];
}

// ---------------------------------------------------------------------------------------------
// notation-go: registry test envelopes over the alpine image in internal/testdata/oci-layout
// ---------------------------------------------------------------------------------------------
function notationGoRegistryCases(): ConformanceCase[] {
  const layout = JSON.parse(new TextDecoder().decode(read('notation-go/internal/testdata/oci-layout/index.json'))) as {
    manifests: { mediaType: string; digest: string; size: number }[];
  };
  const subject = layout.manifests[0] as { mediaType: string; digest: string; size: number };
  return ['jws_signature.sig', 'cose_signature.sig'].map((f) => ({
    name: `notation-go registry ${f} PASS over oci-layout subject`,
    run: async () => {
      const b = read('notation-go/internal/testdata', f);
      const leaf = parseSignatureEnvelope(b, mediaTypeOf(b)).certificateChain;
      const r = await verifyNotationSignature(b, mediaTypeOf(b), {
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
        trustAnchors: { ca: [...leaf] },
        trustedIdentities: ['x509.subject: CN=alpine, O=Notary, ST=WA, C=US'],
        now: new Date('2024-01-01T00:00:00Z'),
      });
      return compare(r, { integrity: 'ok', authenticity: 'ok', authenticTimestamp: 'ok', expiry: 'ok' });
    },
  }));
}

// ---------------------------------------------------------------------------------------------
// notation-core-go: header conformance vectors and certificate material
// ---------------------------------------------------------------------------------------------
function notationCoreCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const jws = read('notation-core-go/signature/jws/testdata/conformance.json');
  cases.push(
    {
      name: 'notation-core-go jws conformance headers',
      run: async () => {
        const e = parseSignatureEnvelope(jws, 'application/jose+json', { headersOnly: true, knownCriticalHeaders: ['signedCritKey1'] });
        const a = e.signedAttributes;
        const got = [e.signatureAlgorithm, a.signingScheme, a.signingTime?.toISOString(), a.expiry?.toISOString(), e.unsignedAttributes.signingAgent, a.extendedAttributes.filter((x) => x.critical).map((x) => x.key).join(',')].join('|');
        const want = 'ES256|notary.x509|2022-08-29T13:50:00.000Z|2099-08-30T13:50:00.000Z|NotationConformanceTest/1.0.0|signedCritKey1';
        return got === want ? undefined : `got ${got}, want ${want}`;
      },
    },
    { name: 'notation-core-go jws conformance: unknown crit rejected', run: async () => expectThrow(() => parseSignatureEnvelope(jws, 'application/jose+json', { headersOnly: true }), 'CRIT_UNKNOWN') },
  );
  const vec = JSON.parse(new TextDecoder().decode(read('notation-core-go/signature/cose/testdata/conformance.json'))) as {
    signingTime: number;
    expiry: number;
    expectedOutput: { cborHex: string };
  };
  const cose = new Uint8Array(Buffer.from(vec.expectedOutput.cborHex, 'hex'));
  cases.push(
    {
      name: 'notation-core-go cose conformance headers',
      run: async () => {
        const e = parseSignatureEnvelope(cose, 'application/cose', { headersOnly: true, knownCriticalHeaders: ['signedCritKey1'] });
        const a = e.signedAttributes;
        const got = [e.signatureAlgorithm, a.signingScheme, a.signingTime?.getTime(), a.expiry?.getTime(), e.unsignedAttributes.signingAgent, new TextDecoder().decode(e.payloadBytes)].join('|');
        const want = `PS384|notary.x509|${vec.signingTime * 1000}|${vec.expiry * 1000}|NotationConformanceTest/1.0.0|hello COSE`;
        return got === want ? undefined : `got ${got}, want ${want}`;
      },
    },
    { name: 'notation-core-go cose conformance: unknown crit rejected', run: async () => expectThrow(() => parseSignatureEnvelope(cose, 'application/cose', { headersOnly: true }), 'CRIT_UNKNOWN') },
    {
      name: 'notation-core-go cose conformance: tampered protected header fails',
      run: async () => {
        // Flip one byte inside the protected bstr: a verifier that re-encoded headers might not notice.
        const t = new Uint8Array(cose);
        t[20] = (t[20] ?? 0) ^ 0x01;
        return expectThrow(() => parseSignatureEnvelope(t, 'application/cose', { headersOnly: true, knownCriticalHeaders: ['signedCritKey1'] }));
      },
    },
  );
  const x = 'notation-core-go/x509/testdata';
  cases.push(
    { name: 'notation-core-go x509 der.der parses (1 cert)', run: async () => (certs(x, 'der.der').length === 1 ? undefined : 'wrong count') },
    { name: 'notation-core-go x509 multi-der.der parses (2 certs)', run: async () => (certs(x, 'multi-der.der').length === 2 ? undefined : 'wrong count') },
    { name: 'notation-core-go x509 multi-pem.crt parses (2 certs)', run: async () => (certs(x, 'multi-pem.crt').length === 2 ? undefined : 'wrong count') },
    { name: 'notation-core-go x509 pem.crt parses (1 cert)', run: async () => (certs(x, 'pem.crt').length === 1 ? undefined : 'wrong count') },
    { name: 'notation-core-go x509 invalid FAIL', run: async () => expectThrow(() => certs(x, 'invalid'), 'CERT_INVALID') },
    {
      name: 'notation-core-go x509 timestamping chain PASS',
      run: async () => expectOk(() => validateCertChain([...certs(x, 'timestamp_leaf.crt'), ...certs(x, 'timestamp_intermediate.crt'), ...certs(x, 'timestamp_root.crt')], 'timestamping')),
    },
    {
      name: 'notation-core-go x509 timestamping chain is not a code-signing chain',
      run: async () => expectThrow(() => validateCertChain([...certs(x, 'timestamp_leaf.crt'), ...certs(x, 'timestamp_intermediate.crt'), ...certs(x, 'timestamp_root.crt')], 'codeSigning'), 'CERT_INVALID'),
    },
    {
      name: 'notation-core-go x509 chain out of order FAIL',
      run: async () => expectThrow(() => validateCertChain([...certs(x, 'timestamp_intermediate.crt'), ...certs(x, 'timestamp_leaf.crt'), ...certs(x, 'timestamp_root.crt')], 'timestamping')),
    },
    {
      name: 'notation-core-go internal/timestamp TimeStampTokenWithInvalidSignature FAIL',
      run: async () =>
        expectThrow(() => verifyTimestampTokenSignature(read('notation-core-go/internal/timestamp/testdata/TimeStampTokenWithInvalidSignature.p7s'), certs('notation-core-go/internal/timestamp/testdata/tsaRootCert.cer')), 'TIMESTAMP_INVALID'),
    },
  );
  return cases;
}

// ---------------------------------------------------------------------------------------------
// tspclient-go: RFC 3161 tokens (token_test.go, timestamp_test.go, internal/cms/signed_test.go)
// ---------------------------------------------------------------------------------------------
function tspclientCases(): ConformanceCase[] {
  const t = (f: string) => read('tspclient-go/testdata', f);
  const root = certs('tspclient-go/testdata/GlobalSignRootCA.crt');
  const message = new TextEncoder().encode('notation');
  const cases: ConformanceCase[] = [
    {
      name: 'tspclient-go TimeStampToken.p7s PASS (genTime 2021-09-17T14:09:10Z ±1s)',
      run: async () => {
        const r = verifyTimestampToken(t('TimeStampToken.p7s'), { message, tsaRoots: root });
        return r.genTime.toISOString() === '2021-09-17T14:09:10.000Z' && r.accuracyMs === 1000 && r.tsaChain.length === 4 ? undefined : `got ${r.genTime.toISOString()} ±${r.accuracyMs}`;
      },
    },
    { name: 'tspclient-go TimeStampToken.p7s FAIL for another message', run: async () => expectThrow(() => verifyTimestampToken(t('TimeStampToken.p7s'), { message: new TextEncoder().encode('other'), tsaRoots: root }), 'TIMESTAMP_INVALID') },
    { name: 'tspclient-go TimeStampToken.p7s FAIL without tsa roots', run: async () => expectThrow(() => verifyTimestampToken(t('TimeStampToken.p7s'), { message, tsaRoots: [] }), 'TIMESTAMP_INVALID') },
    { name: 'tspclient-go SHA1TimeStampToken FAIL (TSTInfo hash)', run: async () => expectThrow(() => verifyTimestampToken(t('SHA1TimeStampToken.p7s'), { message, tsaRoots: root }), 'TIMESTAMP_INVALID') },
    { name: 'tspclient-go TimeStampTokenWithInvalidTSTInfo FAIL', run: async () => expectThrow(() => parseTimestampToken(t('TimeStampTokenWithInvalidTSTInfo.p7s')), 'TIMESTAMP_INVALID') },
    { name: 'tspclient-go TimeStampTokenWithInvalideContentType FAIL', run: async () => expectThrow(() => parseTimestampToken(t('TimeStampTokenWithInvalideContentType.p7s')), 'TIMESTAMP_INVALID') },
    { name: 'tspclient-go TimeStampTokenWithTSTInfoVersion2 FAIL', run: async () => expectThrow(() => verifyTimestampToken(t('TimeStampTokenWithTSTInfoVersion2.p7s'), { message, tsaRoots: root }), 'TIMESTAMP_INVALID') },
  ];
  // Token-level signature verification (SignedToken.Verify) expected to fail.
  for (const f of [
    'TimeStampTokenWithInvalidSignature.p7s',
    'TimeStampTokenWithInvalidSigningCertificateV2.p7s',
    'TimeStampTokenWithMismatchCertHash.p7s',
    'TimeStampTokenWithSHA1CertHash.p7s',
    'TimeStampTokenWithSigningCertificateV1.p7s',
    'TimeStampTokenWithSigningCertificateV1NoCert.p7s',
    'TimeStampTokenWithInvalidSigningCertificateV1.p7s',
    'TimeStampTokenWithSigningCertificateV2NoCert.p7s',
    'TimeStampTokenWithValidAndInvalidSignerInfos.p7s',
    'TimeStampTokenWithWrongSigningCertificateV2IssuerChoiceTag.p7s',
    'TimeStampTokenWithoutCertificate.p7s',
    'TimeStampTokenWithoutSigningCertificate.p7s',
  ]) {
    cases.push({ name: `tspclient-go ${f} FAIL`, run: async () => expectThrow(() => verifyTimestampTokenSignature(t(f), root), 'TIMESTAMP_INVALID') });
  }
  cases.push({
    name: 'tspclient-go TimeStampTokenWithoutSigningCertificateV2IssuerSerial signing certificate lookup PASS',
    run: async () =>
      expectOk(() => {
        const tok = parseTimestampToken(t('TimeStampTokenWithoutSigningCertificateV2IssuerSerial.p7s'));
        const si = tok.signedData.signerInfos[0];
        if (!si) throw new Error('no signer');
        tokenSigningCertificate(tok.signedData, si);
      }),
  });
  // CMS layer (internal/cms/signed_test.go TestVerify): roots = last embedded cert, time 2024-01-09.
  const cms = (f: string) => parseSignedData(read('tspclient-go/internal/cms/testdata', f));
  const cmsVerify = (f: string) => {
    const sd = cms(f);
    return verifySignedData(sd, sd.certificates.slice(-1), new Date('2024-01-09T00:00:00Z'));
  };
  const verifyCases: [string, boolean][] = [
    ['TimeStampToken.p7s', true],
    ['TimeStampTokenWithAnInvalidAndAValidSignerInfo.p7s', true],
    ['TimeStampTokenWithoutCertificate.p7s', false],
    ['TimeStampTokenWithoutSigner.p7s', false],
    ['TimeStampTokenWithSignerVersion2.p7s', false],
    ['TimeStampTokenWithUnknownSignerIssuer.p7s', false],
    ['Sha1SignedData.p7s', false],
    ['TimeStampTokenWithInvalidSignature.p7s', false],
    ['SignedDataWithoutSignedAttributes.p7s', false],
    ['TimeStampTokenWithInvalidContentType.p7s', false],
    ['TimeStampTokenWithInvalidCertificates.p7s', false],
  ];
  for (const [f, pass] of verifyCases) {
    cases.push({ name: `tspclient-go cms ${f} ${pass ? 'PASS' : 'FAIL'}`, run: async () => (pass ? expectOk(() => cmsVerify(f)) : expectThrow(() => cmsVerify(f))) });
  }
  // TestVerifyAttributes: signed-attribute checks alone, chain = the embedded certificates.
  const attrCases: [string, boolean][] = [
    ['TimeStampTokenWithoutSignedAttributeContentType.p7s', false],
    ['TimeStampTokenInvalidSignedAttributeContentType.p7s', false],
    ['TimeStampTokenWithoutSignedAttributeDigest.p7s', false],
    ['TimeStampTokenWithSignedAttributeSHA1.p7s', false],
    ['TimeStampTokenWithInvalidSigningTime.p7s', false],
    ['TimeStampTokenWithSigningTime.p7s', true],
    ['TimeStampTokenWithSigningTimeBeforeExpected.p7s', false],
    ['TimeStampTokenWithoutSignedAttributes.p7s', false],
  ];
  for (const [f, pass] of attrCases) {
    const run = () => {
      const sd = cms(f);
      const si = sd.signerInfos[0];
      if (!si) throw new Error('no signer');
      verifySignedAttributes(sd, si, sd.certificates);
    };
    cases.push({ name: `tspclient-go cms attributes ${f} ${pass ? 'PASS' : 'FAIL'}`, run: async () => (pass ? expectOk(run) : expectThrow(run)) });
  }
  return cases;
}

export function notationConformanceCases(): ConformanceCase[] {
  return [...notationGoMockCases(), ...notationGoTimestampCases(), ...notationGoRegistryCases(), ...notationCoreCases(), ...tspclientCases()];
}

export interface ConformanceOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export async function runNotationConformance(): Promise<ConformanceOutcome[]> {
  const out: ConformanceOutcome[] = [];
  for (const c of notationConformanceCases()) {
    let detail: string | undefined;
    try {
      detail = await c.run();
    } catch (err) {
      detail = `crashed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`;
    }
    out.push(detail === undefined ? { name: c.name, ok: true } : { name: c.name, ok: false, detail });
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = scriptArgs({ name: 'conformance:notation', usage: 'pnpm conformance:notation -- [--verbose]', options: { verbose: { type: 'boolean', short: 'v' } } });
  const results = await runNotationConformance();
  let passed = 0;
  let failed = 0;
  for (const r of results) {
    if (r.ok) passed++;
    else failed++;
    if (!r.ok) console.log(`FAIL ${r.name}: ${r.detail}`);
    else if (values.verbose) console.log(`ok   ${r.name}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

