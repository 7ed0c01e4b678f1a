import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, pushImage, type ArtifactDescriptor, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';

// issue 8 §4: a copy destination without a tag takes the source's tag (untagged when the source was
// a digest), never `latest`, which could overwrite a production tag.

describe('ocx copy destination tag', () => {
  let server: RunningRegistry;
  let client: RegistryClient;
  let image: ArtifactDescriptor;
  const repo = (name: string) => new RemoteRepository(client, { host: server.host, registry: server.host, repository: name });
  const tags = async (name: string) => {
    const res = await fetch(`${server.url}/v2/${name}/tags/list`);
    return res.ok ? ((await res.json()) as { tags: string[] | null }).tags ?? [] : [];
  };

  beforeAll(async () => {
    server = await createEmulator().listen();
    client = new RegistryClient({});
    image = await pushImage(repo('src'), 'copy-tag', 'v1');
    // A production `latest` in the destination that a careless default would overwrite.
    await pushImage(repo('prod'), 'production', 'latest');
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('tags the destination with the source tag, not latest', async () => {
    const before = await repo('prod').resolve('latest');
    const r = await ocx(['copy', `${server.host}/src:v1`, `${server.host}/prod`, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect((await tags('prod')).sort()).toEqual(['latest', 'v1']);
    expect((await repo('prod').resolve('v1')).digest).toBe(image.digest);
    expect((await repo('prod').resolve('latest')).digest).toBe(before.digest);
  });

  it('leaves the destination untagged when the source is a digest', async () => {
    const r = await ocx(['copy', `${server.host}/src@${image.digest}`, `${server.host}/bydigest`, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(await tags('bydigest')).toEqual([]);
    expect((await repo('bydigest').resolve(image.digest)).digest).toBe(image.digest);
  });

  it('uses an explicit destination tag', async () => {
    const r = await ocx(['copy', `${server.host}/src:v1`, `${server.host}/explicit:stable`, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(await tags('explicit')).toEqual(['stable']);
  });
});
