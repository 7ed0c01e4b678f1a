// Verify an image's notation signature with a notation configuration directory (trustpolicy.json
// and truststore/x509/…), as `notation verify` does: the trust policy statement for the repository
// picks the trust stores, identities and verification level.
// Run: npx tsx examples/verify.ts localhost:5000/app:v1 ~/.config/notation
import { parseReference, referenceTarget, RegistryClient, RemoteRepository, repositoryName } from '@ocx/oci';
import { loadStatementAnchors, loadTrustPolicy, notationConfigDir, selectPolicy, verifyNotationArtifact } from '@ocx/notation';

const [target = `${process.env.OCX_REGISTRY ?? 'localhost:5000'}/app:v1`, configDir = notationConfigDir(process.env)] = process.argv.slice(2);
const client = new RegistryClient({});
try {
  const ref = parseReference(target);
  if (ref.kind !== 'registry') throw new Error('a registry reference, please');
  const repo = new RemoteRepository(client, ref);
  const subject = await repo.resolve(referenceTarget(ref)); // pin the digest once
  const { document } = await loadTrustPolicy(configDir);
  const statement = selectPolicy(document, repositoryName(ref));
  const trustAnchors = await loadStatementAnchors(configDir, statement);
  const result = await verifyNotationArtifact(repo, subject, { statement, trustAnchors, now: new Date() });
  console.log(`${result.verified ? 'verified' : 'NOT verified'} ${subject.digest} (trust policy "${statement.name}", ${result.found} signature(s))`);
  for (const s of result.signatures) for (const f of s.enforcedFailures) console.log(`  ${s.referrer.digest}: ${f.type}: ${f.reason ?? f.status}`);
  process.exitCode = result.verified ? 0 : 1;
} finally {
  await client.close();
}
