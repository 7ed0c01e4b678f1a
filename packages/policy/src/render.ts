// Plain-text rendering of a why-tree, for terminals and logs (JSON output uses the tree itself).
import type { WhyNode, WhyOutcome } from './decide.ts';

const MARK: Record<WhyOutcome, string> = { pass: 'ok  ', fail: 'FAIL', warn: 'warn', skip: 'skip', info: '--  ' };

/** One line per node, children indented; expected/found on the lines below the node. */
export function renderWhy(node: WhyNode, indent = ''): string[] {
  const lines = [`${indent}${MARK[node.outcome]} ${node.label}`];
  if (node.expected !== undefined) lines.push(`${indent}       expected: ${node.expected}`);
  if (node.found !== undefined) lines.push(`${indent}       found:    ${node.found}`);
  for (const child of node.children ?? []) lines.push(...renderWhy(child, `${indent}  `));
  return lines;
}
