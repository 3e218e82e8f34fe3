/**
 * The commands and options of `bluegreen`. Only commander and the command definitions are loaded
 * here, so `--help` stays fast; each command's action loads the operations (and the AWS SDK) when it runs.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * The commands, in the order help lists them, each loaded only when registered: a run of one command
 * (`bluegreen deploy ...`) loads that command's module, not the nine others (~10 ms of start-up).
 */
export const COMMANDS: Record<string, () => Promise<Register>> = {
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  deploy: async () => (await import('./commands/deploy.js')).registerDeploy,
  resume: async () => (await import('./commands/resume.js')).registerResume,
  promote: async () => (await import('./commands/promote.js')).registerPromote,
  rollback: async () => (await import('./commands/rollback.js')).registerRollback,
  status: async () => (await import('./commands/status.js')).registerStatus,
  unlock: async () => (await import('./commands/unlock.js')).registerUnlock,
  history: async () => (await import('./commands/history.js')).registerHistory,
  'iam-policy': async () => (await import('./commands/iam-policy.js')).registerIamPolicy,
  gc: async () => (await import('./commands/gc.js')).registerGc,
};

/** The command a command line runs when its first word names one (then only that one needs registering). */
export function commandOf(args: readonly string[]): string | undefined {
  const first = args[0];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The program with every command, or with `only` that one (what a run of that command needs: its
 * options, its help and its errors are the same; help of the program itself and suggestions for a
 * mistyped command need them all, and get them, since their first word names no command).
 */
export async function buildProgram(only?: string): Promise<Command> {
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
  const names = only ? [only] : Object.keys(COMMANDS);
  const registers = await Promise.all(names.map((name) => COMMANDS[name]!()));
  for (const register of registers) register(program);
  return program;
}
