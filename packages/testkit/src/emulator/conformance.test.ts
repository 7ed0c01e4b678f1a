import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures.ts';
import { createEmulator } from './emulator.ts';

// The OCI distribution-spec conformance suite, built by scripts/dist-conformance.sh, run against the
// emulator over HTTP. Missing binary: skip locally, fail under CI.
const script = join(repoRoot, 'scripts/dist-conformance.sh');
const exe = spawnSync('bash', [script, '--path'], { encoding: 'utf8' }).stdout.trim();
const built = exe !== '' && existsSync(exe);

function runSuite(url: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, url], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function summary(output: string): string {
  const errors = output.indexOf('Errors:');
  return errors >= 0 ? output.slice(errors, errors + 6000) : output.slice(-6000);
}

describe('OCI distribution-spec conformance', () => {
  const cases: { title: string; options: { referrersApi?: boolean }; env: Record<string, string> }[] = [
    { title: 'referrers API on (distribution-spec 1.1)', options: {}, env: {} },
    { title: 'referrers API off (distribution 2.8 mode)', options: { referrersApi: false }, env: { OCI_API_REFERRER: 'false' } },
  ];
  for (const c of cases) {
    it(`passes the suite: ${c.title}`, async (ctx) => {
      if (!built) {
        const why = `dist-conformance suite not built (${exe || 'unknown path'}); run scripts/dist-conformance.sh --build`;
        if (process.env.CI === 'true') throw new Error(why);
        ctx.skip(why);
      }
      const server = await createEmulator(c.options).listen();
      try {
        const { code, output } = await runSuite(server.url, c.env);
        expect(code, summary(output)).toBe(0);
        expect(output).toContain('OCI Conformance Result: Pass');
      } finally {
        await server.close();
      }
    }, 300_000);
  }
});
