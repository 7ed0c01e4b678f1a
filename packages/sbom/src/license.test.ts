import { describe, expect, it } from 'vitest';
import { LicenseTally, normalizeLicenseExpression } from './license.ts';

describe('normalizeLicenseExpression', () => {
  it.each([
    ['MIT', 'MIT'],
    ['(MIT OR Apache-2.0)', 'MIT OR Apache-2.0'],
    ['MIT or Apache-2.0', 'MIT OR Apache-2.0'],
    ['mit OR apache-2.0', 'MIT OR Apache-2.0'],
    ['  MIT\n  AND\tISC ', 'MIT AND ISC'],
    ['(MIT OR ISC) AND BSD-3-Clause', '(MIT OR ISC) AND BSD-3-Clause'],
    ['MIT OR (ISC AND BSD-3-Clause)', 'MIT OR ISC AND BSD-3-Clause'],
    ['GPL-2.0-only WITH Classpath-exception-2.0', 'GPL-2.0-only WITH Classpath-exception-2.0'],
    ['Apache-1.0+', 'Apache-1.0+'],
    ['LicenseRef-Proprietary AND MIT', 'LicenseRef-Proprietary AND MIT'],
    ['DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2', 'DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2'],
    ['noassertion', 'NOASSERTION'],
    ['NONE', 'NONE'],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeLicenseExpression(raw)).toEqual({ expression: expected, valid: true });
  });

  it.each(['GooglePatentClause', 'MIT AND', 'MIT AND (ISC', 'Apache License 2.0', ''])('%j is invalid, kept raw', (raw) => {
    expect(normalizeLicenseExpression(raw)).toEqual({ expression: raw, valid: false });
  });

  it('clips very long text instead of parsing it', () => {
    const raw = Array.from({ length: 2000 }, () => 'MIT').join(' AND ');
    const n = normalizeLicenseExpression(raw);
    expect(n.valid).toBe(false);
    expect(n.expression.length).toBe(1025);
  });
});

describe('LicenseTally', () => {
  it('counts each package once per distinct expression and tracks unlicensed packages', () => {
    const t = new LicenseTally();
    expect(t.addPackage(['MIT', 'mit'])).toEqual(['MIT']);
    t.addPackage(['(ISC OR MIT)']);
    t.addPackage(['ISC or MIT', 'Weird']);
    t.addPackage(['NOASSERTION']);
    t.addPackage([]);
    expect(t.result()).toEqual([
      { expression: 'ISC OR MIT', count: 2, valid: true },
      { expression: 'MIT', count: 1, valid: true },
      { expression: 'Weird', count: 1, valid: false },
    ]);
    expect(t.withoutLicense).toBe(2);
  });
});
