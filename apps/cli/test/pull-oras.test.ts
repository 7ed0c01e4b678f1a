import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, createPeerSandbox, listTree, peerOrSkip, runPeer, type PeerSandbox, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';

// What real `oras push` writes, `ocx pull` installs as `oras pull -o` does: a file (a titled
// `…layer.v1.tar` blob that is no tarball) by its title, a nested title into its subdirectory, and a
// directory (titled tar+gzip, io.deis.oras.content.unpack=true) under DIR/<title>/.

/** `path` for files (with content), `path/` for directories, `path -> target` for symlinks. */
const tree = (root: string) => listTree(root, { content: true });

const oras = peerOrSkip('oras');

describe.skipIf(!oras)('ocx pull of what oras push wrote', () => {
  let server: RunningRegistry;
  let sandbox: PeerSandbox;
  beforeAll(async () => {
    server = await createEmulator().listen();
    sandbox = await createPeerSandbox();
    const d = sandbox.dir;
    await mkdir(join(d, 'sub'));
    await mkdir(join(d, 'site', 'css'), { recursive: true });
    await writeFile(join(d, 'notes.txt'), 'plain text, not a tarball\n');
    await writeFile(join(d, 'sub', 'deep.txt'), 'nested\n');
    await writeFile(join(d, 'site', 'index.html'), '<h1>hi</h1>\n');
    await writeFile(join(d, 'site', 'css', 'a.css'), 'h1{}\n');
    await symlink('index.html', join(d, 'site', 'home.html'));
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.cleanup();
  });

  const orasRun = async (args: string[]) => {
    const r = await runPeer('oras', args, { sandbox, cwd: sandbox.dir });
    expect(r.code, `oras ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };

  it.each([
    ['a file', 'files', ['notes.txt']],
    ['a file under a subdirectory', 'nested', ['sub/deep.txt']],
    ['a directory', 'dir', ['site']],
    ['files and a directory together', 'mixed', ['notes.txt', 'sub/deep.txt', 'site']],
  ])('%s: the same tree as oras pull -o', async (_what, repository, paths) => {
    const ref = `${server.host}/oras/${repository}:v1`;
    await orasRun(['push', '--plain-http', ref, ...paths]);
    const byOras = join(sandbox.dir, `by-oras-${repository}`);
    await orasRun(['pull', '--plain-http', '-o', byOras, ref]);
    const byOcx = join(sandbox.dir, `by-ocx-${repository}`);
    const r = await ocx(['pull', ref, '-o', byOcx, '--no-verify']);
    expect(r.code, r.stderr).toBe(0);
    const expected = await tree(byOras);
    expect(expected.length).toBeGreaterThan(0);
    expect(await tree(byOcx)).toEqual(expected);
  });
});
