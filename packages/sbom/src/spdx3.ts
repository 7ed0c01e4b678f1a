// SPDX 3.0 JSON-LD serialisation (spdx.github.io/spdx-spec/v3.0.1/serializations): a flat `@graph`
// of elements that point at each other by `spdxId` (or blank-node `@id`). Packages are
// `software_Package`; licenses hang off packages through hasConcludedLicense / hasDeclaredLicense
// relationships; CreationInfo names the agents (createdBy) and tools (createdUsing).
import { z } from 'zod';
import { isRecord, records, str, strings } from './input.ts';
import type { JsonRecord } from './input.ts';
import { SummaryBuilder, parseWith } from './summary.ts';
import type { SbomPackageRef, SbomSummary } from './summary.ts';

const Spdx3JsonLd = z.looseObject({ '@graph': z.array(z.unknown()) });

const LISTED_LICENSE = /^https?:\/\/spdx\.org\/licenses\/([A-Za-z0-9.+-]+)$/;
// License sets nest; a real one is a handful deep. Deeper ones are cut, not followed.
const MAX_LICENSE_DEPTH = 16;

/**
 * Compact type name: the context maps `software_Package` etc., but a document may also spell the
 * full IRI (…/terms/Software/Package). Core classes carry no profile prefix.
 */
function typeOf(el: JsonRecord): string {
  const t = str(el.type) ?? str(el['@type']) ?? '';
  const m = /\/terms\/([A-Za-z]+)\/([A-Za-z]+)$/.exec(t);
  if (!m) return t;
  return m[1] === 'Core' ? m[2]! : `${m[1]!.toLowerCase()}_${m[2]}`;
}

function idOf(el: JsonRecord): string | undefined {
  return str(el.spdxId) ?? str(el['@id']);
}

/** A reference is an id string or an inline element. */
function refs(v: unknown): (string | JsonRecord)[] {
  return (Array.isArray(v) ? v : [v]).filter((x): x is string | JsonRecord => typeof x === 'string' || isRecord(x));
}

export function summarizeSpdx3JsonLd(json: unknown, specVersion: string, builder: SummaryBuilder): SbomSummary {
  const graph = records(parseWith(Spdx3JsonLd, json, 'SPDX 3 JSON-LD document')['@graph']);
  const byId = new Map<string, JsonRecord>();
  for (const el of graph) {
    const id = idOf(el);
    if (id !== undefined && !byId.has(id)) byId.set(id, el);
  }
  const resolve = (r: string | JsonRecord): JsonRecord | undefined => (typeof r === 'string' ? byId.get(r) : r);

  const concluded = new Map<string, (string | JsonRecord)[]>();
  const declared = new Map<string, (string | JsonRecord)[]>();
  const describes = new Map<string, string[]>();
  for (const el of graph) {
    const type = typeOf(el);
    if (type !== 'Relationship' && type !== 'LifecycleScopedRelationship') continue;
    const from = str(el.from);
    if (from === undefined) continue;
    const target =
      el.relationshipType === 'hasConcludedLicense'
        ? concluded
        : el.relationshipType === 'hasDeclaredLicense'
          ? declared
          : undefined;
    if (target) append(target, from, refs(el.to));
    else if (el.relationshipType === 'describes') append(describes, from, strings(el.to));
  }

  const renderAll = (list: (string | JsonRecord)[] | undefined): string[] =>
    (list ?? []).map((r) => renderLicense(r, resolve, 0)).filter((x): x is string => x !== undefined);
  const packages = new Map<string, SbomPackageRef>();
  for (const el of graph) {
    if (typeOf(el) !== 'software_Package') continue;
    const ref = packageRef(el);
    const id = idOf(el);
    if (id !== undefined) packages.set(id, ref);
    // Same rule as SPDX 2: concluded unless it is only NOASSERTION, then declared.
    const c = renderAll(id === undefined ? undefined : concluded.get(id)).filter((x) => x !== 'NOASSERTION');
    builder.add({ ...ref, licenses: c.length > 0 ? c : renderAll(id === undefined ? undefined : declared.get(id)) });
  }

  const doc = graph.find((el) => typeOf(el) === 'SpdxDocument');
  const info = creationInfo(doc, graph, resolve);
  return builder.build({
    format: 'spdx',
    encoding: 'json-ld',
    specVersion,
    name: doc ? str(doc.name) : undefined,
    creators: info ? creators(info, resolve) : [],
    createdAt: info ? str(info.created) : undefined,
    topLevel: topLevel(doc, packages, describes, resolve),
  });
}

function packageRef(el: JsonRecord): SbomPackageRef {
  const purl =
    str(el.software_packageUrl) ??
    records(el.externalIdentifier)
      .filter((x) => x.externalIdentifierType === 'packageUrl')
      .map((x) => str(x.identifier))
      .find((x) => x !== undefined);
  return { name: str(el.name) ?? '', version: str(el.software_packageVersion), purl };
}

function creationInfo(
  doc: JsonRecord | undefined,
  graph: readonly JsonRecord[],
  resolve: (r: string | JsonRecord) => JsonRecord | undefined,
): JsonRecord | undefined {
  const ref = doc?.creationInfo;
  const own = typeof ref === 'string' || isRecord(ref) ? resolve(ref) : undefined;
  return own ?? graph.find((el) => typeOf(el) === 'CreationInfo');
}

function creators(info: JsonRecord, resolve: (r: string | JsonRecord) => JsonRecord | undefined): string[] {
  const out = new Set<string>();
  for (const r of refs(info.createdBy)) {
    const agent = resolve(r);
    const name = agent ? str(agent.name) : undefined;
    if (agent && name !== undefined) out.add(`${typeOf(agent) || 'Agent'}: ${name}`);
  }
  for (const r of refs(info.createdUsing)) {
    const tool = resolve(r);
    const name = tool ? str(tool.name) : undefined;
    if (name !== undefined) out.add(`Tool: ${name}`);
  }
  return [...out];
}

/** SpdxDocument.rootElement (through an Sbom/Bom element if that is the root), then `describes`. */
function topLevel(
  doc: JsonRecord | undefined,
  packages: ReadonlyMap<string, SbomPackageRef>,
  describes: ReadonlyMap<string, string[]>,
  resolve: (r: string | JsonRecord) => JsonRecord | undefined,
): SbomPackageRef | undefined {
  if (!doc) return undefined;
  const candidates: string[] = [];
  for (const r of refs(doc.rootElement)) {
    const el = resolve(r);
    const id = typeof r === 'string' ? r : idOf(r);
    if (el && ['software_Sbom', 'Bom', 'Bundle'].includes(typeOf(el))) {
      candidates.push(...strings(el.rootElement));
      if (id !== undefined) candidates.push(...(describes.get(id) ?? []));
    } else if (id !== undefined) candidates.push(id);
  }
  const docId = idOf(doc);
  if (docId !== undefined) candidates.push(...(describes.get(docId) ?? []));
  return candidates.map((id) => packages.get(id)).find((p) => p !== undefined);
}

/** One license element as SPDX expression text (SPDX 3.0 SimpleLicensing / ExpandedLicensing). */
function renderLicense(
  r: string | JsonRecord,
  resolve: (r: string | JsonRecord) => JsonRecord | undefined,
  depth: number,
): string | undefined {
  if (depth > MAX_LICENSE_DEPTH) return undefined;
  if (typeof r === 'string') {
    const listed = LISTED_LICENSE.exec(r);
    if (listed) return listed[1];
    if (/NoAssertionLicense$/.test(r)) return 'NOASSERTION';
    if (/NoneLicense$/.test(r)) return 'NONE';
  }
  const el = resolve(r);
  if (!el) return undefined;
  const sub = (v: unknown): string[] =>
    refs(v)
      .map((x) => renderLicense(x, resolve, depth + 1))
      .filter((x): x is string => x !== undefined);
  switch (typeOf(el)) {
    case 'simplelicensing_LicenseExpression':
      return str(el.simplelicensing_licenseExpression);
    case 'expandedlicensing_ListedLicense':
    case 'expandedlicensing_ListedLicenseException': {
      const id = idOf(el);
      return (id !== undefined ? LISTED_LICENSE.exec(id)?.[1] : undefined) ?? str(el.name);
    }
    case 'expandedlicensing_CustomLicense':
    case 'expandedlicensing_CustomLicenseAddition':
      return str(el.name) ?? idOf(el);
    case 'expandedlicensing_ConjunctiveLicenseSet':
      return join(sub(el.expandedlicensing_member), 'AND');
    case 'expandedlicensing_DisjunctiveLicenseSet':
      return join(sub(el.expandedlicensing_member), 'OR');
    case 'expandedlicensing_OrLaterOperator': {
      const [s] = sub(el.expandedlicensing_subjectLicense);
      return s === undefined ? undefined : `${s}+`;
    }
    case 'expandedlicensing_WithAdditionOperator': {
      const [s] = sub(el.expandedlicensing_subjectExtendableLicense);
      const [a] = sub(el.expandedlicensing_subjectAddition);
      return s === undefined || a === undefined ? undefined : `${s} WITH ${a}`;
    }
    default:
      return undefined;
  }
}

function join(parts: string[], op: 'AND' | 'OR'): string | undefined {
  return parts.length === 0 ? undefined : parts.map((p) => (parts.length > 1 && / (AND|OR) /.test(p) ? `(${p})` : p)).join(` ${op} `);
}

function append<T>(map: Map<string, T[]>, key: string, values: readonly T[]): void {
  const list = map.get(key);
  if (list) for (const v of values) list.push(v);
  else map.set(key, [...values]);
}
