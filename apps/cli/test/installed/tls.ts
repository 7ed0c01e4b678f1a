import { readFile } from 'node:fs/promises';
import { isCI, makeTestCertificate, type TestCertificate } from '@ocx/testkit';
import { installedOcx, loopbackHttps } from './harness.ts';

/** A test CA and leaf for 127.0.0.1, and whether the installed ocx reaches TLS on loopback at all. */
export async function tlsSetup(): Promise<{ cert: TestCertificate; key: Buffer; certPem: Buffer; ready: boolean }> {
  const cert = await makeTestCertificate();
  const key = await readFile(cert.keyFile);
  const certPem = await readFile(cert.certFile);
  const ready = await loopbackHttps((await installedOcx()).bin, cert.caFile, { key, cert: certPem });
  if (!ready) {
    const msg = 'installed ocx talks plain http to 127.0.0.1 even with --ca-file (loopback https-first is not in this build): TLS scenarios skipped';
    if (isCI()) throw new Error(msg);
    console.warn(`skipped: ${msg}`);
  }
  return { cert, key, certPem, ready };
}
