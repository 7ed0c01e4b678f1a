// SPDX 2.2 / 2.3 JSON (SPDX 2.3 spec, Annex "SPDX JSON" and schemas/spdx-schema.json).
import { z } from 'zod';
import { SbomError } from './errors.ts';
import { isRecord, records, str, strings } from './input.ts';
import type { JsonRecord } from './input.ts';
import { SummaryBuilder, parseWith } from './summary.ts';
import type { SbomPackageRef, SbomSummary } from './summary.ts';

const Spdx2Json = z.looseObject({
  spdxVersion: z.string(),
  SPDXID: z.string().optional(),
  name: z.string().optional(),
  documentNamespace: z.string().optional(),
  creationInfo: z
    .looseObject({ creators: z.array(z.string()).optional(), created: z.string().optional() })
    .optional(),
  documentDescribes: z.array(z.string()).optional(),
  packages: z.array(z.unknown()).optional(),
  relationships: z.array(z.unknown()).optional(),
});

const DOCUMENT_ID = 'SPDXRef-DOCUMENT';

/**
 * The license a package is under: the concluded one (what the SBOM author determined, §7.13) unless
 * it is NOASSERTION or absent, then the declared one (§7.15).
 */
export function pickSpdxLicense(concluded: string | undefined, declared: string | undefined): string[] {
  for (const v of [concluded, declared]) {
    if (v !== undefined && v.trim() !== '' && v.trim().toUpperCase() !== 'NOASSERTION') return [v];
  }
  return [];
}

/** Relationship-derived "describes" targets, in document order (§11: DESCRIBES and DESCRIBED_BY). */
export function describedIds(
  documentId: string,
  relationships: readonly { from: string; type: string; to: string }[],
): string[] {
  const out: string[] = [];
  for (const r of relationships) {
    const type = r.type.toUpperCase();
    if (type === 'DESCRIBES' && r.from === documentId) out.push(r.to);
    else if (type === 'DESCRIBED_BY' && r.to === documentId) out.push(r.from);
  }
  return out;
}

export function summarizeSpdx2Json(json: unknown, specVersion: string, builder: SummaryBuilder): SbomSummary {
  const doc = parseWith(Spdx2Json, json, 'SPDX JSON document');
  const byId = new Map<string, SbomPackageRef>();
  (doc.packages ?? []).forEach((p, i) => {
    if (!isRecord(p)) throw new SbomError('INVALID', `SPDX JSON document is malformed at packages.${i}: not an object`);
    const ref = packageRef(p);
    const id = str(p.SPDXID);
    if (id !== undefined && !byId.has(id)) byId.set(id, ref);
    builder.add({ ...ref, licenses: pickSpdxLicense(str(p.licenseConcluded), str(p.licenseDeclared)) });
  });
  const relationships = records(doc.relationships).map((r) => ({
    from: str(r.spdxElementId) ?? '',
    type: str(r.relationshipType) ?? '',
    to: str(r.relatedSpdxElement) ?? '',
  }));
  const described = [...(doc.documentDescribes ?? []), ...describedIds(doc.SPDXID ?? DOCUMENT_ID, relationships)];
  const topLevel = described.map((id) => byId.get(id)).find((p) => p !== undefined);
  return builder.build({
    format: 'spdx',
    encoding: 'json',
    specVersion,
    name: doc.name,
    documentNamespace: doc.documentNamespace,
    creators: [...new Set(strings(doc.creationInfo?.creators).map((c) => c.trim()))],
    createdAt: doc.creationInfo?.created,
    topLevel,
  });
}

function packageRef(p: JsonRecord): SbomPackageRef {
  // §7.21 external references: category PACKAGE-MANAGER (PACKAGE_MANAGER in 2.3), type "purl".
  const purl = records(p.externalRefs).find((r) => r.referenceType === 'purl');
  return { name: str(p.name) ?? '', version: str(p.versionInfo), purl: purl ? str(purl.referenceLocator) : undefined };
}
