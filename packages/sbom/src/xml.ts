// Just enough XML for CycloneDX XML: start tags, attributes and character references. No DTD
// processing at all, so entity expansion ("billion laughs") and external entities (XXE) cannot happen.
export interface XmlStartTag {
  readonly prefix?: string;
  readonly local: string;
  readonly attrs: ReadonlyMap<string, string>;
}

const XML_ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function parseXmlAttrs(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of text.matchAll(XML_ATTR)) attrs.set(m[1]!, decodeXmlText(m[2] ?? m[3] ?? ''));
  return attrs;
}

/** The document element's start tag, skipping the XML declaration, PIs, comments and DOCTYPE. */
export function rootElement(text: string): XmlStartTag | undefined {
  const re = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/gy;
  let pos = 0;
  while (pos < text.length) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    if (m[2] !== undefined) {
      const prefix = m[1]?.slice(0, -1);
      return { ...(prefix ? { prefix } : {}), local: m[2], attrs: parseXmlAttrs(m[3] ?? '') };
    }
    pos = re.lastIndex;
  }
  return undefined;
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Predefined and numeric character references only (XML 1.0 §4.6); DTD entities are never expanded. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return XML_ENTITIES[ref] ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
