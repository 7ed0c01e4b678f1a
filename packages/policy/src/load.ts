// Reading a policy: parsePolicy is pure (text in, Policy out); loadPolicy is the file edge.
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isAlias, isNode, LineCounter, parseDocument, Parser, stringify, visit } from 'yaml';
import { errorFromIssues, PolicyError } from './errors.ts';
import type { PolicyIssue } from './errors.ts';
import type { Policy } from './types.ts';
import { validatePolicy } from './validate.ts';
import type { ValidateOptions } from './validate.ts';

/** A policy is a small hand-written file; refuse anything absurdly large before parsing it. */
export const MAX_POLICY_BYTES = 1024 * 1024;
// YAML aliases expand; a handful is plenty for a policy and bounds "billion laughs".
const MAX_ALIASES = 64;
// Top-level tokens of the YAML stream besides comments and blank lines: directives, the document, its end.
const MAX_STREAM_TOKENS = 16;
const QUIET_TOKENS = new Set(['comment', 'newline', 'space', 'byte-order-mark']);

// yaml composes recursively, and a few thousand levels exhaust the stack; worse, V8 may then fail to
// compile one of yaml's regular expressions that deep and abort the process (found by the property
// suite). The CST parser is iterative, so the nesting is measured on its tokens first.
const MAX_NESTING = 64;

type CstNode = { readonly value?: unknown; readonly items?: readonly { readonly key?: unknown; readonly value?: unknown }[] };

/** Collection nesting of a CST token, walked with an explicit stack (never recursion). */
function nestingDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) max = depth;
    if (max > MAX_NESTING) return max;
    const n = node as CstNode;
    if (n.value !== undefined) stack.push([n.value, depth]);
    for (const item of n.items ?? []) {
      if (item.key) stack.push([item.key, depth + 1]);
      if (item.value) stack.push([item.value, depth + 1]);
    }
  }
  return max;
}

/** Decode YAML or JSON (JSON is YAML 1.2). Duplicate keys are errors, as unknown keys are. */
export function decodePolicyText(text: string, source = 'policy'): unknown {
  return notTooDeep(() => decodeYaml(text, source), source);
}

/** yaml composes (and validation walks) recursively: nesting deeper than the stack is POLICY_PARSE, not a RangeError. */
function notTooDeep<T>(fn: () => T, source: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) throw new PolicyError('POLICY_PARSE', `${source} is nested too deeply to read`, { cause: err, source });
    throw err;
  }
}

function decodeYaml(text: string, source: string): unknown {
  if (text.length > MAX_POLICY_BYTES) throw new PolicyError('POLICY_PARSE', `${source} is larger than ${MAX_POLICY_BYTES} bytes`, { source });
  // A policy is one YAML document: the stream holds it and at most a directive or a document end.
  // Stray tokens after it (`}}}}…`) each cost the composer an error object and yaml's pretty errors
  // copy the whole line for every one (quadratic: a minute for 100 k braces), so a stream of more
  // than a handful of top-level tokens is refused after reading that handful.
  let tokens = 0;
  for (const token of new Parser().parse(text)) {
    if (QUIET_TOKENS.has(token.type)) continue;
    if (++tokens > MAX_STREAM_TOKENS) throw new PolicyError('POLICY_PARSE', `${source} is not a single YAML document (stray content after it)`, { source });
    if (nestingDepth(token) > MAX_NESTING) throw new PolicyError('POLICY_PARSE', `${source} nests collections more than ${MAX_NESTING} levels deep`, { source });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, merge: false, strict: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    const issues: PolicyIssue[] = doc.errors.map((e) => {
      const at = lines.linePos(e.pos[0]);
      return { code: 'POLICY_PARSE', path: '(document)', message: `${e.message.split('\n')[0] ?? e.message} at line ${at.line}, column ${at.col}` };
    });
    throw errorFromIssues(issues, source);
  }
  // yaml's maxAliasCount does not bound an alias inside its own anchor (`x: &a [*a, *a, …]`): toJS
  // then takes time super-linear in the number of aliases (seconds for a few hundred). Count the
  // aliases first, and refuse one that names its own ancestor (a cycle a policy has no use for).
  let aliases = 0;
  let cycle: string | undefined;
  visit(doc, {
    Alias(_key, node, path) {
      aliases++;
      if (path.some((p) => isNode(p) && !isAlias(p) && p.anchor === node.source)) cycle ??= node.source;
      return aliases > MAX_ALIASES || cycle !== undefined ? visit.BREAK : undefined;
    },
  });
  if (aliases > MAX_ALIASES) throw new PolicyError('POLICY_PARSE', `${source} has more than ${MAX_ALIASES} YAML aliases`, { source });
  if (cycle !== undefined) throw new PolicyError('POLICY_PARSE', `${source}: YAML alias *${cycle} is used inside its own anchor &${cycle}`, { source });
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new PolicyError('POLICY_PARSE', `${source} cannot be read: ${(err as Error).message}`, { cause: err, source });
  }
}

/** Parse and validate policy text. Pure (see ValidateOptions for path resolution). */
export function parsePolicy(text: string, options: ValidateOptions = {}): Policy {
  const source = options.source ?? 'policy';
  const document = decodePolicyText(text, source);
  return notTooDeep(() => validatePolicy(document, { ...options, source }), source);
}

export interface LoadPolicyOptions {
  /** What `~` expands to. Default: the user's home directory. */
  readonly home?: string;
  /** Check that the files the policy names (keys, trusted root, notation config) exist. Default true. */
  readonly checkFiles?: boolean;
}

/**
 * Read a policy file (YAML or JSON), validate it, and check that the files it names exist, so
 * a policy naming a missing key is refused when it loads rather than when a pull needs it.
 */
export async function loadPolicy(file: string, options: LoadPolicyOptions = {}): Promise<Policy> {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new PolicyError('POLICY_IO', `policy ${path} is not a regular file`, { source: path });
    if (info.size > MAX_POLICY_BYTES) throw new PolicyError('POLICY_PARSE', `policy ${path} is larger than ${MAX_POLICY_BYTES} bytes`, { source: path });
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'POLICY_NOT_FOUND' : 'POLICY_IO';
    throw new PolicyError(code, `cannot read policy ${path}: ${(err as Error).message}`, { cause: err, source: path });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new PolicyError('POLICY_PARSE', `policy ${path} is not UTF-8`, { cause: err, source: path });
  }
  const policy = parsePolicy(text, { source: path, baseDir: dirname(path), ...(options.home !== undefined ? { home: options.home } : {}) });
  if (options.checkFiles !== false) await checkFiles(policy);
  return policy;
}

async function checkFiles(policy: Policy): Promise<void> {
  const wanted: { path: string; at: string; what: string; dir?: boolean }[] = [];
  for (const s of Object.values(policy.signers)) {
    if (s.kind === 'key') wanted.push({ path: s.key, at: `signers.${s.name}.key`, what: `signer ${JSON.stringify(s.name)}: key file` });
  }
  if (policy.trust.sigstore) wanted.push({ path: policy.trust.sigstore.trustedRoot, at: 'trust.sigstore.trustedRoot', what: 'trust.sigstore.trustedRoot' });
  if (policy.trust.notation) wanted.push({ path: policy.trust.notation.config, at: 'trust.notation.config', what: 'trust.notation.config directory', dir: true });
  const issues: PolicyIssue[] = [];
  for (const w of wanted) {
    const info = await stat(w.path).catch(() => undefined);
    const ok = info !== undefined && (w.dir ? info.isDirectory() : info.isFile());
    if (!ok) issues.push({ code: 'POLICY_NOT_FOUND', path: w.at, message: `${w.what} ${w.path} ${info === undefined ? 'does not exist' : w.dir ? 'is not a directory' : 'is not a regular file'}` });
  }
  if (issues.length > 0) throw errorFromIssues(issues, policy.source);
}

/** A policy document as YAML (e.g. the output of importNotationPolicy). */
export function stringifyPolicy(document: unknown): string {
  return stringify(document, { lineWidth: 0 });
}
