/**
 * A run of one command registers only that command (src/cli/program.ts): its help, options and arguments
 * must be exactly those of the full program's, and every other first word gets the full program.
 */
import { describe, expect, it } from 'vitest';
import { buildProgram, commandOf, COMMANDS } from '../../../src/cli/program.js';

describe('buildProgram', () => {
  it('registers every command by default, in the order of COMMANDS', async () => {
    const program = await buildProgram();
    expect(program.commands.map((c) => c.name())).toEqual(Object.keys(COMMANDS));
  });

  it('with one command, registers only it, with the same help and options as in the full program', async () => {
    const full = await buildProgram();
    for (const name of Object.keys(COMMANDS)) {
      const one = await buildProgram(name);
      expect(one.commands.map((c) => c.name())).toEqual([name]);
      const a = full.commands.find((c) => c.name() === name)!;
      const b = one.commands[0]!;
      expect(b.helpInformation(), name).toBe(a.helpInformation());
      expect(b.options.map((o) => o.flags)).toEqual(a.options.map((o) => o.flags));
    }
  });
});

describe('commandOf', () => {
  it('is the first word when it names a command, else undefined (the full program: root help, suggestions)', () => {
    expect(commandOf(['deploy', '--yes'])).toBe('deploy');
    expect(commandOf(['iam-policy'])).toBe('iam-policy');
    expect(commandOf(['--debug', 'deploy'])).toBeUndefined();
    expect(commandOf(['help', 'deploy'])).toBeUndefined();
    expect(commandOf(['deplo'])).toBeUndefined();
    expect(commandOf(['toString'])).toBeUndefined();
    expect(commandOf([])).toBeUndefined();
  });
});
