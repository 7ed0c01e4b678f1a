import { describe, expect, it } from 'vitest';
import { isCosignError, parseBundle } from './index.ts';

// parseBundle accepts bytes, text or an already-parsed JSON value; a JSON value that is not an object
// (what JSON.parse gives for `5` or `true`) is a malformed bundle, found by the property suite as a
// TypeError escaping from the size check.
describe('parseBundle on JSON values that are not objects', () => {
  it.each([5, true, undefined, 1e308])('%s is CosignError INVALID_BUNDLE', (value) => {
    const err = (() => {
      try {
        parseBundle(value as unknown as object);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isCosignError(err, 'INVALID_BUNDLE')).toBe(true);
  });
});
