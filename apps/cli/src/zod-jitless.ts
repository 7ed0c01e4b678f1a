import { z } from 'zod';

// A one-shot CLI parses each schema once or twice, so zod's JIT (code generation per object schema)
// costs more than it saves. zod reads the flag when a schema is built, so this module is imported
// first by main.ts, ahead of every module that defines schemas.
z.config({ jitless: true });
