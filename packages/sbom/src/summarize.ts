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
  const builder = new SummaryBuilder(limits, options.includePackages ?? false, detection.hintMismatch);
  const { format, encoding } = detection;
  // Detection only reports spdx/cyclonedx when it found the version marker, except SPDX 3 and
  // CycloneDX JSON, whose version fields are checked here.
  const version = (what: string): string => {
    if (!detection.specVersion) throw new SbomError('INVALID', `${what} names no spec version`);
    return detection.specVersion;
  };
  switch (`${format}/${encoding}`) {
    case 'spdx/json':
      return summarizeSpdx2Json(json, version('SPDX document'), builder);
    case 'spdx/tag-value':
      return summarizeSpdxTagValue(decodeUtf8(bytes), version('SPDX document'), builder);
    case 'spdx/json-ld':
      return summarizeSpdx3JsonLd(json, version('SPDX 3 document'), builder);
    case 'cyclonedx/json':
      return summarizeCycloneDxJson(json, version('CycloneDX document'), builder);
    case 'cyclonedx/xml':
      return summarizeCycloneDxXml(decodeUtf8(bytes), version('CycloneDX document'), builder);
    case 'syft/json':
      return summarizeSyftJson(json, version('syft document (schema.version)'), builder);
    default:
      throw new SbomError(
        'UNSUPPORTED_FORMAT',
        format === 'unknown'
          ? 'not a recognised SBOM (expected SPDX 2/3, CycloneDX or syft)'
          : `${format} ${encoding} SBOMs can be detected but not summarised`,
      );
  }
}
