import { describe, expect, it } from 'vitest';
import { isOciError, RegistryClient, RemoteRepository } from '../src/index.ts';

// A tag list is registry input like any other: an answer that is not JSON is a typed OciError
// (found by the property suite: it escaped as a bare SyntaxError).

function repoAnswering(body: string): RemoteRepository {
  const fetch = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  const client = new RegistryClient({ fetch, plainHttp: true, retries: 0 });
  return new RemoteRepository(client, { host: 'registry.test', registry: 'registry.test', repository: 'a/b' });
}

async function listAll(repo: RemoteRepository): Promise<string[]> {
  const out: string[] = [];
  for await (const page of repo.tags()) out.push(...page);
  return out;
}

describe('tag list answers', () => {
  it('a body that is not JSON is OciError REGISTRY_ERROR', async () => {
    const err = await listAll(repoAnswering('\u0007GJ')).catch((e: unknown) => e);
    expect(isOciError(err, 'REGISTRY_ERROR')).toBe(true);
  });

  it('JSON null lists no tags rather than a TypeError', async () => {
    expect(await listAll(repoAnswering('null'))).toEqual([]);
  });
});

// Tag-list pagination follows the same rules as referrers pagination (distribution-spec "Listing
// Tags"; RFC 8288): only a rel="next" link, only on the registry's own origin, never a page twice,
// and never past the page cap.
describe('tag list pagination', () => {
  function paged(pages: Record<string, { tags: string[]; link?: string }>) {
    const seen: string[] = [];
    const fetch = async (input: Request | string | URL) => {
      const u = new URL(input instanceof Request ? input.url : String(input));
      seen.push(u.host + u.pathname + u.search);
      const page = pages[u.pathname + u.search];
      if (!page) return new Response('{"errors":[{"code":"NAME_UNKNOWN"}]}', { status: 404 });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (page.link) headers.link = page.link;
      return new Response(JSON.stringify({ name: 'a/b', tags: page.tags }), { status: 200, headers });
    };
    const client = new RegistryClient({ fetch, plainHttp: true, retries: 0 });
    return { seen, repo: new RemoteRepository(client, { host: 'registry.test', registry: 'registry.test', repository: 'a/b' }) };
  }

  it('follows rel="next" wherever it sits in the header', async () => {
    const { repo } = paged({
      '/v2/a/b/tags/list': { tags: ['a'], link: '</v2/a/b/tags/list?first>; rel="first", </v2/a/b/tags/list?n=1&last=a>; rel="next"' },
      '/v2/a/b/tags/list?n=1&last=a': { tags: ['b'] },
    });
    expect(await listAll(repo)).toEqual(['a', 'b']);
  });

  it('a link that is not rel="next" ends the listing', async () => {
    const { repo, seen } = paged({
      '/v2/a/b/tags/list': { tags: ['a'], link: '</v2/a/b/tags/list?prev>; rel="prev"' },
      '/v2/a/b/tags/list?prev': { tags: ['zzz'] },
    });
    expect(await listAll(repo)).toEqual(['a']);
    expect(seen).toEqual(['registry.test/v2/a/b/tags/list']);
  });

  it('a next link to another origin is PAGINATION, and nothing is sent there', async () => {
    const { repo, seen } = paged({
      '/v2/a/b/tags/list': { tags: ['a'], link: '<http://evil.test/v2/a/b/tags/list?n=1&last=a>; rel="next"' },
      '/v2/a/b/tags/list?n=1&last=a': { tags: ['b'] },
    });
    const err = await listAll(repo).catch((e: unknown) => e);
    expect(isOciError(err, 'PAGINATION')).toBe(true);
    expect(seen.filter((s) => s.startsWith('evil.test'))).toEqual([]);
  });

  it('a next link back to a page already read is PAGINATION', async () => {
    const { repo } = paged({
      '/v2/a/b/tags/list': { tags: ['a'], link: '</v2/a/b/tags/list?n=1&last=a>; rel="next"' },
      '/v2/a/b/tags/list?n=1&last=a': { tags: ['b'], link: '</v2/a/b/tags/list>; rel="next"' },
    });
    const err = await listAll(repo).catch((e: unknown) => e);
    expect(isOciError(err, 'PAGINATION')).toBe(true);
  });

  it('more pages than the cap is PAGINATION, not a silently short list', async () => {
    const pages: Record<string, { tags: string[]; link?: string }> = {};
    for (let i = 0; i < 200; i++) pages[i === 0 ? '/v2/a/b/tags/list' : `/v2/a/b/tags/list?p=${i}`] = { tags: [`t${i}`], link: `</v2/a/b/tags/list?p=${i + 1}>; rel="next"` };
    const { repo } = paged(pages);
    const err = await listAll(repo).catch((e: unknown) => e);
    expect(isOciError(err, 'PAGINATION')).toBe(true);
  });
});
