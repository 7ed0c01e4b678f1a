import { parsePolicy } from '../src/load.ts';
import type { Policy } from '../src/types.ts';

export const BASE = '/policies';
export const HOME = '/home/tester';

/** Parse YAML as if it were /policies/policy.yaml (no file is read). */
export function policy(yaml: string): Policy {
  return parsePolicy(yaml, { source: '/policies/policy.yaml', baseDir: BASE, home: HOME });
}

export const ISSUER = 'https://token.actions.githubusercontent.com';
export const RELEASE_ID = 'https://github.com/acme/tool/.github/workflows/release.yml@refs/tags/v1.2.3';
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;

/** The issue's example, with a notation identity notation itself accepts (C, ST and O). */
export const EXAMPLE = `
version: 1
defaults: { mode: enforce, unmatched: deny }
signers:
  release-ci:
    keyless: { issuer: ${ISSUER},
               identity: ${RELEASE_ID} }
  release-key: { key: ./keys/release.pub, tlog: optional }
  corp-ca:     { notation: { trustStore: ca:acme, identities: ["x509.subject: C=US, ST=WA, O=Acme"] } }
trust:
  sigstore: { trustedRoot: ./trusted_root.json }
  notation: { config: ~/.config/notation }
rules:
  - name: acme-tools
    scope: registry.example/acme/**
    exclude: [registry.example/acme/sandbox/**]
    mode: enforce
    signatures: { threshold: 1, of: [release-ci, release-key, corp-ca], required: [] }
    attestations:
      - { type: slsaprovenance1, signers: [release-ci], builderId: https://github.com/actions/runner }
    sbom: { required: true, signed: true }
`;
