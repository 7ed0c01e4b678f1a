// The issue's decision table as pure rows: policy + facts → decision (exit 81 when blocked).
import { describe, expect, it } from 'vitest';
import { decide } from '../src/decide.ts';
import { renderWhy } from '../src/render.ts';
import type { WhyNode } from '../src/decide.ts';
import type { AttestationEvidence, CosignKeyCandidate, CosignKeylessCandidate, Evidence, NotationCandidate, SignatureCandidate } from '../src/evidence.ts';
import { DIGEST, ISSUER, OTHER_DIGEST, RELEASE_ID, policy } from './helpers.ts';

const TARGET = `registry.example/acme/tool@${DIGEST}`;
const P = policy(`
version: 1
signers:
  release-ci: { keyless: { issuer: ${ISSUER}, identity: ${RELEASE_ID}, github: { repository: acme/tool } } }
  release-key: { key: ./keys/release.pub }
  loose-key: { key: ./keys/loose.pub, tlog: optional }
  corp-ca: { notation: { trustStore: ca:acme, identities: ["x509.subject: C=US, ST=WA, O=Acme"] } }
  lenient-ca: { notation: { trustStore: [ca:acme, tsa:ts], identities: ["*"], verification: { level: permissive } } }
  vendor: { extension: { family: acme-sig, config: { tenant: t1 } } }
rules:
  - name: one-of
    scope: registry.example/acme/**
    signatures: { threshold: 1, of: [release-ci, release-key, corp-ca] }
  - name: two-of-three
    scope: registry.example/multi/tool
    signatures: { threshold: 2, of: [release-ci, release-key, corp-ca], required: [corp-ca] }
  - name: provenance
    scope: registry.example/slsa/tool
    signatures: { threshold: 1, of: [release-key] }
    attestations: [{ type: slsaprovenance1, signers: [release-ci], builderId: https://github.com/actions/runner, sourceRef: refs/tags/v1.2.3 }]
  - name: with-sbom
    scope: registry.example/sbom/tool
    signatures: { threshold: 1, of: [release-key] }
    sbom: { required: true, signed: true }
  - name: watching
    scope: registry.example/audit/**
    mode: audit
    signatures: { threshold: 1, of: [release-key] }
  - name: legacy
    scope: registry.example/legacy/tool
    mode: skip
  - name: misc
    scope: other.example
    signatures: { threshold: 1, of: [loose-key, lenient-ca, vendor] }
`);

const key = (over: Partial<CosignKeyCandidate> = {}): CosignKeyCandidate => ({ family: 'cosign', kind: 'key', subjectDigest: DIGEST, key: '/policies/keys/release.pub', tlog: true, source: 'sha256:sig1', ...over });
const keyless = (over: Partial<CosignKeylessCandidate> = {}): CosignKeylessCandidate => ({
  family: 'cosign',
  kind: 'keyless',
  subjectDigest: DIGEST,
  issuer: ISSUER,
  identity: RELEASE_ID,
  github: { repository: 'https://github.com/acme/tool' },
  source: 'sha256:sig2',
  ...over,
});
const notation = (over: Partial<NotationCandidate> = {}): NotationCandidate => ({
  family: 'notation',
  subjectDigest: DIGEST,
  anchors: ['ca:acme'],
  subject: 'CN=release,O=Acme,ST=WA,C=US',
  checks: [
    { type: 'integrity', status: 'ok' },
    { type: 'expiry', status: 'ok' },
    { type: 'authenticTimestamp', status: 'ok' },
    { type: 'revocation', status: 'ok' },
  ],
  source: 'sha256:sig3',
  ...over,
});
const ev = (...signatures: SignatureCandidate[]): Evidence => ({ signatures });

/** Every node of the tree, flattened, for "the why-tree says …" assertions. */
function nodes(n: WhyNode): WhyNode[] {
  return [n, ...(n.children ?? []).flatMap(nodes)];
}
const text = (n: WhyNode): string => nodes(n).map((x) => `${x.label} | ${x.outcome} | ${x.expected ?? ''} | ${x.found ?? ''}`).join('\n');

describe('decision table', () => {
  it('signed by an allowed signer → allowed', () => {
    for (const c of [key(), keyless(), notation()]) {
      const d = decide(P, TARGET, ev(c));
      expect(d).toMatchObject({ allowed: true, exitCode: 0, mode: 'enforce', rule: { name: 'one-of', index: 0 } });
      expect(d.signers).toHaveLength(1);
    }
  });

  it('unsigned → blocked, 81, "no signature found"', () => {
    const d = decide(P, TARGET, ev());
    expect(d).toMatchObject({ allowed: false, exitCode: 81 });
    expect(d.failures[0]).toContain('no signature found');
    expect(d.why.children![0]!.children!.every((n) => n.outcome === 'fail' && n.found?.startsWith('no verified'))).toBe(true);
  });

  it('wrong key → blocked, the why-tree shows expected vs found', () => {
    const d = decide(P, TARGET, ev(key({ key: '/elsewhere/other.pub' })));
    expect(d.exitCode).toBe(81);
    const cand = nodes(d.why).find((n) => n.kind === 'candidate')!;
    expect(cand).toMatchObject({ outcome: 'fail', expected: 'key /policies/keys/release.pub, in the transparency log', found: 'signed with key /elsewhere/other.pub' });
  });

  it('wrong identity, wrong issuer, wrong github repository → blocked', () => {
    for (const [c, says] of [
      [keyless({ identity: 'https://github.com/evil/tool/.github/workflows/release.yml@refs/tags/v1.2.3' }), 'identity differs'],
      [keyless({ issuer: 'https://accounts.google.com' }), 'issuer differs'],
      [keyless({ github: { repository: 'evil/tool' } }), 'github repository "evil/tool"'],
    ] as const) {
      const d = decide(P, TARGET, ev(c));
      expect(d.exitCode).toBe(81);
      expect(text(d.why)).toContain(says);
    }
  });

  it('wrong notation subject or store → blocked', () => {
    const subject = decide(P, TARGET, ev(notation({ subject: 'CN=x,O=Evil,ST=WA,C=US' })));
    expect(subject.exitCode).toBe(81);
    expect(text(subject.why)).toContain('authenticity failed');
    const store = decide(P, TARGET, ev(notation({ anchors: ['ca:other'] })));
    expect(store.exitCode).toBe(81);
    expect(text(store.why)).toContain('not in ca:acme');
  });

  it('a key signature without a log entry counts only where tlog is optional, with a warning', () => {
    expect(decide(P, TARGET, ev(key({ tlog: false }))).exitCode).toBe(81);
    const loose = decide(P, `other.example/x@${DIGEST}`, ev(key({ key: '/policies/keys/loose.pub', tlog: false })));
    expect(loose.allowed).toBe(true);
    expect(loose.warnings[0]).toContain('without a transparency log entry');
  });

  it('a signature over another digest never counts', () => {
    const d = decide(P, TARGET, ev(key({ subjectDigest: OTHER_DIGEST })));
    expect(d.exitCode).toBe(81);
    expect(text(d.why)).toContain(`signs ${OTHER_DIGEST}; not counted`);
  });

  it('an attestation never counts as a signature', () => {
    const d = decide(P, TARGET, ev(keyless({ predicateType: 'https://slsa.dev/provenance/v1' })));
    expect(d.exitCode).toBe(81);
    expect(text(d.why)).toContain('an attestation never counts as a signature');
    expect(decide(P, TARGET, ev(keyless({ predicateType: 'https://sigstore.dev/cosign/sign/v1' }))).allowed).toBe(true);
  });
});

describe('k-of-n across cosign and notation', () => {
  const T = `registry.example/multi/tool@${DIGEST}`;
  it('2-of-3 with a cosign and a notation signer → allowed', () => {
    const d = decide(P, T, ev(keyless(), notation()));
    expect(d).toMatchObject({ allowed: true, signers: ['release-ci', 'corp-ca'] });
  });

  it('2 cosign signers but the required notation signer missing → 81', () => {
    const d = decide(P, T, ev(keyless(), key()));
    expect(d.exitCode).toBe(81);
    expect(d.failures).toEqual(['required signer corp-ca did not verify']);
  });

  it('only one signer → 81, naming the count', () => {
    const d = decide(P, T, ev(notation()));
    expect(d.failures[0]).toBe('1 distinct signer verified (corp-ca), 2 needed of release-ci, release-key, corp-ca');
  });

  it('the same signer twice counts once', () => {
    expect(decide(P, T, ev(notation(), notation({ source: 'sha256:again' }))).exitCode).toBe(81);
  });
});

describe('attestations and SBOMs', () => {
  const T = `registry.example/slsa/tool@${DIGEST}`;
  const prov = (over: Partial<AttestationEvidence> = {}): AttestationEvidence => ({
    predicateType: 'https://slsa.dev/provenance/v1',
    subjectDigests: [DIGEST],
    signer: keyless(),
    builderId: 'https://github.com/actions/runner',
    sourceRef: 'refs/tags/v1.2.3',
    source: 'sha256:att1',
    ...over,
  });
  const withAtt = (...attestations: AttestationEvidence[]): Evidence => ({ signatures: [key()], attestations });

  it('provenance from the right builder, signed by the named signer → allowed', () => {
    expect(decide(P, T, withAtt(prov())).allowed).toBe(true);
  });

  it('wrong builder id → 81, expected vs found', () => {
    const d = decide(P, T, withAtt(prov({ builderId: 'https://evil.example/builder' })));
    expect(d.exitCode).toBe(81);
    const n = nodes(d.why).find((x) => x.label === 'attestation sha256:att1')!;
    expect(n).toMatchObject({ outcome: 'fail', expected: 'builder id "https://github.com/actions/runner"', found: 'builder id "https://evil.example/builder"' });
  });

  it('statement subject must be the pinned digest; signer must be named; ref must match', () => {
    expect(text(decide(P, T, withAtt(prov({ subjectDigests: [OTHER_DIGEST] }))).why)).toContain(`subject ${OTHER_DIGEST}`);
    expect(decide(P, T, withAtt(prov({ signer: key() }))).exitCode).toBe(81);
    expect(decide(P, T, withAtt(prov({ sourceRef: 'refs/heads/main' }))).exitCode).toBe(81);
  });

  it('no attestation of the type → 81 listing the types checked', () => {
    const d = decide(P, T, withAtt(prov({ predicateType: 'https://spdx.dev/Document' })));
    expect(d.failures[0]).toBe('attestations[0]: no slsaprovenance1 (https://slsa.dev/provenance/v1) attestation; checked the predicate types: https://spdx.dev/Document');
  });

  const S = `registry.example/sbom/tool@${DIGEST}`;
  it('SBOM required and absent → 81', () => {
    const d = decide(P, S, ev(key()));
    expect(d.exitCode).toBe(81);
    expect(d.failures).toEqual(['sbom: no SBOM found']);
  });

  it('SBOM present but unsigned when signed is required → 81; signed by a rule signer → allowed', () => {
    expect(decide(P, S, { signatures: [key()], sboms: [{ format: 'spdx-json', subjectDigest: DIGEST, signers: [] }] }).failures).toEqual(['sbom: no SBOM signed by one of release-key']);
    expect(decide(P, S, { signatures: [key()], sboms: [{ format: 'spdx-json', subjectDigest: DIGEST, signers: [key()] }] }).allowed).toBe(true);
  });
});

describe('modes and unmatched targets', () => {
  it('audit runs every check and allows with one warning naming the failures', () => {
    const d = decide(P, `registry.example/audit/x@${DIGEST}`, ev());
    expect(d).toMatchObject({ allowed: true, exitCode: 0, mode: 'audit' });
    expect(d.failures).toHaveLength(1);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toContain('audit: rule "watching" would block');
    expect(d.why.outcome).toBe('warn');
  });

  it('skip (exact repository only) allows without checks, with a warning', () => {
    const d = decide(P, `registry.example/legacy/tool@${DIGEST}`, ev());
    expect(d).toMatchObject({ allowed: true, mode: 'skip', exitCode: 0 });
    expect(d.why.outcome).toBe('skip');
  });

  it('no rule covers the target → denied by default', () => {
    const d = decide(P, `nowhere.example/x@${DIGEST}`, ev(key()));
    expect(d).toMatchObject({ allowed: false, mode: 'unmatched', exitCode: 81 });
    const warn = policy('version: 1\ndefaults: { unmatched: warn }\n');
    expect(decide(warn, `nowhere.example/x@${DIGEST}`, ev())).toMatchObject({ allowed: true, warnings: [expect.stringContaining('allowed unverified')] });
  });

  it('needs the pinned digest', () => {
    expect(() => decide(P, 'registry.example/acme/tool:1.0', ev())).toThrow(/pinned digest/);
    expect(decide(P, 'registry.example/acme/tool:1.0', ev(key()), { digest: DIGEST }).allowed).toBe(true);
  });
});

describe('notation levels and extension families', () => {
  const T = `other.example/x@${DIGEST}`;
  it('permissive logs an expired certificate instead of blocking; strict blocks it', () => {
    const expired = notation({ checks: [{ type: 'integrity', status: 'ok' }, { type: 'expiry', status: 'failed', reason: 'expired 2023-06-27' }] });
    const d = decide(P, T, ev(expired));
    expect(d.allowed).toBe(true);
    expect(d.warnings[0]).toContain('notation expiry check failed but level permissive only logs it');
    expect(decide(P, TARGET, ev(expired)).exitCode).toBe(81);
  });

  it('an integrity failure always blocks', () => {
    expect(decide(P, T, ev(notation({ checks: [{ type: 'integrity', status: 'failed' }] }))).exitCode).toBe(81);
  });

  it('an extension family satisfies the signers it says it verified, of its own family only', () => {
    expect(decide(P, T, ev({ family: 'acme-sig', subjectDigest: DIGEST, signers: ['vendor'] })).signers).toEqual(['vendor']);
    expect(decide(P, T, ev({ family: 'acme-sig', subjectDigest: DIGEST, signers: ['loose-key'] })).exitCode).toBe(81);
    expect(decide(P, T, ev({ family: 'other-sig', subjectDigest: DIGEST, signers: ['vendor'] })).exitCode).toBe(81);
  });

  it('rejected candidates appear in the why-tree', () => {
    const d = decide(P, TARGET, { signatures: [], rejected: [{ family: 'cosign', source: 'sha256:bad', reason: 'signature does not verify' }] });
    expect(text(d.why)).toContain('did not verify: signature does not verify');
  });
});

describe('renderWhy', () => {
  it('prints the tree with expected vs found', () => {
    const lines = renderWhy(decide(P, TARGET, ev(key({ key: '/elsewhere/other.pub' }))).why);
    expect(lines.slice(0, 4)).toEqual([
      'FAIL rule "one-of" (rules[0], scope "registry.example/acme/**", mode enforce)',
      '  FAIL signatures: 1 of [release-ci, release-key, corp-ca]',
      '         expected: 1 distinct signer',
      '         found:    0 distinct signers verified (none), 1 needed of release-ci, release-key, corp-ca',
    ]);
    expect(lines).toContain('      FAIL cosign signature sha256:sig1');
    expect(lines).toContain('             found:    signed with key /elsewhere/other.pub');
  });
});
