import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type RunningRegistry } from '@ocx/testkit';
import { CONDITION_EXIT, ExitCode } from '../src/exit-codes.ts';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// issue 10 item 15: one shape for scripts. A per-result error is the same {kind, exitCode, message}
// object as the top-level `{"error":…}`, and one condition has one exit code in every command.

/** A loopback port nobody listens on: the registry is down. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('one JSON shape for errors', () => {
  let server: RunningRegistry;
  let keys: KeyFiles;
  beforeAll(async () => {
    server = await createEmulator().listen();
    keys = await keyFiles();
  });
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
  });

  it('verify with the registry down: .results[].error is {kind, exitCode, message}', async () => {
    const port = await deadPort();
    const r = await ocx(['verify', `127.0.0.1:${port}/x/y:v1`, '--key', keys.pub, '--insecure-ignore-tlog', '--format', 'json', '--no-cache']);
    expect(r.code, r.stderr).toBe(ExitCode.TEMPFAIL);
    const doc = JSON.parse(r.stdout);
    const err = doc.results[0].error;
    expect(err).toEqual({ kind: expect.any(String), exitCode: ExitCode.TEMPFAIL, message: expect.any(String) });
    expect(doc.results[0].exitCode).toBe(ExitCode.TEMPFAIL);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('verify of a missing reference: the per-result error carries the top-level kind', async () => {
    const r = await ocx(['verify', `${server.host}/x/none:v1`, '--key', keys.pub, '--insecure-ignore-tlog', '--format', 'json', '--no-cache']);
    expect(r.code).toBe(ExitCode.NOT_FOUND);
    const err = JSON.parse(r.stdout).results[0].error;
    expect(err).toMatchObject({ kind: 'not_found', exitCode: ExitCode.NOT_FOUND });
  });

  it('an unsigned image is the same condition (and code) in verify as in sbom --require-signed', async () => {
    const { repo, client } = repoAt(server.host, 'shape/unsigned');
    await pushPackage(repo, 'unsigned', 'v1');
    await client.close();
    const r = await ocx(['verify', `${server.host}/shape/unsigned:v1`, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--no-cache']);
    expect(r.code).toBe(CONDITION_EXIT.unsigned);
    expect(CONDITION_EXIT.unsigned).toBe(ExitCode.NOT_FOUND);
    // sbom --require-signed on an unsigned SBOM: apps/cli/test/sbom-emulator.test.ts expects CONDITION_EXIT.unsigned too.
  });
});
