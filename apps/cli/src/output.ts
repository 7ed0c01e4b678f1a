// Everything a registry sends is sanitised before it reaches a terminal (CWE-150): control
// characters, escape sequences and bidi overrides become visible escapes.
export function sanitize(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
  /** stderr is a terminal: progress bars go there (`ocx package push`). */
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
