import { describe, expect, it } from 'vitest';
import { runNotationConformance } from '../../scripts/conformance.ts';

describe('notation conformance corpus (notation-go, notation-core-go, tspclient-go)', () => {
  it('agrees with every upstream verdict', async () => {
    const results = await runNotationConformance();
    expect(results.length).toBeGreaterThan(100);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});
