// CycloneDX 1.2–1.6 JSON (cyclonedx.org/docs/1.6/json). Components nest through `components`, tools
// changed shape in 1.5 (array of tools → {components, services}), licenses are a choice of
// `license.id`, `license.name` or `expression`.
import { z } from 'zod';
import { SbomError } from './errors.ts';
import { isRecord, records, str } from './input.ts';
import type { JsonRecord } from './input.ts';
import { SummaryBuilder, parseWith } from './summary.ts';
import type { SbomPackageRef, SbomSummary } from './summary.ts';

const CycloneDxJson = z.looseObject({
  serialNumber: z.string().optional(),
  metadata: z
    .looseObject({
      timestamp: z.string().optional(),
      tools: z.union([z.array(z.unknown()), z.looseObject({})]).optional(),
      authors: z.array(z.unknown()).optional(),
      component: z.looseObject({}).optional(),
    })
    .optional(),
  components: z.array(z.unknown()).optional(),
});

export function summarizeCycloneDxJson(json: unknown, specVersion: string, builder: SummaryBuilder): SbomSummary {
  const doc = parseWith(CycloneDxJson, json, 'CycloneDX JSON document');
  // Iterative pre-order walk (document order): nesting depth comes from the document, so no recursion.
  const stack: { list: readonly unknown[]; next: number }[] = [{ list: doc.components ?? [], next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next >= top.list.length) {
      stack.pop();
      continue;
    }
    const i = top.next++;
    const c = top.list[i];
    if (!isRecord(c)) {
      const where = stack.length === 1 ? `components.${i}` : `item ${i} of a components list nested ${stack.length - 1} deep`;
      throw new SbomError('INVALID', `CycloneDX JSON document is malformed at ${where}: not an object`);
    }
    builder.add({ ...componentRef(c), licenses: componentLicenses(c) });
    if (Array.isArray(c.components)) stack.push({ list: c.components, next: 0 });
  }
  const meta = doc.metadata;
  return builder.build({
    format: 'cyclonedx',
    encoding: 'json',
    specVersion,
    serialNumber: doc.serialNumber,
    creators: cycloneDxCreators(meta ?? {}),
    createdAt: meta?.timestamp,
    topLevel: meta?.component ? componentRef(meta.component) : undefined,
  });
}

function componentRef(c: JsonRecord): SbomPackageRef {
  return { name: str(c.name) ?? '', version: str(c.version), purl: str(c.purl) };
}

export function componentLicenses(c: JsonRecord): string[] {
  const out: string[] = [];
  for (const choice of records(c.licenses)) {
    const expression = str(choice.expression);
    if (expression !== undefined) out.push(expression);
    else if (isRecord(choice.license)) {
      const text = str(choice.license.id) ?? str(choice.license.name);
      if (text !== undefined) out.push(text);
    }
  }
  return out;
}

/** Creators in SPDX 2 syntax: tools, then authors and the manufacturer (1.6 `manufacturer`, ≤1.5 `manufacture`). */
function cycloneDxCreators(meta: JsonRecord): string[] {
  const out = new Set<string>();
  const tools = meta.tools;
  const toolList = Array.isArray(tools)
    ? records(tools)
    : isRecord(tools)
      ? [...records(tools.components), ...records(tools.services)]
      : [];
  for (const t of toolList) {
    // 1.4 tools have `vendor`; 1.5+ tool components have `group`/`publisher`, services `provider.name`.
    const by = str(t.vendor) ?? str(t.group) ?? str(t.publisher) ?? (isRecord(t.provider) ? str(t.provider.name) : undefined);
    const name = str(t.name);
    if (name !== undefined) out.add(`Tool: ${[by, name, str(t.version)].filter((x) => x !== undefined).join(' ')}`);
  }
  for (const a of records(meta.authors)) {
    const name = str(a.name);
    if (name !== undefined) out.add(`Person: ${name}${str(a.email) ? ` (${str(a.email)})` : ''}`);
  }
  for (const key of ['manufacturer', 'manufacture']) {
    const m = meta[key];
    const name = isRecord(m) ? str(m.name) : undefined;
    if (name !== undefined) out.add(`Organization: ${name}`);
  }
  return [...out];
}
