import { run } from './run.ts';

// The `ocx` executable: everything else is in run.ts so tests call it in-process.
process.exitCode = await run(process.argv.slice(2));
