// Loads the sigstore-conformance bundle-verify corpus and the sigstore-js test bundles and runs each
// through @ocx/cosign's verifyBundle. Conventions: test/assets/bundle-verify/README.md upstream.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTrust, isCosignError, verifyBundle, type Verdict } from '@ocx/cosign';

export const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
export const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

export interface CaseResult {
  readonly name: string;
  readonly expectPass: boolean;
  readonly passed: boolean;
  /** The verdict agrees with the expectation. */
  readonly ok: boolean;
  readonly detail: string;
}

export interface CaseInput {
  readonly name: string;
  readonly expectPass: boolean;
  readonly bundle: Uint8Array;
  readonly trustedRoot: Uint8Array;
  readonly artifact?: Uint8Array;
  readonly key?: string;
  readonly identity: { subject: string; issuer: string };
}

function readText(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

/** One case directory of sigstore-conformance test/assets/bundle-verify. */
export function loadConformanceCase(casesDir: string, name: string, productionRoot: string): CaseInput {
  const dir = join(casesDir, name);
  const opt = (f: string): string | undefined => (existsSync(join(dir, f)) ? join(dir, f) : undefined);
  const artifact = opt('artifact') ?? join(casesDir, 'a.txt');
  const key = opt('key.pub');
  return {
    name,
    expectPass: !name.endsWith('_fail'),
    bundle: readFileSync(join(dir, 'bundle.sigstore.json')),
    trustedRoot: readFileSync(opt('trusted_root.json') ?? productionRoot),
    artifact: readFileSync(artifact),
    ...(key ? { key: readFileSync(key, 'utf8') } : {}),
    identity: {
      subject: opt('identity') ? readText(join(dir, 'identity')) : DEFAULT_IDENTITY,
      issuer: opt('issuer') ? readText(join(dir, 'issuer')) : DEFAULT_ISSUER,
    },
  };
}

export function listConformanceCases(casesDir: string): string[] {
  return readdirSync(casesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(casesDir, d.name, 'bundle.sigstore.json')))
    .map((d) => d.name)
    .sort();
}

export function runCase(c: CaseInput): CaseResult {
  let verdict: Verdict;
  try {
    const trust = createTrust({ trustedRoot: c.trustedRoot, ...(c.key ? { keys: [c.key] } : {}) });
    verdict = verifyBundle(c.bundle, {
      trust,
      ...(c.artifact ? { artifact: c.artifact } : {}),
      ...(c.key ? {} : { identity: c.identity }),
    });
  } catch (e) {
    if (!isCosignError(e)) throw e;
    const detail = `${e.code}: ${e.message}`;
    return { name: c.name, expectPass: c.expectPass, passed: false, ok: !c.expectPass, detail };
  }
  const detail = verdict.ok
    ? `ok (${verdict.signer?.identity ?? verdict.signer?.keyId ?? '?'}; timestamp ${verdict.timestampSource})`
    : verdict.reasons.join('; ');
  return { name: c.name, expectPass: c.expectPass, passed: verdict.ok, ok: verdict.ok === c.expectPass, detail };
}

/** The nine bundles under sigstore-js tests/bundles: DSSE, signed by brian@dehamer.com, production root. */
export function loadSigstoreJsCases(bundlesDir: string, productionRoot: string): CaseInput[] {
  const trustedRoot = readFileSync(productionRoot);
  return readdirSync(bundlesDir)
    .filter((f) => f.endsWith('.sigstore'))
    .sort()
    .map((f) => ({
      name: `sigstore-js/${f}`,
      expectPass: true,
      bundle: readFileSync(join(bundlesDir, f)),
      trustedRoot,
      identity: { subject: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth' },
    }));
}
