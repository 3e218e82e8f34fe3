import type { Command } from 'commander';
import { Session, declined, withConfig, withYes, type CommonFlags } from '../session.js';

export function registerUnlock(program: Command): void {
  const cmd = program
    .command('unlock')
    .summary("remove the service's lock and say who held it")
    .description(
      "Remove the service's lock, whoever holds it, and say who held it (host, pid, since, command). Only for a lock whose holder is gone for good (a machine that died): `resume` already takes over a lock left by a dead process on this host. Removing the lock of a live run lets two runs collide.",
    );
  withConfig(cmd);
  withYes(cmd, 'remove the lock');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen status            # who holds the lock?
  $ bluegreen unlock            # shows the holder, asks, removes it
  $ bluegreen unlock --yes`,
  );
  cmd.action(async (flags: CommonFlags) => {
    const session = new Session('unlock', flags);
    const ops = await import('../../operations.js');
    const { renderLock } = await import('../render/status.js');
    const options = { configFile: flags.config, commandPrefix: session.commandPrefix };
    if (!flags.yes) {
      const { lock } = await ops.status(options);
      if (!lock) {
        session.stdout.write('no lock held\n');
        return;
      }
      session.stderr.write(`The lock of this service is ${renderLock(lock)}\n`);
      if (!(await session.confirm('Remove it?'))) return declined(session);
    }
    const holder = await ops.unlock(options);
    session.stdout.write(holder ? `removed the lock ${renderLock(holder)}\n` : 'no lock held\n');
  });
}
