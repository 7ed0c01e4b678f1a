// Decide whether an image may be installed under a policy: load and explain it (offline), then
// verify the image's cosign signatures with each key signer the policy names, and let decide()
// judge the facts. (Keyless and notation signers take the same path through their verifiers.)
// Run: npx tsx examples/gate.ts policy.yaml localhost:5000/acme/tool:v1
import { readFileSync } from 'node:fs';
import { createTrust, findCosign, verifyCandidates, verifyCosignSignature } from '@ocx/cosign';
import { parseReference, referenceTarget, RegistryClient, RemoteRepository, repositoryName } from '@ocx/oci';
import { decide, explain, loadPolicy, renderWhy, type SignatureCandidate } from '@ocx/policy';

const [policyFile = 'policy.yaml', target = `${process.env.OCX_REGISTRY ?? 'localhost:5000'}/acme/tool:v1`] = process.argv.slice(2);
const policy = await loadPolicy(policyFile); // refuses bad YAML, unknown keys, ambiguous rules (PolicyError)
const plan = explain(policy, target); // which rule wins and what it enforces, before any request
console.log(`rule ${plan.rule ? `"${plan.rule.name}"` : `(none: unmatched ${plan.unmatched})`}, mode ${plan.mode}`);
for (const line of plan.enforced) console.log(`  will check: ${line}`);

const client = new RegistryClient({});
try {
  const ref = parseReference(target);
  if (ref.kind !== 'registry') throw new Error('a registry reference, please');
  const repo = new RemoteRepository(client, ref);
  const subject = await repo.resolve(referenceTarget(ref)); // the decision is about this digest
  const { candidates } = await findCosign(repo, subject, { mode: 'signature' });
  const signatures: SignatureCandidate[] = [];
  for (const signer of Object.values(policy.signers)) {
    if (signer.kind !== 'key') continue;
    const trust = createTrust({ keys: [readFileSync(signer.key, 'utf8')] });
    const outcomes = await verifyCandidates(repo, subject.digest, candidates, {
      verify: (l) => verifyCosignSignature(l.evidence, { trust, subjectDigest: subject.digest, insecureIgnoreTlog: signer.tlog === 'optional' }),
      accept: (v) => v.ok,
    });
    for (const o of outcomes) {
      if (!o.result?.ok) continue;
      // A fact, not a verdict: decide() matches it against the named signers itself.
      signatures.push({ family: 'cosign', kind: 'key', key: signer.key, tlog: o.result.tlog !== undefined, subjectDigest: subject.digest, source: o.candidate.manifest.digest, ...(o.result.statement ? { predicateType: o.result.statement.predicateType } : {}) });
    }
  }
  const decision = decide(policy, `${repositoryName(ref)}@${subject.digest}`, { signatures });
  console.log(renderWhy(decision.why).join('\n'));
  console.log(decision.allowed ? `allowed ${subject.digest}` : `blocked ${subject.digest}: ${decision.failures.join('; ')}`);
  process.exitCode = decision.exitCode; // 81: blocked by policy
} finally {
  await client.close();
}
