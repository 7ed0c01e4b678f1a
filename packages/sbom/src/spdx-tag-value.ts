// SPDX 2.x tag-value (SPDX 2.3 Annex "SPDX Lite"/§5 and the tag-value format of each section): one
// `Tag: Value` per line, `#` comments, multi-line values wrapped in <text>…</text>. A PackageName
// starts a package section that lasts until the next section-starting tag.
import { SbomError } from './errors.ts';
import { describedIds, pickSpdxLicense } from './spdx2.ts';
import { SummaryBuilder } from './summary.ts';
import type { SbomPackageRef, SbomSummary } from './summary.ts';

interface TagValue {
  readonly tag: string;
  readonly value: string;
}

const TAG_LINE = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]?(.*)$/;

/** Yields tag/value pairs; lines that are neither tags, comments nor blank are ignored. */
function* tagValues(text: string): Generator<TagValue> {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = TAG_LINE.exec(line);
    if (!m) continue;
    let value = m[2]!.trim();
    if (value.startsWith('<text>')) {
      const parts = [value.slice('<text>'.length)];
      while (!parts[parts.length - 1]!.includes('</text>')) {
        if (++i >= lines.length) throw new SbomError('PARSE', `SPDX tag-value: <text> of ${m[1]} is never closed`);
        parts.push(lines[i]!);
      }
      const joined = parts.join('\n');
      value = joined.slice(0, joined.indexOf('</text>'));
    }
    yield { tag: m[1]!, value };
  }
}

interface PackageSection {
  name: string;
  id?: string;
  version?: string;
  purl?: string;
  concluded?: string;
  declared?: string;
}

// Tags that open a section other than a package (§8 files, §9 snippets, §10 other licensing info).
const OTHER_SECTIONS = new Set(['FileName', 'SnippetSPDXID', 'LicenseID']);

export function summarizeSpdxTagValue(text: string, specVersion: string, builder: SummaryBuilder): SbomSummary {
  let name: string | undefined;
  let namespace: string | undefined;
  let created: string | undefined;
  let documentId = 'SPDXRef-DOCUMENT';
  const creators = new Set<string>();
  const relationships: { from: string; type: string; to: string }[] = [];
  const byId = new Map<string, SbomPackageRef>();
  let section: 'document' | 'package' | 'other' = 'document';
  let pkg: PackageSection | undefined;

  const flush = (): void => {
    if (pkg === undefined) return;
    const ref = { name: pkg.name, version: pkg.version, purl: pkg.purl };
    if (pkg.id !== undefined && !byId.has(pkg.id)) byId.set(pkg.id, ref);
    builder.add({ ...ref, licenses: pickSpdxLicense(pkg.concluded, pkg.declared) });
    pkg = undefined;
  };

  for (const { tag, value } of tagValues(text)) {
    if (tag === 'PackageName') {
      flush();
      section = 'package';
      pkg = { name: value };
      continue;
    }
    if (OTHER_SECTIONS.has(tag)) {
      flush();
      section = 'other';
    }
    if (tag === 'Relationship') {
      const [from, type, to] = value.split(/\s+/);
      if (from && type && to) relationships.push({ from, type, to });
      continue;
    }
    if (section === 'document') {
      if (tag === 'DocumentName') name = value;
      else if (tag === 'DocumentNamespace') namespace = value;
      else if (tag === 'Creator' && value) creators.add(value);
      else if (tag === 'Created') created = value;
      else if (tag === 'SPDXID') documentId = value;
    } else if (section === 'package' && pkg) {
      if (tag === 'SPDXID') pkg.id = value;
      else if (tag === 'PackageVersion') pkg.version = value || undefined;
      else if (tag === 'PackageLicenseConcluded') pkg.concluded = value;
      else if (tag === 'PackageLicenseDeclared') pkg.declared = value;
      else if (tag === 'ExternalRef' && pkg.purl === undefined) {
        // §7.21: "ExternalRef: <category> <type> <locator>".
        const [, type, locator] = value.split(/\s+/);
        if (type === 'purl' && locator) pkg.purl = locator;
      }
    }
  }
  flush();

  const topLevel = describedIds(documentId, relationships)
    .map((id) => byId.get(id))
    .find((p) => p !== undefined);
  return builder.build({
    format: 'spdx',
    encoding: 'tag-value',
    specVersion,
    name,
    documentNamespace: namespace,
    creators: [...creators],
    createdAt: created,
    topLevel,
  });
}
