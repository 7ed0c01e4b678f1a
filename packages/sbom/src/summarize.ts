// summarizeSbom: bytes in, one SbomSummary out, whatever the format. Pure: no I/O, no clock.
import { readSbom } from './detect.ts';
import type { SbomHint } from './detect.ts';
import { SbomError } from './errors.ts';
import { decodeUtf8 } from './input.ts';
import { resolveSbomLimits } from './limits.ts';
import type { SbomLimits } from './limits.ts';
import { summarizeCycloneDxJson } from './cyclonedx.ts';
import { summarizeCycloneDxXml } from './cyclonedx-xml.ts';
import { summarizeSpdx2Json } from './spdx2.ts';
import { summarizeSpdx3JsonLd } from './spdx3.ts';
import { summarizeSpdxTagValue } from './spdx-tag-value.ts';
import { summarizeSyftJson } from './syft.ts';
import { SummaryBuilder } from './summary.ts';
import type { SbomSummary } from './summary.ts';

export interface SummarizeOptions {
  readonly limits?: Partial<SbomLimits>;
  /** Also list every package (name, version, purl, licenses). Off by default: SBOMs can be huge. */
  readonly includePackages?: boolean;
}

export function summarizeSbom(bytes: Uint8Array, hint?: SbomHint, options: SummarizeOptions = {}): SbomSummary {
  const limits = resolveSbomLimits(options.limits);
  const { detection, json } = readSbom(bytes, hint, limits, true);
  const builder = new SummaryBuilder(limits, options.includePackages ?? false);
  const { format, encoding, specVersion } = detection;
  if (format === 'spdx' && encoding === 'json' && specVersion) return summarizeSpdx2Json(json, specVersion, builder);
  if (format === 'spdx' && encoding === 'tag-value' && specVersion) {
    return summarizeSpdxTagValue(decodeUtf8(bytes), specVersion, builder);
  }
  if (format === 'spdx' && encoding === 'json-ld') {
    return summarizeSpdx3JsonLd(json, required(specVersion || undefined, 'SPDX 3 document has no specVersion'), builder);
  }
  if (format === 'cyclonedx' && encoding === 'json') {
    return summarizeCycloneDxJson(json, required(specVersion, 'CycloneDX document has no specVersion'), builder);
  }
  if (format === 'cyclonedx' && encoding === 'xml' && specVersion) {
    return summarizeCycloneDxXml(decodeUtf8(bytes), specVersion, builder);
  }
  if (format === 'syft') return summarizeSyftJson(json, required(specVersion, 'syft document has no schema.version'), builder);
  throw new SbomError(
    'UNSUPPORTED_FORMAT',
    format === 'unknown'
      ? 'not a recognised SBOM (expected SPDX 2/3, CycloneDX or syft)'
      : `${format} ${encoding} SBOMs can be detected but not summarised`,
  );
}

function required(value: string | undefined, message: string): string {
  if (value === undefined) throw new SbomError('INVALID', message);
  return value;
}
