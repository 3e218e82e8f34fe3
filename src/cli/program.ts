/**
 * The commands and options of `bluegreen`. Only commander and the command definitions are loaded
 * here, so `--help` stays fast; each command's action loads the operations (and the AWS SDK) when it runs.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerPlan } from './commands/plan.js';
import { registerDeploy } from './commands/deploy.js';
import { registerResume } from './commands/resume.js';
import { registerPromote } from './commands/promote.js';
import { registerRollback } from './commands/rollback.js';
import { registerStatus } from './commands/status.js';
import { registerUnlock } from './commands/unlock.js';
import { registerHistory } from './commands/history.js';
import { registerIamPolicy } from './commands/iam-policy.js';
import { registerGc } from './commands/gc.js';

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('bluegreen')
    .description(
      'Blue-green deployments for EC2 Auto Scaling groups: builds green beside the live (blue) stack with a ' +
        'new image, waits until it is healthy, moves traffic to it (a Route 53 alias record, an ALB/NLB listener, ' +
        'at once or in weighted steps watched by alarms; or new instances swapped into the live group), then ' +
        'retires blue. Every change is planned first, journaled as it happens, and can be resumed or rolled back.',
    )
    .version(version(), '-V, --version', 'print the version and exit')
    .option('--debug', 'print stack traces of errors (also BLUEGREEN_DEBUG=1)')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText(
      'after',
      `
Typical use:
  $ bluegreen plan                       # what a deployment would do; changes nothing
  $ bluegreen deploy --image ami-0abc1234def567890
  $ bluegreen status
  $ bluegreen deploy --pause-before-switch   # stop before traffic moves; then promote or rollback
  $ bluegreen rollback                   # send traffic back to blue
  $ bluegreen history                    # past deployments, newest first
  $ bluegreen iam-policy > policy.json   # the IAM policy this config needs
  $ bluegreen gc                         # what old and failed deployments left; --yes deletes it

Exit codes: 0 ok, 1 failed, 2 bad input (nothing changed), 3 locked by another run.
Every command reads ./bluegreen.yml unless -c/--config names another file.`,
    );
  registerPlan(program);
  registerDeploy(program);
  registerResume(program);
  registerPromote(program);
  registerRollback(program);
  registerStatus(program);
  registerUnlock(program);
  registerHistory(program);
  registerIamPolicy(program);
  registerGc(program);
  return program;
}
