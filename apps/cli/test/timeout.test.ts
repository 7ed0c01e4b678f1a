import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dripForever, startHttpServer, type TestHttpServer } from '@ocx/testkit';
import { ocx } from './cli.ts';

// `--timeout` / OCX_TIMEOUT (issue 10 item 2): a registry that drips a manifest ends the command with
// exit 75 and a message naming the host, what was read and the bound; bad values are refused.

describe('ocx --timeout', () => {
  let server: TestHttpServer;
  let host: string;
  let manifestRequests = 0;

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url?.includes('/manifests/')) manifestRequests++;
      dripForever(res, 'application/vnd.oci.image.manifest.v1+json', 100000);
    });
    host = server.host;
  });
  afterAll(() => server.close());

  it('a manifest that drips past --timeout metadata=… ends with exit 75, once, naming host, manifest and bound', async () => {
    const r = await ocx(['discover', `${host}/drip/app:v1`, '--plain-http', '--no-cache', '--timeout', 'metadata=400ms']);
    expect(r.code, r.stderr).toBe(75);
    expect(r.stderr).toContain(`${host} did not send manifest drip/app:v1 completely within 400 ms`);
    expect(manifestRequests).toBe(1);
  });

  it('OCX_TIMEOUT applies too; the flag wins over it', async () => {
    manifestRequests = 0;
    const r = await ocx(['discover', `${host}/drip/app:v2`, '--plain-http', '--no-cache'], { OCX_TIMEOUT: '300ms' });
    expect(r.code, r.stderr).toBe(75);
    expect(r.stderr).toMatch(/within 300 ms|for 300 ms/);
    const f = await ocx(['discover', `${host}/drip/app:v3`, '--plain-http', '--no-cache', '--timeout', 'metadata=200ms'], { OCX_TIMEOUT: '5m' });
    expect(f.stderr).toContain('within 200 ms');
  });

  it('refuses a malformed --timeout (usage) and OCX_TIMEOUT (configuration)', async () => {
    const flag = await ocx(['discover', `${host}/drip/app:v1`, '--timeout', 'soon']);
    expect(flag.code).toBe(64);
    expect(flag.stderr).toMatch(/--timeout: "soon" is not a duration/);
    const env = await ocx(['discover', `${host}/drip/app:v1`], { OCX_TIMEOUT: 'blob=1s' });
    expect(env.code).toBe(78);
    expect(env.stderr).toMatch(/OCX_TIMEOUT: unknown kind "blob"/);
  });
});
