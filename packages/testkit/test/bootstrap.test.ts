import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/index.ts';
import { installStamp, pinnedPnpm, pnpmCommand, pnpmShim, taskArgs } from '../../../scripts/bootstrap.mjs';

// issue 10 item 12: on a machine with Node and npm only, README's two set-up commands install what
// they need (pinned pnpm via npx, then the locked dependencies) and run; .ci/run calls the same test
// command. (Checked once by hand in a clean clone with no pnpm on PATH; this keeps the logic honest.)

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

describe('bootstrap', () => {
  it('uses pnpm on PATH only at the pinned version, else npx with the pinned version', () => {
    const pinned = pinnedPnpm(pkg);
    expect(pkg.packageManager).toBe(`pnpm@${pinned}`);
    expect(pnpmCommand(`${pinned}\n`, pinned)).toEqual(['pnpm']);
    expect(pnpmCommand(undefined, pinned)).toEqual(['npx', '--yes', `pnpm@${pinned}`]);
    expect(pnpmCommand('9.15.0', pinned)).toEqual(['npx', '--yes', `pnpm@${pinned}`]);
    // Through npx, tasks still find that pnpm on PATH (node_modules/.bin comes first).
    expect(pnpmShim(pinned)).toMatch(new RegExp(`^#!/bin/sh\\n[\\s\\S]*exec npx --yes pnpm@${pinned.replace(/\./g, '\\.')} "\\$@"\\n$`));
  });

  it('drops the -- pnpm passes through', () => {
    expect(taskArgs(['test', '--', 'apps/cli'])).toEqual({ task: 'test', args: ['apps/cli'] });
    expect(taskArgs(['demo'])).toEqual({ task: 'demo', args: [] });
  });

  it('reinstalls when the lockfile changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocx-stamp-'));
    const lock = join(dir, 'pnpm-lock.yaml');
    writeFileSync(lock, 'a');
    const before = installStamp([lock]);
    writeFileSync(lock, 'b');
    expect(installStamp([lock])).not.toBe(before);
  });
});

describe('README set-up and .ci/run agree', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const setup = /## Set-up\n\n```sh\n([\s\S]*?)```/.exec(readme)![1]!;
  const commands = setup.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);

  it('is two npm commands, each going through the bootstrap', () => {
    expect(commands).toEqual(['npm run demo', 'npm test']);
    expect(pkg.scripts.demo).toMatch(/^node scripts\/bootstrap\.mjs demo$/);
    expect(pkg.scripts.test).toMatch(/^node scripts\/bootstrap\.mjs test$/);
  });

  it('.ci/run installs the peers, then runs exactly the README test command', () => {
    const ci = readFileSync(join(repoRoot, '.ci/run'), 'utf8').trim().split('\n');
    expect(ci.at(-1)).toBe(commands[1]);
    expect(ci.findIndex((l) => l.startsWith('bash scripts/peers.sh'))).toBeLessThan(ci.length - 1);
  });
});
