import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScriptArgs, repoRoot } from '../src/index.ts';

// issue 10 item 11: every repo script accepts a leading `--` (pnpm 12 passes it verbatim) and answers
// a bad flag with usage and exit 64, not a stack trace. Each script runs exactly as `pnpm <script>
// -- …` runs it: its package.json command with the arguments appended.

const root = repoRoot;
const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
const SCRIPTS = ['registry', 'demo', 'bench', 'conformance:sigstore', 'conformance:notation', 'peers', 'fuzz'];

function runScript(name: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', `${scripts[name]} "$@"`, name, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('repo scripts and `--`', () => {
  it('covers every script that takes arguments', () => {
    for (const s of SCRIPTS) expect(scripts[s], s).toBeDefined();
  });

  it.each(SCRIPTS)('pnpm %s -- --no-such-flag: usage and exit 64, no stack', (name) => {
    const r = runScript(name, ['--', '--no-such-flag']);
    expect(r.status, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/usage:/i);
    expect(r.stderr).toContain('--no-such-flag');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(SCRIPTS)('pnpm %s -- --help: usage and exit 0', (name) => {
    const r = runScript(name, ['--', '--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/usage:/i);
  });

  it('pnpm conformance:sigstore -- --cases DIR runs (it crashed on the `--`)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'ocx-cases-'));
    const r = runScript('conformance:sigstore', ['--', '--cases', empty]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0 passed, 0 failed/);
  });
});

describe('parseScriptArgs', () => {
  const spec = { name: 'x', usage: 'pnpm x [--n N] [a|b]', options: { n: { type: 'string' as const } }, positionals: ['a', 'b'] };
  it('drops one leading --', () => {
    expect(parseScriptArgs(spec, ['--', '--n', '3', 'a'])).toMatchObject({ ok: true, values: { n: '3' }, positionals: ['a'] });
  });
  it('refuses unknown flags and positionals with usage', () => {
    expect(parseScriptArgs(spec, ['--m'])).toMatchObject({ ok: false, exitCode: 64 });
    const r = parseScriptArgs(spec, ['c']);
    expect(r).toMatchObject({ ok: false, exitCode: 64 });
    expect(!r.ok && r.message).toMatch(/one of: a, b[\s\S]*usage: pnpm x/);
  });
});

describe('scripts/peers.sh', () => {
  it('validates against the same names it builds', () => {
    const text = readFileSync(join(root, 'scripts/peers.sh'), 'utf8');
    const listed = /^PEER_NAMES="([^"]+)"/m.exec(text)![1]!.split(' ');
    const built = [...text.matchAll(/^\s+"([a-z0-9-]+)\|/gm)].map((m) => m[1]);
    expect(listed).toEqual(built);
  });
});
