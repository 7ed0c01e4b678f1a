import './zod-jitless.ts';
import { run } from './run.ts';

// The `ocx` CLI (bundled as dist/bin/cli.cjs, started by launch.ts): everything else is in run.ts so
// tests call it in-process.
// No top-level await: the bin bundle is CommonJS (see launch.ts).
void run(process.argv.slice(2)).then((code) => {
  // Exit as soon as the output is flushed: idle keep-alive sockets would otherwise hold the process
  // open for a while after the work is done.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
