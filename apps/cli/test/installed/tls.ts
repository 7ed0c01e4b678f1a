import { readFile } from 'node:fs/promises';
import { makeTestCertificate, type TestCertificate } from '@ocx/testkit';

/** A test CA (trusted by nothing else) and a leaf for 127.0.0.1/localhost, with the PEMs a server needs. */
export async function tlsSetup(): Promise<{ cert: TestCertificate; key: Buffer; certPem: Buffer }> {
  const cert = await makeTestCertificate();
  return { cert, key: await readFile(cert.keyFile), certPem: await readFile(cert.certFile) };
}
