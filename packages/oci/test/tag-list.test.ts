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
