import type { Command } from 'commander';
import { confirmPlan } from '../confirm.js';
import { Session, declined, withConfig, withOutput, withYes, type CommonFlags } from '../session.js';
import { finishRun } from './finish.js';

interface Flags extends CommonFlags {
  image?: string;
  pauseBeforeSwitch?: boolean;
}

export function registerDeploy(program: Command): void {
  const cmd = program
    .command('deploy')
    .summary('build green with a new image, move traffic to it, retire blue')
    .description(
      "Deploy a new image (release.image, --image, or one baked by release.commands): build green with it, wait until every green instance is InService, move traffic to green, then retire blue (retire.action). How traffic moves is the strategy's: replica-dns points the Route 53 alias record at green's load balancer and waits until the change is in sync; replica-listener moves the ALB/NLB listener and its rules to green's target group; both at once, or in weighted steps held while alarms are watched (traffic.steps). swap-instances launches new instances, attaches them to the live group and its load balancers, then deregisters and drains the old ones. The plan is shown first; on a terminal you are asked before anything changes.",
    );
  withConfig(cmd);
  cmd.option('--image <ami>', 'deploy this AMI instead of release.image');
  cmd.option(
    '--pause-before-switch',
    'stop before the first step that moves traffic to green, leaving the deployment paused: then `bluegreen promote` goes on, `bluegreen rollback` goes back',
  );
  withYes(cmd, 'deploy');
  withOutput(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen deploy                                   # shows the plan, asks, deploys release.image
  $ bluegreen deploy --image ami-0abc1234def567890 --yes
  $ bluegreen deploy --yes --output json > events.jsonl  # one JSON event per line, then the journal
  $ bluegreen deploy --pause-before-switch             # green up and healthy, traffic still on blue; then:
  $ bluegreen promote                                  #   move traffic and finish (or: bluegreen rollback)

If it stops half-way (a failure, Ctrl-C, a crash), run \`bluegreen resume\` to go on or
\`bluegreen rollback\` to undo; \`bluegreen status\` shows where it stands.`,
  );
  cmd.action(async (flags: Flags) => {
    const session = new Session('deploy', flags);
    try {
      const image = flags.image;
      const ops = await import('../../operations.js');
      const { describeRelease } = await import('../../config/schema.js');
      const asked = confirmPlan(session, (plan, config) => ({
        heading: `Plan: deploy ${describeRelease(config.release)} to ${config.service} (deployment ${plan.deploymentId})`,
        question: `Deploy ${describeRelease(config.release)} to ${config.service}?`,
        ...(flags.pauseBeforeSwitch ? { pauseBefore: ops.pausePointOf(plan)?.id } : {}),
      }));
      const journal = await ops.deploy({
        ...(await session.operationOptions()),
        ...(image ? { image } : {}),
        ...(flags.pauseBeforeSwitch ? { pauseBeforeSwitch: true } : {}),
        confirm: asked.confirm,
      });
      if (asked.declined) return declined(session);
      if (journal === undefined) {
        session.stderr.write('nothing to deploy\n');
        return;
      }
      await finishRun(session, journal);
    } finally {
      session.close();
    }
  });
}
