import { describe, expect, it } from 'vitest';
import { parseNextLink } from '../src/index.ts';

// RFC 8288 §3.3: `rel` is a space-separated list of relation types; a link is the next page when
// "next" is one of them, in any case (§2.1.1: registered types compare case-insensitively).
describe('parseNextLink', () => {
  it.each([
    ['</p2>; rel="prev next"', '/p2'],
    ['</p2>; rel="next prev"', '/p2'],
    ['</p2>; rel="  first\tNEXT  "', '/p2'],
    ['</p1>; rel="prev", </p2>; rel="last next"', '/p2'],
    ['</p2>; title="x"; rel="self next"; type="application/json"', '/p2'],
  ])('%s → %s', (header, url) => {
    expect(parseNextLink(header)).toBe(url);
  });

  it.each(['</p2>; rel="prev nextish"', '</p2>; rel="next-page"', '</p2>; rel="prev"', '</p2>; rel=prev next', '</p2>; title="next"', '</p2>; rel="prev"; title="next"',
    '</p2>; title="a;rel=next"',
    '</p2>; rel="prev"; rel="next"',
  ])('%s is no next link', (header) => {
    expect(parseNextLink(header)).toBeUndefined();
  });
});
