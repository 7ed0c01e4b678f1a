import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { repoRoot } from '@ocx/testkit';

// `pnpm demo` is part of the product: it must keep running end to end with nothing else installed.
it('pnpm demo runs end to end', () => {
  const r = spawnSync(process.execPath, ['--conditions=@ocx/source', '--import', 'tsx', 'scripts/demo.ts'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, OCX_HOME: undefined } });
  expect(r.stdout).toContain('Demo complete: every step ended as expected.');
  // The policy part: the signed package installed (its files shown), the unsigned one blocked with the why.
  expect(r.stdout).toMatch(/hello\.txt: "hello from linux\/amd64\\n"/);
  expect(r.stdout).toMatch(/layer blobs requested: 0; .* was never created/);
  expect(r.stderr).toMatch(/FAIL rule "demo"/);
  // ocx policy explain: the winning rule and what it enforces, then --verify blocks with the why-tree.
  expect(r.stdout).toMatch(/rule: {3}demo \(rules\[0\], scope \S+\/demo\/\*\*, prefix of 1 path segment, mode enforce\)/);
  expect(r.stdout).toMatch(/demo-key: key \S+demo\.pub \(tlog optional\)/);
  expect(r.stdout).toMatch(/found: {4}no signature found \(needed 1 of demo-key\)/);
  // The publishing part: one push wrote the package, its signed SBOM and the signature; the SLSA
  // provenance attestation verifies; discover shows all three on the platform manifest.
  const publish = r.stdout.slice(r.stdout.indexOf('ocx package push '));
  expect(publish).toMatch(/✓ pushed \S+\/demo\/tool:2\.0\.0 \[linux\/amd64\]/);
  expect(publish).toMatch(/sbom\s+attestation\s+sha256:[0-9a-f]{64} \(https:\/\/spdx\.dev\/Document, cosign-bundle\)/);
  expect(publish).toMatch(/sign\s+signature\s+sha256:[0-9a-f]{64} \(cosign-bundle\)/);
  expect(publish).toMatch(/✓ attested sha256:[0-9a-f]{12} \[linux\/amd64\]: https:\/\/slsa\.dev\/provenance\/v1 referrer/);
  expect(publish).toMatch(/✓ cosign attestation https:\/\/slsa\.dev\/provenance\/v1 \S+ \(cosign-bundle, on manifest\) key=/);
  const tree = publish.slice(publish.indexOf('$ ocx discover '));
  expect(tree).toMatch(/── sha256:[0-9a-f]{12}\s+application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json\s+\[cosign attestation https:\/\/spdx\.dev\/Document\]/);
  expect(tree).toMatch(/── sha256:[0-9a-f]{12}\s+application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json\s+\[cosign signature\]/);
  expect(tree).toMatch(/── sha256:[0-9a-f]{12}\s+application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json\s+\[cosign attestation https:\/\/slsa\.dev\/provenance\/v1\]/);
  expect(r.status).toBe(0);
}, 150_000);
