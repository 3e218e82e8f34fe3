import type { Command } from 'commander';
import { confirmPlan } from '../confirm.js';
import { Session, declined, withConfig, withOutput, withYes, type CommonFlags } from '../session.js';
import { finishRun } from './finish.js';

export function registerRollback(program: Command): void {
  const cmd = program
    .command('rollback')
    .summary('undo the current deployment and send traffic back to blue')
    .description(
      'Undo the current deployment: send traffic back to blue (restoring its capacity first when it was scaled to zero) and remove what the deployment created, undoing its finished steps in reverse order. Works on a finished, failed, interrupted or paused deployment. The plan of the undo is shown first.',
    );
  withConfig(cmd);
  withYes(cmd, 'roll back');
  withOutput(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen rollback                 # shows what will be undone, asks, rolls back
  $ bluegreen rollback --yes -c services/shop.yml

Not possible after retire.action "delete" has deleted blue: the plan of that deployment warned so.`,
  );
  cmd.action(async (flags: CommonFlags) => {
    const session = new Session('rollback', flags);
    try {
      const ops = await import('../../operations.js');
      const asked = confirmPlan(session, (plan, config) => ({
        heading: `Plan: roll back ${config.service} (deployment ${plan.deploymentId})`,
        question: `Roll back ${config.service}?`,
      }));
      const journal = await ops.rollback({ ...(await session.operationOptions()), confirm: asked.confirm });
      if (asked.declined) return declined(session);
      await finishRun(session, journal);
    } finally {
      session.close();
    }
  });
}
