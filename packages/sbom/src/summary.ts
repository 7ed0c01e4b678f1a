// The one summary shape every format reader produces. JSON-serialisable and stable: the CLI prints
// it with `--format json`, so fields are only ever added.
import { z } from 'zod';
import { SbomError } from './errors.ts';
import { compact } from './input.ts';
import { LicenseTally } from './license.ts';
import type { SbomLimits } from './limits.ts';

export const SbomPackageRefSchema = z.object({
  name: z.string(),
  version: z.string().optional(),
  purl: z.string().optional(),
});

export const SbomPackageSchema = SbomPackageRefSchema.extend({
  /** Normalised expressions; NONE / NOASSERTION are left out. */
  licenses: z.array(z.string()),
});

export const LicenseCountSchema = z.object({
  expression: z.string(),
  count: z.number().int().nonnegative(),
  /** False for text that is not a valid SPDX expression (a CycloneDX license `name`, a typo). */
  valid: z.boolean(),
});

export const SbomSummarySchema = z.object({
  format: z.enum(['spdx', 'cyclonedx', 'syft']),
  encoding: z.enum(['json', 'tag-value', 'xml', 'json-ld']),
  specVersion: z.string(),
  /** SPDX document name. */
  name: z.string().optional(),
  /** CycloneDX `serialNumber` (urn:uuid). */
  serialNumber: z.string().optional(),
  /** SPDX 2 `documentNamespace`. */
  documentNamespace: z.string().optional(),
  /** "Tool: …", "Person: …", "Organization: …" in SPDX 2 creator syntax, whatever the format. */
  creators: z.array(z.string()),
  createdAt: z.string().optional(),
  packageCount: z.number().int().nonnegative(),
  /** What the document describes: SPDX DESCRIBES / rootElement, CycloneDX metadata.component, syft source. */
  topLevel: SbomPackageRefSchema.optional(),
  /** One entry per distinct expression, counting packages; most used first. */
  licenses: z.array(LicenseCountSchema),
  /** Packages with no license information, or only NONE / NOASSERTION. */
  packagesWithoutLicense: z.number().int().nonnegative(),
  /** Set when the media type / predicate type the SBOM was found under names another format. */
  hintMismatch: z.literal(true).optional(),
  /** Every package, only when asked for with `includePackages`. */
  packages: z.array(SbomPackageSchema).optional(),
});

export type SbomPackageRef = z.infer<typeof SbomPackageRefSchema>;
export type SbomPackage = z.infer<typeof SbomPackageSchema>;
export type SbomSummary = z.infer<typeof SbomSummarySchema>;

export interface PackageInput {
  readonly name: string | undefined;
  readonly version?: string | undefined;
  readonly purl?: string | undefined;
  /** Raw license texts for this package, before normalisation. */
  readonly licenses: readonly string[];
}

export type SummaryHeader = Omit<
  SbomSummary,
  'packageCount' | 'licenses' | 'packagesWithoutLicense' | 'packages' | 'hintMismatch'
>;

/** Collects packages for any format: counts, license tally, the optional package list, the cap. */
export class SummaryBuilder {
  readonly #limits: SbomLimits;
  readonly #tally = new LicenseTally();
  readonly #packages: SbomPackage[] | undefined;
  #count = 0;

  readonly #hintMismatch: true | undefined;

  constructor(limits: SbomLimits, includePackages: boolean, hintMismatch?: true) {
    this.#limits = limits;
    this.#packages = includePackages ? [] : undefined;
    this.#hintMismatch = hintMismatch;
  }

  add(pkg: PackageInput): void {
    this.complete(this.begin(), pkg);
  }

  /**
   * Counts a package whose fields are not read yet (a streaming reader sees an element open before
   * its children) and returns its slot, so the package list keeps document order.
   */
  begin(): number {
    if (this.#count >= this.#limits.maxPackages) {
      throw new SbomError(
        'TOO_MANY',
        `SBOM lists more than ${this.#limits.maxPackages} packages; raise maxPackages to read it`,
      );
    }
    this.#packages?.push({ name: '', licenses: [] });
    return this.#count++;
  }

  complete(slot: number, pkg: PackageInput): void {
    const licenses = this.#tally.addPackage(pkg.licenses);
    if (this.#packages) {
      this.#packages[slot] = compact({ name: pkg.name ?? '', version: pkg.version, purl: pkg.purl, licenses });
    }
  }

  /** Keys in one fixed order whatever the format, so JSON output diffs cleanly. */
  build(header: SummaryHeader): SbomSummary {
    return compact({
      format: header.format,
      encoding: header.encoding,
      specVersion: header.specVersion,
      name: header.name,
      serialNumber: header.serialNumber,
      documentNamespace: header.documentNamespace,
      creators: header.creators,
      createdAt: header.createdAt,
      packageCount: this.#count,
      topLevel: header.topLevel && compact(header.topLevel),
      licenses: this.#tally.result(),
      packagesWithoutLicense: this.#tally.withoutLicense,
      hintMismatch: this.#hintMismatch,
      packages: this.#packages,
    });
  }
}

/** Raises INVALID with zod's issue list as the cause, naming the format that failed. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const where = r.error.issues[0]?.path.join('.') || '(root)';
    throw new SbomError('INVALID', `${what} is malformed at ${where}: ${r.error.issues[0]?.message ?? ''}`, {
      cause: r.error,
    });
  }
  return r.data;
}
