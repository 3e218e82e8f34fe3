import type { Command } from 'commander';
import { confirmPlan } from '../confirm.js';
import { Session, declined, withConfig, withOutput, withYes, type CommonFlags } from '../session.js';
import { finishRun } from './finish.js';

export function registerPromote(program: Command): void {
  const cmd = program
    .command('promote')
    .summary('go on with a paused deployment: move traffic to green and finish')
    .description(
      'Go on with a deployment that `deploy --pause-before-switch` left paused before its first traffic step: runs that step and the ones after it (move traffic to green, wait, retire blue), exactly as `resume` would. Only for a paused deployment; `rollback` instead returns to blue. The steps still to run are shown first; on a terminal you are asked before anything changes.',
    );
  withConfig(cmd);
  withYes(cmd, 'promote');
  withOutput(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen deploy --pause-before-switch --yes   # green up and healthy, traffic still on blue
  $ bluegreen status                               # paused before which step
  $ bluegreen promote                              # shows the steps left, asks, moves traffic and finishes
  $ bluegreen promote --yes --output json`,
  );
  cmd.action(async (flags: CommonFlags) => {
    const session = new Session('promote', flags);
    try {
      const ops = await import('../../operations.js');
      const asked = confirmPlan(session, (plan, config) => ({
        heading: `Plan: promote ${config.service} (deployment ${plan.deploymentId})`,
        question: `Move traffic to green and finish deployment ${plan.deploymentId} of ${config.service}?`,
      }));
      const journal = await ops.promote({ ...(await session.operationOptions()), confirm: asked.confirm });
      if (asked.declined) return declined(session);
      await finishRun(session, journal);
    } finally {
      session.close();
    }
  });
}
