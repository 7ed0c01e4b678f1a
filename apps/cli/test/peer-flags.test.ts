import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS } from '../src/context.ts';
import { PEER_FLAGS, peerFlagHint } from '../src/peer-flags.ts';
import { COMMANDS } from '../src/run.ts';
import { ocx } from './cli.ts';

// issue 8 §4: an unknown flag that cosign, notation or oras has gets "not supported by ocx: <what
// to use instead>", not a bare "Unknown option".

describe('peer flags', () => {
  it.each([
    [['verify', 'r', '-y'], /-y \(cosign\) is not supported by ocx: ocx never asks/],
    [['package', 'sign', 'r', '--recursive'], /--recursive \(cosign sign\) is not supported by ocx: ocx package sign signs an index and every platform/],
    [['copy', 'a', 'b', '-r'], /-r \(oras cp\) is not supported by ocx: ocx copy copies the whole referrer graph/],
    [['verify', 'r', '--output-file', 'x'], /--output-file \(cosign\) is not supported by ocx: redirect stdout/],
    [['discover', 'r', '-o', 'json'], /-o \(cosign, oras\) is not supported by ocx: use --format text\|json/],
    [['verify', 'r', '-m', 'k=v'], /-m \(notation\) is not supported by ocx: use --user-metadata k=v/],
    [['login', 'reg.example', '-u', 'u', '-p', 'hunter2'], /-p \(oras, notation, docker\) is not supported by ocx: secrets are never taken from argv: use --password-stdin/],
    [['verify', 'r', '--allow-insecure-registry'], /use --plain-http/],
    [['verify', 'r', '--rekor-url=https://rekor.example'], /--rekor-url \(cosign\) is not supported by ocx: pass the private instance as --trusted-root/],
  ])('ocx %j', async (args, message) => {
    const r = await ocx(args as string[]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/Unknown option/);
    // The secret is not echoed back.
    expect(r.stderr).not.toContain('hunter2');
  });

  it('a flag no peer has keeps the plain message', async () => {
    const r = await ocx(['verify', 'r', '--no-such-flag']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/Unknown option '--no-such-flag'/);
  });

  it('no entry shadows a flag the command has (the hint would never show, or mislead)', () => {
    const shadowed: string[] = [];
    for (const [name, cmd] of Object.entries(COMMANDS)) {
      const known = new Set<string>();
      for (const [long, o] of Object.entries({ ...GLOBAL_OPTIONS, ...cmd.options } as Record<string, { short?: string }>)) {
        known.add(`--${long}`);
        if (o.short) known.add(`-${o.short}`);
      }
      for (const e of PEER_FLAGS) {
        if (e.commands && !e.commands.includes(name)) continue;
        for (const f of e.flags) if (known.has(f)) shadowed.push(`ocx ${name} ${f}`);
      }
    }
    expect(shadowed).toEqual([]);
    expect(peerFlagHint('verify', '--yes=true')).toMatch(/^--yes \(cosign\)/);
  });
});
