import type { Command } from 'commander';
import { Session, withConfig, withOutput, type CommonFlags } from '../session.js';

export function registerIamPolicy(program: Command): void {
  const cmd = program
    .command('iam-policy')
    .summary("print the least-privilege IAM policy for this config's strategy and release")
    .description(
      "Print the least-privilege IAM policy (JSON) that bluegreen needs to deploy, resume and roll back with this config: only the actions its strategy, release (image, or commands via ssh or ssm), gates and retire settings can call, the permissions AWS checks on their behalf, and iam:PassRole for the instances' role. Reads the config only, no AWS call, unless --observe: then it also reads the live stack (describe calls only) and adds iam:PassRole for the roles its group hands to Auto Scaling (lifecycle hooks' RoleARN, a custom service-linked role) and kms statements for the customer managed keys of its volumes. Notes on what to fill in go to stderr.",
    )
    .option('--observe', 'also read the live stack (describe calls only) for roles and KMS keys that a copy of it needs');
  withConfig(cmd);
  withOutput(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen iam-policy > policy.json
  $ bluegreen iam-policy -c shop.yml --output json | jq '.Statement[0].Action'
  $ bluegreen iam-policy -c shop.yml --observe > policy.json     # with blue's hook roles and KMS keys
  $ aws iam put-role-policy --role-name deployer --policy-name bluegreen --policy-document file://policy.json`,
  );
  cmd.action(async (flags: CommonFlags & { observe?: boolean }) => {
    const session = new Session('iam-policy', flags);
    const { iamPolicy } = await import('../../operations.js');
    const { policy, notes } = await iamPolicy({ configFile: flags.config, ...(flags.observe ? { observe: true } : {}) });
    if (session.json) {
      session.emitJson(policy);
      return;
    }
    session.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
    session.stderr.write(notes.map((n) => `note: ${n}\n`).join(''));
  });
}
