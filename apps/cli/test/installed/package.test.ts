import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { installedOcx, runInstalled, sandbox, type InstalledOcx } from './harness.ts';

// What the packed tarball holds and declares: everything inlined, so nothing to fetch at install.

const run = promisify(execFile);

describe('the packed ocx package', () => {
  let installed: InstalledOcx;
  beforeAll(async () => {
    installed = await installedOcx();
  }, 300_000);

  it('declares no runtime dependencies, ships only dist/, the output schemas and package metadata, and installs a working bin', async () => {
    const { tarball, prefix, bin } = installed;
    const files = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);
    // …and the JSON Schemas of its --format json output (README "JSON output schemas").
    expect(files.filter((f) => !f.startsWith('package/dist/') && !/^package\/(package\.json|README\.md|LICENSE)$/i.test(f) && !/^package\/schema\/[a-z-]+\.schema\.json$/.test(f))).toEqual([]);
    expect(files).toContain('package/schema/discover.schema.json');
    expect(files.some((f) => /\/\.[^/]+$/.test(f)), 'no dotfiles').toBe(false);
    expect(files).toContain('package/dist/bin/ocx.cjs');
    const manifest = JSON.parse(await readFile(join(prefix, 'lib/node_modules/ocx/package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});
    const box = await sandbox();
    try {
      const r = await runInstalled(bin, ['--version'], { env: box.env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^ocx \d+\.\d+\.\d+/);
    } finally {
      await box.cleanup();
    }
  });
});
