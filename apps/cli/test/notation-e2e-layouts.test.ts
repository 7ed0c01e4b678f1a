import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { copyLayout, E2E, layoutDir, makeNotationConfig, policyFile, registryTargets } from './notation-helpers.ts';

// notation's own e2e layouts, copied into a registry, verified under notation's e2e trust
// policies; expected verdicts from notation's e2e suite (fixtures SOURCES.md).

const key = (f: string) => fixturePath(E2E, 'config/localkeys', f);
const TIME = ['--verification-time', '2025-06-01T00:00:00Z'];
const LAYOUTS = ['e2e', 'e2e-valid-signature', 'e2e-valid-multiple-signatures', 'e2e-expired-signature', 'e2e-invalid-signature', 'e2e-with-expired-cert'];

interface Row {
  readonly layout: string;
  readonly policy: string;
  readonly cert: string;
  /** Exit code: 0 pass, 65 a signature failed, 79 no signature. */
  readonly code: number;
  /** Substring the report must show. */
  readonly says?: RegExp;
}

const ROWS: Row[] = [
  { layout: 'e2e', policy: 'trustpolicy.json', cert: 'e2e.crt', code: 79, says: /no signatures found/ },
  { layout: 'e2e-valid-signature', policy: 'trustpolicy.json', cert: 'e2e.crt', code: 0, says: /✓ notation signature/ },
  { layout: 'e2e-valid-signature', policy: 'trustpolicy.json', cert: 'new_e2e.crt', code: 65, says: /authenticity validation failed/ },
  { layout: 'e2e-valid-signature', policy: 'permissive_trustpolicy.json', cert: 'new_e2e.crt', code: 65, says: /authenticity validation failed/ },
  { layout: 'e2e-valid-signature', policy: 'audit_trustpolicy.json', cert: 'new_e2e.crt', code: 0, says: /authenticity validation failed \(logged, level audit\)/ },
  { layout: 'e2e-valid-signature', policy: 'skip_trustpolicy.json', cert: 'new_e2e.crt', code: 0, says: /notation-skipped-by-policy/ },
  { layout: 'e2e-valid-multiple-signatures', policy: 'trustpolicy.json', cert: 'e2e.crt', code: 0 },
  { layout: 'e2e-expired-signature', policy: 'trustpolicy.json', cert: 'e2e.crt', code: 65, says: /expiry validation failed: digital signature has expired/ },
  { layout: 'e2e-expired-signature', policy: 'permissive_trustpolicy.json', cert: 'e2e.crt', code: 0, says: /expiry validation failed \(logged, level permissive\)/ },
  { layout: 'e2e-expired-signature', policy: 'audit_trustpolicy.json', cert: 'e2e.crt', code: 0, says: /logged, level audit/ },
  { layout: 'e2e-expired-signature', policy: 'skip_trustpolicy.json', cert: 'e2e.crt', code: 0, says: /skipped/ },
  { layout: 'e2e-invalid-signature', policy: 'trustpolicy.json', cert: 'e2e.crt', code: 65, says: /integrity validation failed/ },
  { layout: 'e2e-invalid-signature', policy: 'permissive_trustpolicy.json', cert: 'e2e.crt', code: 65, says: /integrity validation failed/ },
  { layout: 'e2e-invalid-signature', policy: 'audit_trustpolicy.json', cert: 'e2e.crt', code: 65, says: /integrity validation failed/ },
  { layout: 'e2e-invalid-signature', policy: 'skip_trustpolicy.json', cert: 'e2e.crt', code: 0, says: /skipped/ },
  { layout: 'e2e-with-expired-cert', policy: 'trustpolicy.json', cert: 'expired_e2e.crt', code: 65, says: /authenticTimestamp validation failed/ },
  { layout: 'e2e-with-expired-cert', policy: 'permissive_trustpolicy.json', cert: 'expired_e2e.crt', code: 0, says: /authenticTimestamp validation failed \(logged/ },
  { layout: 'e2e-with-expired-cert', policy: 'audit_trustpolicy.json', cert: 'expired_e2e.crt', code: 0 },
  { layout: 'e2e-with-expired-cert', policy: 'skip_trustpolicy.json', cert: 'expired_e2e.crt', code: 0 },
];

for (const target of registryTargets) {
  describe.skipIf(!target.available)(`notation e2e layouts in ${target.name}`, () => {
    let reg: { host: string; stop(): Promise<void> };
    beforeAll(async () => {
      reg = await target.start();
      for (const l of LAYOUTS) await copyLayout(l, reg.host, l);
    }, 60_000);
    afterAll(async () => reg?.stop());

    it.each(ROWS)('$layout under $policy with $cert → exit $code', async (row) => {
      const config = await makeNotationConfig(row.policy, { 'ca:e2e': [key(row.cert)] });
      const r = await ocx(['verify', `${reg.host}/${row.layout}:v1`, '--notation-config', config, '--no-cache', ...TIME]);
      expect(r.code, r.stdout + r.stderr).toBe(row.code);
      if (row.says) expect(r.stdout).toMatch(row.says);
    });

    it('JSON report: statement, per-check enforce/log and outcome, signer, signing time', async () => {
      const config = await makeNotationConfig('permissive_trustpolicy.json', { 'ca:e2e': [key('e2e.crt')] });
      const r = await ocx(['verify', `${reg.host}/e2e-expired-signature:v1`, '--notation-config', config, '--no-cache', '--format', 'json', ...TIME]);
      expect(r.code).toBe(0);
      const sig = JSON.parse(r.stdout).results[0].targets[0].signatures[0];
      expect(sig).toMatchObject({ family: 'notation', format: 'notation-jws', ok: true, policy: 'e2e (level permissive)', identity: 'CN=e2e, O=Notary, L=Seattle, ST=WA, C=US' });
      expect(sig.signingTime).toMatch(/^2023-06-27T/);
      expect(sig.checks).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'integrity', outcome: 'pass', action: 'enforce' }),
          expect.objectContaining({ name: 'authenticity', outcome: 'pass', action: 'enforce' }),
          expect.objectContaining({ name: 'expiry', outcome: 'fail', action: 'log' }),
        ]),
      );
    });

    it('--user-metadata must be in the signed payload', async () => {
      const config = await makeNotationConfig('trustpolicy.json', { 'ca:e2e': [key('e2e.crt')] });
      const r = await ocx(['verify', `${reg.host}/e2e-valid-signature:v1`, '--notation-config', config, '--no-cache', '--user-metadata', 'k=v', ...TIME]);
      expect(r.code).toBe(65);
      expect(r.stdout).toMatch(/metadata k=v/);
    });

    it('--trust-policy FILE --trust-store DIR', async () => {
      const config = await makeNotationConfig('trustpolicy.json', { 'ca:e2e': [key('e2e.crt')] });
      const r = await ocx(['verify', `${reg.host}/e2e-valid-signature:v1`, '--trust-policy', policyFile('trustpolicy.json'), '--trust-store', `${config}/truststore`, '--no-cache', ...TIME]);
      expect(r.code, r.stdout).toBe(0);
    });

    it('no applicable statement: exit 78 naming the reference and the policy file', async () => {
      const config = await makeNotationConfig('registry_scope_trustpolicy.json', { 'ca:e2e': [key('e2e.crt')] });
      const r = await ocx(['verify', `${reg.host}/e2e-valid-signature:v1`, '--notation-config', config, '--no-cache', ...TIME]);
      expect(r.code).toBe(78);
      expect(r.stdout).toContain(`${reg.host}/e2e-valid-signature`);
      expect(r.stdout).toContain(`${config}/trustpolicy.json`);
    });
  });
}

// The two timestamped layouts carry testcert7 (self-signed, not shipped as a trust store file): its
// certificate is taken from the envelope's x5c. The countersigning TSA (Microsoft) is not among the
// e2e tsa roots, so a policy that verifies timestamps fails authenticTimestamp.
async function leafFromLayout(name: string, envelopeDigest: string): Promise<string> {
  const jws = JSON.parse(await readFile(join(layoutDir(name), 'blobs', 'sha256', envelopeDigest), 'utf8')) as { header: { x5c: string[] } };
  const dir = await mkdtemp(join(tmpdir(), 'ocx-testcert7-'));
  const file = join(dir, 'testcert7.crt');
  await writeFile(file, `-----BEGIN CERTIFICATE-----\n${jws.header.x5c[0]!.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`);
  return file;
}

const TSA_ROOTS = ['globalsignTSARoot.cer', 'DigiCertTSARootSHA384.cer'].map((f) => fixturePath(E2E, 'config/timestamp', f));
const TS_ROWS = [
  { layout: 'e2e-with-timestamped-signature', policy: 'trustpolicy.json', at: '2025-01-21T10:00:00Z', code: 0 },
  { layout: 'e2e-with-timestamped-signature', policy: 'trustpolicy.json', at: '2025-06-01T00:00:00Z', code: 65, says: /expiry validation failed/ },
  { layout: 'e2e-with-timestamped-signature', policy: 'timestamp_trustpolicy.json', at: '2025-01-21T10:00:00Z', code: 65, says: /authenticTimestamp validation failed/ },
  { layout: 'e2e-with-timestamped-signature', policy: 'timestamp_after_cert_expiry_trustpolicy.json', at: '2025-01-21T10:00:00Z', code: 0 },
  { layout: 'e2e-with-invalid-timestamped-signature', policy: 'trustpolicy.json', at: '2025-01-21T10:00:00Z', code: 0 },
  { layout: 'e2e-with-invalid-timestamped-signature', policy: 'timestamp_trustpolicy.json', at: '2025-01-21T10:00:00Z', code: 65, says: /authenticTimestamp validation failed/ },
];

for (const target of registryTargets) {
  describe.skipIf(!target.available)(`notation e2e timestamped layouts in ${target.name}`, () => {
    let reg: { host: string; stop(): Promise<void> };
    let testcert7: string;
    beforeAll(async () => {
      reg = await target.start();
      for (const l of ['e2e-with-timestamped-signature', 'e2e-with-invalid-timestamped-signature']) await copyLayout(l, reg.host, l);
      testcert7 = await leafFromLayout('e2e-with-timestamped-signature', '603ff134e97a' + (await readdir(join(layoutDir('e2e-with-timestamped-signature'), 'blobs', 'sha256'))).find((f) => f.startsWith('603ff134e97a'))!.slice(12));
    }, 60_000);
    afterAll(async () => reg?.stop());

    it.each(TS_ROWS)('$layout under $policy at $at → exit $code', async (row) => {
      const config = await makeNotationConfig(row.policy, { 'ca:e2e': [testcert7], 'tsa:e2e': TSA_ROOTS });
      const r = await ocx(['verify', `${reg.host}/${row.layout}:v1`, '--notation-config', config, '--no-cache', '--verification-time', row.at]);
      expect(r.code, r.stdout + r.stderr).toBe(row.code);
      if (row.says) expect(r.stdout).toMatch(row.says);
    });
  });
}

describe('invalid e2e trust policies', async () => {
  // Refused when the policy is read. notation accepts the other "invalid_*" files and fails later
  // (policy/corpus.test.ts): they are checked one by one below.
  const LATER = ['overlapped_trust_store_trustpolicy.json', 'invalid_registry_scope_trustpolicy.json', 'invalid_trusted_identity_trustpolicy.json', 'invalid_trust_store_trustpolicy.json'];
  const bad = (await readdir(fixturePath(E2E, 'config/trustpolicies'))).filter(
    (f) => /^(invalid|malformed|empty|missing|unset|multi_statements_with_the_same|overlapped|wildcard_plus_other)_/.test(f) && !LATER.includes(f),
  );
  let reg: { host: string; stop(): Promise<void> };
  beforeAll(async () => {
    reg = await registryTargets[0]!.start();
    await copyLayout('e2e-valid-signature', reg.host, 'valid');
  });
  afterAll(async () => reg?.stop());

  it.each(bad)('%s is rejected with exit 78 naming the file and the problem', async (file) => {
    const config = await makeNotationConfig(file, { 'ca:e2e': [key('e2e.crt')] });
    const r = await ocx(['verify', `${reg.host}/valid:v1`, '--notation-config', config, '--no-cache', ...TIME]);
    expect(r.code, r.stdout).toBe(78);
    expect(r.stdout).toContain(`trust policy ${config}/trustpolicy.json`);
    expect(r.stdout).toMatch(/is invalid|not valid JSON/);
  });

  it.each([
    ['invalid_registry_scope_trustpolicy.json', 78, /no trust policy applies to "127\.0\.0\.1:\d+\/valid"/],
    ['invalid_trust_store_trustpolicy.json', 78, /trust store ca:\S+ .* does not exist/],
    ['invalid_trusted_identity_trustpolicy.json', 65, /authenticity validation failed: .*matches none of the trusted identities/],
  ] as const)('%s fails at verification (exit %i)', async (file, code, says) => {
    const config = await makeNotationConfig(file, { 'ca:e2e': [key('e2e.crt')] });
    const r = await ocx(['verify', `${reg.host}/valid:v1`, '--notation-config', config, '--no-cache', ...TIME]);
    expect(r.code, r.stdout).toBe(code);
    expect(r.stdout).toMatch(says);
  });
});
