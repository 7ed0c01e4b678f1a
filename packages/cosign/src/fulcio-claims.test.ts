import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@ocx/testkit';
import { certWithExtensions } from '@ocx/testkit/pki';
import { fulcioClaimOid, fulcioClaims, githubFacts } from './fulcio-claims.ts';
import { createTrust, verifyBundle } from './index.ts';

// Fulcio claim extensions (sigstore/fulcio docs/oid-info.md): v1 (.1.2–.1.6) raw strings, v2
// (.1.8 and later) DER UTF8String. The real certificate is the sigstore-conformance beacon's,
// issued by public-good Fulcio to a GitHub Actions run (fixtures/SOURCES.md).
const cases = fixturePath('sigstore-conformance/test/assets/bundle-verify');
const productionRoot = readFileSync(fixturePath('sigstore-js/derived-production-tuf/trusted_root.json'));
const BEACON = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon';
const ARC = '1.3.6.1.4.1.57264.1';

const utf8 = (s: string): Uint8Array => {
  const b = Buffer.from(s, 'utf8');
  return Uint8Array.from([0x0c, b.length, ...b]); // short-form length: test values stay < 128 bytes
};
const raw = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'utf8'));

describe('Fulcio claims of a real GitHub Actions certificate', () => {
  it('verifyBundle reports every claim of the verified leaf, v1 and v2', () => {
    const v = verifyBundle(readFileSync(join(cases, 'happy-path-v0.3/bundle.sigstore.json')), {
      trust: createTrust({ trustedRoot: productionRoot }),
      artifact: readFileSync(join(cases, 'a.txt')),
      identity: { subject: `${BEACON}/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main`, issuer: 'https://token.actions.githubusercontent.com' },
    });
    expect(v.ok, v.reasons.join('; ')).toBe(true);
    expect(v.signer?.claims).toMatchObject({
      githubWorkflowTrigger: 'workflow_dispatch',
      githubWorkflowSha: 'c7b3dfb335f051e1c86bda4c716fac97df62ad81',
      githubWorkflowName: 'Extremely dangerous OIDC beacon',
      githubWorkflowRepository: 'sigstore-conformance/extremely-dangerous-public-oidc-beacon',
      githubWorkflowRef: 'refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
      buildSignerUri: `${BEACON}/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main`,
      buildSignerDigest: 'c7b3dfb335f051e1c86bda4c716fac97df62ad81',
      runnerEnvironment: 'github-hosted',
      sourceRepositoryUri: BEACON,
      sourceRepositoryRef: 'refs/heads/main',
      sourceRepositoryIdentifier: '632596897',
      sourceRepositoryOwnerUri: 'https://github.com/sigstore-conformance',
      buildTrigger: 'workflow_dispatch',
      runInvocationUri: `${BEACON}/actions/runs/8347481628/attempts/1`,
      sourceRepositoryVisibilityAtSigning: 'public',
    });
    expect(githubFacts(v.signer!.claims!)).toEqual({
      repository: BEACON,
      workflowRef: 'refs/heads/main',
      runner: 'github-hosted',
      from: { repository: `${ARC}.12`, workflowRef: `${ARC}.14`, runner: `${ARC}.11` },
    });
  });

  it('a certificate from another OIDC provider carries no GitHub facts', () => {
    const v = verifyBundle(readFileSync(fixturePath('sigstore-js/tests/bundles/bundleV03-dsse.sigstore')), {
      trust: createTrust({ trustedRoot: productionRoot }),
      identity: { subject: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth' },
    });
    expect(v.ok, v.reasons.join('; ')).toBe(true);
    expect(v.signer?.claims?.sourceRepositoryUri).toBeUndefined();
    expect(githubFacts(v.signer?.claims ?? {})).toEqual({});
  });
});

describe('fulcioClaims / githubFacts on minted certificates', () => {
  it('falls back to the deprecated v1 extensions (raw strings) when the v2 claims are absent', async () => {
    const der = await certWithExtensions([
      { oid: `${ARC}.5`, value: raw('acme/tool') },
      { oid: `${ARC}.6`, value: raw('refs/tags/v1.2.3') },
      { oid: `${ARC}.2`, value: raw('push') },
    ]);
    const claims = fulcioClaims(X509Certificate.parse(Buffer.from(der)));
    expect(claims).toEqual({ githubWorkflowRepository: 'acme/tool', githubWorkflowRef: 'refs/tags/v1.2.3', githubWorkflowTrigger: 'push' });
    expect(githubFacts(claims)).toEqual({ repository: 'acme/tool', workflowRef: 'refs/tags/v1.2.3', from: { repository: `${ARC}.5`, workflowRef: `${ARC}.6` } });
  });

  it('prefers the v2 claims over v1', async () => {
    const der = await certWithExtensions([
      { oid: `${ARC}.5`, value: raw('acme/old') },
      { oid: `${ARC}.12`, value: utf8('https://github.com/acme/tool') },
      { oid: `${ARC}.14`, value: utf8('refs/heads/main') },
      { oid: `${ARC}.11`, value: utf8('self-hosted') },
    ]);
    expect(githubFacts(fulcioClaims(X509Certificate.parse(Buffer.from(der))))).toMatchObject({ repository: 'https://github.com/acme/tool', workflowRef: 'refs/heads/main', runner: 'self-hosted' });
  });

  it('a v2 claim not encoded as a DER UTF8String is absent (fail closed), never read raw', async () => {
    const der = await certWithExtensions([
      { oid: `${ARC}.12`, value: raw('https://github.com/acme/tool') },
      { oid: `${ARC}.11`, value: Uint8Array.from([0x13, 11, ...Buffer.from('self-hosted')]) }, // PrintableString
    ]);
    expect(fulcioClaims(X509Certificate.parse(Buffer.from(der)))).toEqual({});
  });

  it('names the OID of each claim', () => {
    expect(fulcioClaimOid('runnerEnvironment')).toBe('1.3.6.1.4.1.57264.1.11');
    expect(fulcioClaimOid('githubWorkflowRef')).toBe('1.3.6.1.4.1.57264.1.6');
  });
});

describe('cosign --certificate-github-workflow-* (identity.githubWorkflow) on the real certificate', () => {
  const verify = (githubWorkflow: Record<string, string>) =>
    verifyBundle(readFileSync(join(cases, 'happy-path-v0.3/bundle.sigstore.json')), {
      trust: createTrust({ trustedRoot: productionRoot }),
      artifact: readFileSync(join(cases, 'a.txt')),
      identity: { subject: `${BEACON}/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main`, issuer: 'https://token.actions.githubusercontent.com', githubWorkflow },
    });

  it('every v1 claim equal → ok', () => {
    const v = verify({ trigger: 'workflow_dispatch', sha: 'c7b3dfb335f051e1c86bda4c716fac97df62ad81', name: 'Extremely dangerous OIDC beacon', repository: 'sigstore-conformance/extremely-dangerous-public-oidc-beacon', ref: 'refs/heads/main' });
    expect(v.ok, v.reasons.join('; ')).toBe(true);
  });

  it('a differing claim fails, naming the extension, expected and found (exact: no URL form, as cosign)', () => {
    const v = verify({ repository: BEACON, trigger: 'push' });
    expect(v.ok).toBe(false);
    expect(v.reasons.join('\n')).toContain('GitHub Workflow Trigger (1.3.6.1.4.1.57264.1.2): expected "push", found "workflow_dispatch"');
    expect(v.reasons.join('\n')).toContain(`GitHub Workflow Repository (1.3.6.1.4.1.57264.1.5): expected "${BEACON}", found "sigstore-conformance/extremely-dangerous-public-oidc-beacon"`);
  });
});

