// syft's native JSON (anchore/syft schema/json, syft/format/syftjson/model): packages are
// `artifacts[]`; licenses are strings (schema < 9) or {value, spdxExpression, type, …}; the scanned
// thing is `source` (name/version since schema 11; older ones only have `target` / userInput).
import { z } from 'zod';
import { SbomError } from './errors.ts';
import { isRecord, str } from './input.ts';
import type { JsonRecord } from './input.ts';
import { SummaryBuilder, parseWith } from './summary.ts';
import type { SbomPackageRef, SbomSummary } from './summary.ts';

const SyftJson = z.looseObject({
  artifacts: z.array(z.unknown()),
  source: z.looseObject({}).optional(),
  descriptor: z.looseObject({ name: z.string().optional(), version: z.string().optional() }).optional(),
});

export function summarizeSyftJson(json: unknown, specVersion: string, builder: SummaryBuilder): SbomSummary {
  const doc = parseWith(SyftJson, json, 'syft JSON document');
  doc.artifacts.forEach((a, i) => {
    if (!isRecord(a)) throw new SbomError('INVALID', `syft JSON document is malformed at artifacts.${i}: not an object`);
    builder.add({ name: str(a.name) ?? '', version: str(a.version), purl: str(a.purl), licenses: syftLicenses(a) });
  });
  const tool = doc.descriptor?.name;
  return builder.build({
    format: 'syft',
    encoding: 'json',
    specVersion,
    creators: tool ? [`Tool: ${tool}${doc.descriptor?.version ? `-${doc.descriptor.version}` : ''}`] : [],
    topLevel: sourceRef(doc.source),
  });
}

function syftLicenses(a: JsonRecord): string[] {
  const out: string[] = [];
  for (const l of Array.isArray(a.licenses) ? a.licenses : []) {
    const text = typeof l === 'string' ? str(l) : isRecord(l) ? (str(l.spdxExpression) ?? str(l.value)) : undefined;
    if (text !== undefined) out.push(text);
  }
  return out;
}

function sourceRef(source: JsonRecord | undefined): SbomPackageRef | undefined {
  if (!source) return undefined;
  const meta = isRecord(source.metadata) ? source.metadata : {};
  const target = isRecord(source.target) ? source.target : {};
  const name = str(source.name) ?? str(meta.userInput) ?? str(source.target) ?? str(target.userInput);
  return name === undefined ? undefined : { name, version: str(source.version) };
}
