import { z } from 'zod';
import { run } from './run.ts';

// The `ocx` executable: everything else is in run.ts so tests call it in-process. A one-shot CLI
// parses each schema once or twice, so zod's JIT (code generation per schema) costs more than it saves.
z.config({ jitless: true });
process.exitCode = await run(process.argv.slice(2));
