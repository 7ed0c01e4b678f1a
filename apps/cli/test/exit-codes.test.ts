import { describe, expect, it } from 'vitest';
import { COSIGN_ERROR_CODES, CosignError } from '@ocx/cosign';
import { NOTATION_ERROR_CODES, NotationError } from '@ocx/notation';
import { OCI_ERROR_CODES, OciError } from '@ocx/oci';
import { POLICY_ERROR_CODES, PolicyError } from '@ocx/policy';
import { SBOM_ERROR_CODES, SbomError } from '@ocx/sbom';
import { SIGNER_ERROR_CODES, SignerError } from '@ocx/signer';
import { ERROR_EXIT_TABLES, ExitCode, exitCodeFor } from '../src/exit-codes.ts';

// issue 10 item 8: every code of every package's error union has an exit code in ONE table; an
// error that escapes a command never ends as exit 1 ("internal") because nobody mapped it.
const PACKAGES = [
  { name: 'OciError', codes: OCI_ERROR_CODES, make: (c: string) => new OciError(c as never, 'm') },
  { name: 'CosignError', codes: COSIGN_ERROR_CODES, make: (c: string) => new CosignError(c as never, 'm') },
  { name: 'NotationError', codes: NOTATION_ERROR_CODES, make: (c: string) => new NotationError(c as never, 'm') },
  { name: 'SbomError', codes: SBOM_ERROR_CODES, make: (c: string) => new SbomError(c as never, 'm') },
  { name: 'SignerError', codes: SIGNER_ERROR_CODES, make: (c: string) => new SignerError(c as never, 'm') },
  { name: 'PolicyError', codes: POLICY_ERROR_CODES, make: (c: string) => new PolicyError(c as never, 'm') },
] as const;

const documented = new Set<number>(Object.values(ExitCode));

describe('exit-code table', () => {
  for (const p of PACKAGES) {
    it(`maps every ${p.name} code (and nothing else)`, () => {
      const table = ERROR_EXIT_TABLES[p.name];
      expect(Object.keys(table).sort()).toEqual([...p.codes].sort());
      for (const code of p.codes) {
        const { exitCode, kind } = exitCodeFor(p.make(code));
        expect(exitCode, `${p.name} ${code}`).not.toBe(ExitCode.INTERNAL);
        expect(documented.has(exitCode)).toBe(true);
        expect(exitCode).toBe(table[code as keyof typeof table]);
        expect(kind).toBe(code.toLowerCase());
      }
    });
  }

  it('covers every package error class the CLI can meet', () => {
    expect(Object.keys(ERROR_EXIT_TABLES).sort()).toEqual(PACKAGES.map((p) => p.name).sort());
  });

  it('leaves unknown errors and unknown codes internal', () => {
    expect(exitCodeFor(new Error('x')).exitCode).toBe(ExitCode.INTERNAL);
    expect(exitCodeFor(new CosignError('NOPE' as never, 'x')).exitCode).toBe(ExitCode.INTERNAL);
    expect(exitCodeFor({ name: 'CosignError', code: 'INVALID_KEY' }).exitCode).toBe(ExitCode.INTERNAL);
  });
});
