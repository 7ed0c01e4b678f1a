// The flags every command takes, appended to each command's --help (generated from GLOBAL_OPTIONS so
// a new global flag cannot be missing from a help text), each with its default, as the peers print them.
import { GLOBAL_OPTIONS } from './context.ts';

const DESCRIBE: Record<keyof typeof GLOBAL_OPTIONS, [arg: string, text: string, dflt: string]> = {
  format: ['text|json', 'output format (discover: tree|json)', 'text'],
  'plain-http': ['', 'plain http to every registry', 'false; a loopback host that does not speak TLS gets http'],
  insecure: ['', 'do not verify TLS certificates (warns)', 'false'],
  'ca-file': ['FILE', 'PEM CA bundle trusted for registry TLS, besides the system roots', 'none'],
  username: ['USER', 'registry user name, with --password-stdin or OCX_PASSWORD', 'OCX_USERNAME, else the docker config'],
  'password-stdin': ['', 'read the registry password from stdin (never from argv)', 'false'],
  platform: ['os/arch[/variant]', 'the platform of an index to work on', 'the host platform where it matters'],
  'no-cache': ['', 'no on-disk caches for this run', 'false'],
  verbose: ['', 'more detail on stderr', 'false'],
  help: ['', 'this help', 'false'],
  timeout: ['[KIND=]DURATION', 'deadlines: all, or connect|exchange|metadata|idle (README "Timeouts")', 'OCX_TIMEOUT, else connect=10s,exchange=30s,metadata=60s,idle=30s'],
};

function flagName(long: string): string {
  const short = (GLOBAL_OPTIONS as Record<string, { short?: string }>)[long]?.short;
  return short ? `-${short}, --${long}` : `--${long}`;
}

export const GLOBAL_FLAGS_HELP = `
Global flags:
${Object.entries(DESCRIBE)
  .map(([long, [arg, text, dflt]]) => `  ${`${flagName(long)}${arg ? ` ${arg}` : ''}`.padEnd(30)} ${text} (default: ${dflt})`)
  .join('\n')}
`;
