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
  expect(r.status).toBe(0);
}, 150_000);
