// SLSA provenance facts a rule can check (builderId, source repository/ref), read from a VERIFIED
// attestation's statement. v1: runDetails.builder.id and buildDefinition.externalParameters.workflow
// (GitHub's generator); v0.2: builder.id and invocation.configSource (slsa.dev/provenance).
import { signedPayload, type CosignEvidence } from '@ocx/cosign';

const obj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function slsaFacts(evidence: CosignEvidence): { builderId?: string; sourceRepository?: string; sourceRef?: string } {
  let statement: Record<string, unknown> | undefined;
  try {
    statement = obj(signedPayload(evidence));
  } catch {
    return {};
  }
  const predicate = obj(statement?.predicate);
  if (!predicate) return {};
  const v1Builder = str(obj(obj(predicate.runDetails)?.builder)?.id);
  const workflow = obj(obj(obj(predicate.buildDefinition)?.externalParameters)?.workflow);
  const v02Builder = str(obj(predicate.builder)?.id);
  const configSource = obj(obj(predicate.invocation)?.configSource);
  const builderId = v1Builder ?? v02Builder;
  const sourceRepository = str(workflow?.repository) ?? str(configSource?.uri)?.replace(/@.*$/, '');
  const sourceRef = str(workflow?.ref) ?? str(configSource?.uri)?.match(/@(.*)$/)?.[1];
  return { ...(builderId ? { builderId } : {}), ...(sourceRepository ? { sourceRepository } : {}), ...(sourceRef ? { sourceRef } : {}) };
}
