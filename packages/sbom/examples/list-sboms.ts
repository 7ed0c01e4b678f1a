// List the SBOMs attached to an image (OCI 1.1 referrers, cosign attestations and legacy tags) and
// summarise each. Finding proves nothing about who made them: verify signatures to trust one.
// Run: npx tsx examples/list-sboms.ts localhost:5000/app:v1
import { parseReference, referenceTarget, RegistryClient, RemoteRepository } from '@ocx/oci';
import { fetchSbomBytes, findSboms, summarizeSbom } from '@ocx/sbom';

const [target = `${process.env.OCX_REGISTRY ?? 'localhost:5000'}/app:v1`] = process.argv.slice(2);
const client = new RegistryClient({});
try {
  const ref = parseReference(target);
  if (ref.kind !== 'registry') throw new Error('a registry reference, please');
  const repo = new RemoteRepository(client, ref);
  const subject = await repo.resolve(referenceTarget(ref));
  const { findings, skipped } = await findSboms(repo, subject);
  for (const f of findings) {
    const bytes = await fetchSbomBytes(repo, f); // capped, and checked against the digest
    const s = summarizeSbom(bytes, f.predicateType ? { predicateType: f.predicateType } : { mediaType: f.mediaType });
    console.log(`${f.source} ${f.digest}: ${s.format} ${s.specVersion}, ${s.packageCount} package(s), licenses ${s.licenses.map((l) => l.expression).join(', ') || 'none'}`);
  }
  for (const s of skipped) console.log(`skipped ${s.referrer}: ${s.reason}`);
  if (findings.length === 0) console.log(`no SBOM attached to ${target}`);
} finally {
  await client.close();
}
