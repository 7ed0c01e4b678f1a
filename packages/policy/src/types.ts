// A loaded policy: the document after validation, with paths resolved, scopes parsed, modes and
// predicate types settled. Everything evaluation needs, nothing it has to re-check.
import type { PolicyDocument, RuleMode, UnmatchedAction } from './schema.ts';
import type { Scope, Specificity } from './scope.ts';

export type NotationLevel = 'strict' | 'permissive' | 'audit';
export type NotationCheckType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type NotationAction = 'enforce' | 'log' | 'skip';

export interface KeylessSigner {
  readonly kind: 'keyless';
  readonly name: string;
  readonly issuer: string;
  readonly identity?: string;
  /** Source as written; compiled anchored (`^(?:…)$`), like cosign's --certificate-identity-regexp. */
  readonly identityRegexp?: string;
  readonly github?: { readonly repository?: string; readonly workflowRef?: string; readonly runner?: 'github-hosted' | 'self-hosted' };
}

export interface KeySigner {
  readonly kind: 'key';
  readonly name: string;
  /** Absolute path of the PEM public key. */
  readonly key: string;
  readonly tlog: 'required' | 'optional';
}

export interface NotationSigner {
  readonly kind: 'notation';
  readonly name: string;
  /** `{type}:{name}` references, in document order. */
  readonly trustStores: readonly string[];
  readonly identities: readonly string[];
  readonly verification: {
    readonly level: NotationLevel;
    readonly override: Readonly<Partial<Record<NotationCheckType, NotationAction>>>;
    readonly verifyTimestamp: 'always' | 'afterCertExpiry';
  };
}

export interface ExtensionSigner {
  readonly kind: 'extension';
  readonly name: string;
  readonly family: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export type Signer = KeylessSigner | KeySigner | NotationSigner | ExtensionSigner;

/** The verifier family whose candidates can satisfy a signer. */
export function signerFamily(signer: Signer): string {
  return signer.kind === 'keyless' || signer.kind === 'key' ? 'cosign' : signer.kind === 'notation' ? 'notation' : signer.family;
}

export interface AttestationRequirement {
  /** As written (alias or URI). */
  readonly type: string;
  /** The predicate type URI it stands for. */
  readonly predicateType: string;
  readonly signers: readonly string[];
  readonly builderId?: string;
  readonly sourceRepository?: string;
  readonly sourceRef?: string;
}

export interface Rule {
  readonly name: string;
  /** Position in the document's `rules`, for messages. */
  readonly index: number;
  readonly scope: Scope;
  readonly specificity: Specificity;
  readonly exclude: readonly Scope[];
  /** The rule's own mode, else defaults.mode. */
  readonly mode: RuleMode;
  readonly signatures?: { readonly threshold: number; readonly of: readonly string[]; readonly required: readonly string[] };
  readonly attestations: readonly AttestationRequirement[];
  readonly sbom?: { readonly required: boolean; readonly signed: boolean };
}

export interface Policy {
  readonly version: 1;
  /** Where the policy came from (a file path, or a label such as "inline policy"). */
  readonly source: string;
  readonly defaults: { readonly mode: RuleMode; readonly unmatched: UnmatchedAction };
  readonly signers: Readonly<Record<string, Signer>>;
  readonly trust: { readonly sigstore?: { readonly trustedRoot: string }; readonly notation?: { readonly config: string } };
  /** In document order; see rulesByPrecedence for the order of precedence. */
  readonly rules: readonly Rule[];
  /** The validated document as written (paths unresolved), e.g. to print or re-serialise. */
  readonly document: PolicyDocument;
}
