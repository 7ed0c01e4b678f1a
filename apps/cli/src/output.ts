// Everything a registry sends is sanitised before it reaches a terminal (CWE-150): control
// characters (C0, DEL, C1: escape sequences), format characters (Unicode category Cf: zero-width,
// bidi embeddings/overrides/isolates, U+061C, soft hyphen, BOM, tags) and the line and paragraph
// separators U+2028/2029 become visible escapes, so a registry can neither drive the terminal nor
// reorder or hide what ocx prints (Trojan Source, CVE-2021-42574). \n and \t are escaped too: one
// registry string never spans lines.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

export function sanitize(value: string): string {
  return value.replace(UNSAFE, (c) => {
    const cp = c.codePointAt(0)!;
    return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

export function shortDigest(digest: string): string {
  const i = digest.indexOf(':');
  return i < 0 ? digest : `${digest.slice(0, i + 1)}${digest.slice(i + 1, i + 13)}`;
}

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdin?: () => Promise<string>;
  /** Binary stdout (`ocx sbom --output -`); `isTTY` lets a command refuse to dump bytes on a terminal. */
  readonly stdoutStream?: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** stderr is a terminal: progress may be drawn there (`ocx pull`). */
  readonly stderrIsTTY?: boolean;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    stdoutStream: process.stdout,
    stderrIsTTY: process.stderr.isTTY === true,
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
