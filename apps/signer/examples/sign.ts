// Sign an image with a key as cosign v3 does (a Sigstore bundle pushed as an OCI 1.1 referrer).
// Run: npx tsx examples/sign.ts localhost:5000/app:v1 cosign.key   (COSIGN_PASSWORD for an encrypted key)
import { readFileSync } from 'node:fs';
import { parseReference, referenceTarget, RegistryClient, repositoryName, RemoteRepository } from '@ocx/oci';
import { loadSigningKey, signPackage } from '@ocx/signer';

const [target = `${process.env.OCX_REGISTRY ?? 'localhost:5000'}/app:v1`, keyFile = 'cosign.key'] = process.argv.slice(2);
const ref = parseReference(target);
if (ref.kind !== 'registry') throw new Error('a registry reference, please');
const key = loadSigningKey(readFileSync(keyFile, 'utf8'), process.env.COSIGN_PASSWORD);
const client = new RegistryClient({});
try {
  const { signed } = await signPackage(new RemoteRepository(client, ref), referenceTarget(ref), {
    key,
    repositoryName: repositoryName(ref),
    tlogUpload: false, // private setup: no Rekor entry (verify with --insecure-ignore-tlog)
    now: new Date(),
  });
  for (const s of signed) console.log(`signed ${s.digest}${s.platform ? ` [${s.platform}]` : ''}: ${s.format} ${s.signature}`);
} finally {
  await client.close();
}
