import type { Command } from 'commander';
import { showAndConfirm } from '../confirm.js';
import { Session, declined, withConfig, withOutput, withYes, type CommonFlags } from '../session.js';
import { finishRun } from './finish.js';

export function registerResume(program: Command): void {
  const cmd = program
    .command('resume')
    .summary('go on with a deployment that stopped half-way')
    .description(
      'Go on with a deployment that stopped (failed, interrupted, or its process died): re-runs the step that was under way (steps find what they already made, so nothing is made twice) and the ones after it. An interrupted rollback is finished with `bluegreen rollback`, not resume; a paused deployment goes on with `bluegreen promote`. A lock left by a dead process on this host is taken over.',
    );
  withConfig(cmd);
  withYes(cmd, 'resume');
  withOutput(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen status          # where did it stop?
  $ bluegreen resume          # asks, then goes on from there
  $ bluegreen resume --yes --output json`,
  );
  cmd.action(async (flags: CommonFlags) => {
    const session = new Session('resume', flags);
    try {
      const ops = await import('../../operations.js');
      if (!flags.yes) {
        // Show where it stands, then ask (or refuse when nobody can answer). Nothing to resume (no journal,
        // paused, finished) is refused by the operation itself with the command that fits: nothing to ask first.
        const report = await ops.status({ configFile: flags.config, commandPrefix: session.commandPrefix });
        const resumable = ['running', 'failed'];
        if (report.journal && resumable.includes(report.journal.status)) {
          const { renderStatus } = await import('../render/status.js');
          const { colorsFor } = await import('../render/style.js');
          const question = `Resume deployment ${report.journal.deploymentId} of ${report.service}?`;
          if (!(await showAndConfirm(session, `${renderStatus(report, colorsFor(session.human))}\n`, question))) return declined(session);
        }
      }
      const journal = await ops.resume(await session.operationOptions());
      await finishRun(session, journal);
    } finally {
      session.close();
    }
  });
}
