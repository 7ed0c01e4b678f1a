// A keyless signer's github: { repository, workflowRef, runner } against the Fulcio claims of a
// real GitHub Actions certificate (the sigstore-conformance beacon, fixtures/SOURCES.md): the facts
// come from @ocx/cosign exactly as the engine's cosign family builds them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTrust, githubFacts, verifyBundle } from '@ocx/cosign';
import { fixturePath } from '@ocx/testkit';
import { decide, type WhyNode } from '../src/decide.ts';
import type { CosignKeylessCandidate } from '../src/evidence.ts';
import { DIGEST, ISSUER, policy } from './helpers.ts';

const BEACON = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon';
const IDENTITY = `${BEACON}/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main`;
const TARGET = `registry.example/acme/tool@${DIGEST}`;

function beaconCandidate(): CosignKeylessCandidate {
  const dir = fixturePath('sigstore-conformance/test/assets/bundle-verify');
  const v = verifyBundle(readFileSync(join(dir, 'happy-path-v0.3/bundle.sigstore.json')), {
    trust: createTrust({ trustedRoot: readFileSync(fixturePath('sigstore-js/derived-production-tuf/trusted_root.json')) }),
    artifact: readFileSync(join(dir, 'a.txt')),
    identity: { subject: IDENTITY, issuer: ISSUER },
  });
  expect(v.ok, v.reasons.join('; ')).toBe(true);
  const github = githubFacts(v.signer!.claims!);
  return { family: 'cosign', kind: 'keyless', subjectDigest: DIGEST, identity: v.signer!.identity!, issuer: v.signer!.issuer!, source: 'sha256:sig', ...(github.from ? { github } : {}) };
}

const withGithub = (github: string) =>
  policy(`
version: 1
signers:
  ci: { keyless: { issuer: ${ISSUER}, identity: "${IDENTITY}", github: ${github} } }
rules:
  - { name: r, scope: registry.example/acme/**, signatures: { threshold: 1, of: [ci] } }
`);

const nodes = (n: WhyNode): WhyNode[] => [n, ...(n.children ?? []).flatMap(nodes)];
const candidateNode = (why: WhyNode): WhyNode => nodes(why).find((n) => n.kind === 'candidate')!;

describe('keyless github: keys against a real GitHub Actions certificate', () => {
  const real = beaconCandidate();

  it('matches: repository as owner/name or URL, workflowRef = the source ref, runner', () => {
    for (const repository of ['sigstore-conformance/extremely-dangerous-public-oidc-beacon', BEACON]) {
      const d = decide(withGithub(`{ repository: "${repository}", workflowRef: refs/heads/main, runner: github-hosted }`), TARGET, { signatures: [real] });
      expect(d, JSON.stringify(d.why)).toMatchObject({ allowed: true, exitCode: 0 });
      expect(candidateNode(d.why).found).toContain(`github repository "${BEACON}" (1.3.6.1.4.1.57264.1.12), github workflowRef "refs/heads/main" (1.3.6.1.4.1.57264.1.14), github runner "github-hosted" (1.3.6.1.4.1.57264.1.11)`);
    }
  });

  it.each([
    ['wrong repository', '{ repository: acme/tool }', `github repository: expected "acme/tool", found "${BEACON}"`],
    ['wrong workflow ref', '{ workflowRef: refs/tags/v1.2.3 }', 'github workflowRef: expected "refs/tags/v1.2.3", found "refs/heads/main"'],
    ['wrong runner', '{ runner: self-hosted }', 'github runner: expected "self-hosted", found "github-hosted"'],
  ])('%s → blocked (81), the why-tree shows expected vs found', (_name, github, says) => {
    const d = decide(withGithub(github), TARGET, { signatures: [real] });
    expect(d).toMatchObject({ allowed: false, exitCode: 81 });
    const node = candidateNode(d.why);
    expect(node.outcome).toBe('fail');
    expect(node.expected).toContain('github');
    expect(node.found).toContain(says);
  });

  it('a certificate without the claim (no GitHub extensions) → blocked, naming the extensions looked for', () => {
    const { github: _none, ...bare } = real;
    const d = decide(withGithub('{ runner: github-hosted, repository: acme/tool }'), TARGET, { signatures: [bare] });
    expect(d.exitCode).toBe(81);
    const found = candidateNode(d.why).found!;
    expect(found).toContain('github runner: expected "github-hosted", found none (the certificate has no Runner Environment 1.3.6.1.4.1.57264.1.11)');
    expect(found).toContain('github repository: expected "acme/tool", found none (the certificate has no Source Repository URI 1.3.6.1.4.1.57264.1.12 or Workflow Repository 1.3.6.1.4.1.57264.1.5)');
  });

  it('v1-only certificates: repository owner/name (1.5) and ref (1.6) satisfy the same keys', () => {
    const v1: CosignKeylessCandidate = { ...real, github: githubFacts({ githubWorkflowRepository: 'acme/tool', githubWorkflowRef: 'refs/tags/v1.2.3' }) };
    expect(decide(withGithub('{ repository: https://github.com/acme/tool, workflowRef: refs/tags/v1.2.3 }'), TARGET, { signatures: [v1] }).allowed).toBe(true);
    expect(decide(withGithub('{ runner: github-hosted }'), TARGET, { signatures: [v1] }).exitCode).toBe(81);
  });
});
