import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS } from '../src/context.ts';
import { COMMANDS } from '../src/run.ts';
import { ocx } from './cli.ts';

// issue 8 §4: `--help` of every command has a Usage line, Examples and every flag with its default,
// as the peers' help does.

describe('ocx <command> --help', () => {
  it.each(Object.keys(COMMANDS))('%s: Usage, Examples, every flag of its options table and the global ones, with defaults', async (name) => {
    const r = await ocx([name, '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout;
    expect(help).toMatch(new RegExp(`^Usage: ocx ${name}\\b`));
    expect(help).toMatch(/\nExamples:\n {2}.*\bocx /);
    const options = { ...GLOBAL_OPTIONS, ...COMMANDS[name]!.options } as Record<string, { short?: string }>;
    const missing = Object.entries(options).filter(([long, o]) => !help.includes(`--${long}`) || (o.short !== undefined && !help.includes(`-${o.short}`)));
    expect(missing.map(([long]) => long)).toEqual([]);
    // Each flag's default is stated: "(default: …)" on its line, or the flag named in a Defaults: paragraph.
    const defaults = help.slice(help.indexOf('Defaults:') >= 0 ? help.indexOf('Defaults:') : help.length);
    const undocumented = Object.keys(options).filter((long) => {
      const lines = help.split('\n').filter((l) => new RegExp(`^\\s+(?:-\\w, )?--${long}\\b`).test(l));
      return !(lines.some((l) => l.includes('(default:')) || defaults.includes(`--${long}`));
    });
    expect(undocumented).toEqual([]);
  });

  it('the main help lists every command', async () => {
    const r = await ocx(['--help']);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`\\n {2}${name} `));
  });
});
