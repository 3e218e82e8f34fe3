import type { Command } from 'commander';
import { Session, withConfig, withOutput, type CommonFlags } from '../session.js';

interface Flags extends CommonFlags {
  image?: string;
  pauseBeforeSwitch?: boolean;
}

export function registerPlan(program: Command): void {
  const cmd = program
    .command('plan')
    .summary('show what a deployment would do, step by step; changes nothing')
    .description(
      'Show what `deploy` would do, step by step, without changing anything: the resources each step creates, the values it changes (from -> to), what it waits for, and warnings. It reads AWS and fails with exit code 2 when the config names a group, zone, record or image that does not exist.',
    );
  withConfig(cmd);
  cmd.option('--image <ami>', 'plan for this AMI instead of release.image');
  cmd.option('--pause-before-switch', 'mark the step `deploy --pause-before-switch` would stop before (exit 2 when the strategy has none)');
  withOutput(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen plan
  $ bluegreen plan -c services/shop.yml --image ami-0abc1234def567890
  $ bluegreen plan --output json | jq '.steps[].title'     # the Plan as one JSON object`,
  );
  cmd.action(async (flags: Flags) => {
    const session = new Session('plan', flags);
    const image = flags.image;
    const { plan } = await import('../../operations.js');
    const result = await plan({
      configFile: flags.config,
      commandPrefix: session.commandPrefix,
      ...(image ? { image } : {}),
      ...(flags.pauseBeforeSwitch ? { pauseBeforeSwitch: true } : {}),
    });
    if (session.json) {
      session.emitJson(result.plan);
      return;
    }
    const { renderPlan } = await import('../render/plan.js');
    const { colorsFor } = await import('../render/style.js');
    const { describeRelease } = await import('../../config/schema.js');
    const c = colorsFor(session.stdout);
    session.stdout.write(
      renderPlan(
        result.plan,
        c,
        `Plan: deploy ${image ?? describeRelease(result.config.release)} to ${result.config.service} (deployment ${result.plan.deploymentId})`,
        result.pauseBefore,
      ),
    );
    session.stderr.write(
      `\nThis is a plan only: nothing was changed. To apply it: ${session.commandLine('deploy')}${image ? ` --image ${image}` : ''}${flags.pauseBeforeSwitch ? ' --pause-before-switch' : ''}\n`,
    );
  });
}
