// Verify an image's cosign signature with a public key, against the digest resolved here.
// Run: npx tsx examples/verify-key.ts localhost:5000/app:v1 cosign.pub [--insecure-ignore-tlog]
import { readFileSync } from 'node:fs';
import { parseReference, referenceTarget, RegistryClient, RemoteRepository } from '@ocx/oci';
import { createTrust, findCosign, verifyCandidates, verifyCosignSignature } from '@ocx/cosign';

const [target = `${process.env.OCX_REGISTRY ?? 'localhost:5000'}/app:v1`, keyFile = 'cosign.pub', flag] = process.argv.slice(2);
const trust = createTrust({ keys: [readFileSync(keyFile, 'utf8')] });
const client = new RegistryClient({});
try {
  const ref = parseReference(target);
  if (ref.kind !== 'registry') throw new Error('a registry reference, please');
  const repo = new RemoteRepository(client, ref);
  const subject = await repo.resolve(referenceTarget(ref)); // pin the digest once
  // Bundle referrers (cosign v3) and the legacy sha256-<hex>.sig tag (cosign v2).
  const { candidates } = await findCosign(repo, subject, { mode: 'signature' });
  const outcomes = await verifyCandidates(repo, subject.digest, candidates, {
    verify: (l) => verifyCosignSignature(l.evidence, { trust, subjectDigest: subject.digest, insecureIgnoreTlog: flag === '--insecure-ignore-tlog' }),
    accept: (v) => v.ok, // any one valid signature is enough, as `cosign verify`
  });
  const ok = outcomes.find((o) => o.result?.ok);
  console.log(ok ? `verified ${subject.digest}: ${ok.candidate.format} signature` : `NOT verified ${subject.digest}: ${outcomes.flatMap((o) => o.result?.reasons ?? (o.error ? [o.error.message] : [])).join('; ') || 'no signature'}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await client.close();
}
