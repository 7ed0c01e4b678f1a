import { z } from 'zod';
import { run } from './run.ts';

// The `ocx` executable: everything else is in run.ts so tests call it in-process. A one-shot CLI
// parses each schema once or twice, so zod's JIT (code generation per schema) costs more than it saves.
z.config({ jitless: true });
const code = await run(process.argv.slice(2));
// Exit as soon as the output is flushed: idle keep-alive sockets in fetch's pool would otherwise hold
// the process open for a while after the work is done.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
