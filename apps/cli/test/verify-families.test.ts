import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../src/context.ts';
import { cosignApplies, notationApplies } from '../src/verify/applies.ts';

// Which signature families a `ocx verify` run uses: named trust always, the user's default notation
// config only when nothing was named (so `--key` never silently widens to "or whatever notation trusts").

describe('verifier families that apply', () => {
  let dir: string;
  let ctx: Context;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocx-fam-'));
    await writeFile(join(dir, 'trustpolicy.json'), '{}');
    ctx = { io: { env: { NOTATION_CONFIG: dir } } } as unknown as Context;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('cosign applies to keys, identities and trusted roots', () => {
    expect(cosignApplies({ key: 'k.pub' })).toBe(true);
    expect(cosignApplies({ 'certificate-identity-regexp': '.*' })).toBe(true);
    expect(cosignApplies({})).toBe(false);
  });

  it('notation applies to its flags, and to the default config only when no trust is named', () => {
    expect(notationApplies({ 'notation-config': dir }, ctx)).toBe(true);
    expect(notationApplies({ 'notation-config': dir, key: 'k.pub' }, ctx)).toBe(true);
    expect(notationApplies({}, ctx)).toBe(true);
    expect(notationApplies({ key: 'k.pub' }, ctx)).toBe(false);
    const empty = { io: { env: { NOTATION_CONFIG: join(dir, 'missing') } } } as unknown as Context;
    expect(notationApplies({}, empty)).toBe(false);
  });
});
