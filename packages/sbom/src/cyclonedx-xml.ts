// CycloneDX 1.x XML (cyclonedx.org/docs/1.6/xml), read with a small forward-only tag scanner rather
// than an XML library: only element nesting and character data are needed. DOCTYPE is refused (no
// entity expansion, no external entities); comments, PIs and CDATA are understood.
import { SbomError } from './errors.ts';
import { SummaryBuilder } from './summary.ts';
import type { SbomPackageRef, SbomSummary } from './summary.ts';
import { decodeXmlText, parseXmlAttrs } from './xml.ts';

type EntityKind = 'component' | 'topLevel' | 'tool' | 'author' | 'organization';

interface Entity {
  readonly kind: EntityKind;
  /** Index of the entity's element in the element stack. */
  readonly depth: number;
  readonly fields: Map<string, string>;
  readonly licenses: string[];
  /** SummaryBuilder slot of a component, taken when it opens. */
  readonly slot?: number;
  license?: { id?: string; name?: string };
}

const FIELDS = new Set(['name', 'version', 'purl', 'group', 'vendor', 'publisher', 'email']);
const TAG = /<(\/?)([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;

function malformed(message: string): SbomError {
  return new SbomError('PARSE', `CycloneDX XML is malformed: ${message}`);
}

export function summarizeCycloneDxXml(text: string, specVersion: string, builder: SummaryBuilder): SbomSummary {
  const stack: string[] = [];
  const entities: Entity[] = [];
  const creators = new Set<string>();
  let serialNumber: string | undefined;
  let createdAt: string | undefined;
  let topLevel: SbomPackageRef | undefined;
  let chars: string[] = [];
  let pos = 0;

  const kindFor = (local: string): EntityKind | undefined => {
    // Every path of interest is at most four elements long; deeper stacks are never joined.
    const path = stack.length <= 4 ? stack.join('/') : '';
    const top = entities[entities.length - 1];
    if (local === 'component') {
      if (path === 'bom/components') return 'component';
      if (stack[stack.length - 1] === 'components' && top?.kind === 'component' && top.depth === stack.length - 2) return 'component';
      if (path === 'bom/metadata') return 'topLevel';
      if (path === 'bom/metadata/tools/components') return 'tool';
    }
    if (local === 'tool' && path === 'bom/metadata/tools') return 'tool';
    if (local === 'service' && path === 'bom/metadata/tools/services') return 'tool';
    if (local === 'author' && path === 'bom/metadata/authors') return 'author';
    if ((local === 'manufacturer' || local === 'manufacture') && path === 'bom/metadata') return 'organization';
    return undefined;
  };

  const close = (local: string): void => {
    const index = stack.length - 1;
    const value = (): string => decodeXmlText(chars.join('')).trim();
    const e = entities[entities.length - 1];
    if (e && index === e.depth) {
      entities.pop();
      finish(e);
    } else if (e && index === e.depth + 1 && FIELDS.has(local)) {
      e.fields.set(local, value());
    } else if (e && stack[e.depth + 1] === 'licenses') {
      if (index === e.depth + 2 && local === 'expression') e.licenses.push(value());
      else if (index === e.depth + 3 && stack[e.depth + 2] === 'license' && (local === 'id' || local === 'name')) {
        (e.license ??= {})[local] = value();
      } else if (index === e.depth + 2 && local === 'license') {
        const text = e.license?.id || e.license?.name;
        if (text) e.licenses.push(text);
        e.license = undefined;
      }
    } else if (stack.length === 3 && stack.join('/') === 'bom/metadata/timestamp') {
      createdAt = value() || undefined;
    }
    stack.pop();
  };

  const finish = (e: Entity): void => {
    const f = (k: string): string | undefined => e.fields.get(k) || undefined;
    const ref = { name: f('name') ?? '', version: f('version'), purl: f('purl') };
    if (e.kind === 'component') builder.complete(e.slot ?? builder.begin(), { ...ref, licenses: e.licenses });
    else if (e.kind === 'topLevel') topLevel = ref;
    else if (e.kind === 'tool' && f('name')) {
      const by = f('vendor') ?? f('group') ?? f('publisher');
      creators.add(`Tool: ${[by, f('name'), f('version')].filter((x) => x !== undefined).join(' ')}`);
    } else if (e.kind === 'author' && f('name')) creators.add(`Person: ${f('name')}${f('email') ? ` (${f('email')})` : ''}`);
    else if (e.kind === 'organization' && f('name')) creators.add(`Organization: ${f('name')}`);
  };

  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const end = lt === -1 ? text.length : lt;
    if (end > pos) chars.push(text.slice(pos, end));
    if (lt === -1) break;
    // Markup that is not an element: each needs its terminator, so a truncated document fails fast.
    const skip = (open: string, term: string): number | undefined => {
      if (!text.startsWith(open, lt)) return undefined;
      const t = text.indexOf(term, lt + open.length);
      if (t === -1) throw malformed(`unterminated ${open}`);
      return t + term.length;
    };
    if (text.startsWith('<![CDATA[', lt)) {
      const t = skip('<![CDATA[', ']]>')!;
      chars.push(text.slice(lt + 9, t - 3).replace(/&/g, '&amp;'));
      pos = t;
      continue;
    }
    const other = skip('<!--', '-->') ?? skip('<?', '?>');
    if (other !== undefined) {
      pos = other;
      continue;
    }
    if (text.startsWith('<!', lt)) throw malformed('DOCTYPE and other declarations are not accepted');
    TAG.lastIndex = lt;
    const m = TAG.exec(text);
    if (!m) throw malformed(`unexpected "<" at offset ${lt}`);
    pos = TAG.lastIndex;
    const [, slash, , local, attrs, selfClosing] = m as unknown as [string, string, string | undefined, string, string, string];
    if (slash) {
      if (stack[stack.length - 1] !== local) throw malformed(`</${local}> does not close <${stack[stack.length - 1] ?? ''}>`);
      close(local);
      chars = [];
      continue;
    }
    if (stack.length === 0) {
      if (local !== 'bom') throw malformed(`root element is <${local}>, not <bom>`);
      serialNumber = parseXmlAttrs(attrs).get('serialNumber') || undefined;
    }
    const kind = kindFor(local);
    stack.push(local);
    if (kind) {
      const slot = kind === 'component' ? builder.begin() : undefined;
      entities.push({ kind, depth: stack.length - 1, fields: new Map(), licenses: [], ...(slot === undefined ? {} : { slot }) });
    }
    chars = [];
    if (selfClosing) close(local);
  }
  if (stack.length > 0) throw malformed(`<${stack[stack.length - 1]}> is never closed`);

  return builder.build({
    format: 'cyclonedx',
    encoding: 'xml',
    specVersion,
    serialNumber,
    creators: [...creators],
    createdAt,
    topLevel,
  });
}
