import type { Command } from 'commander';
import { Session, withConfig, withOutput, type CommonFlags } from '../session.js';

export function registerStatus(program: Command): void {
  const cmd = program
    .command('status')
    .summary('show the live color, the current deployment and the lock')
    .description(
      'Show where the service stands: the live color, the current deployment (id, status, each step and its state, the resources it made) and who holds the lock. Reads only; changes nothing.',
    );
  withConfig(cmd);
  withOutput(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen status
  $ bluegreen status --output json | jq .journal.status     # the StatusReport as one JSON object`,
  );
  cmd.action(async (flags: CommonFlags) => {
    const session = new Session('status', flags);
    const { status } = await import('../../operations.js');
    const report = await status({ configFile: flags.config, commandPrefix: session.commandPrefix });
    if (session.json) {
      session.emitJson(report);
      return;
    }
    const { renderStatus } = await import('../render/status.js');
    const { colorsFor } = await import('../render/style.js');
    session.stdout.write(renderStatus(report, colorsFor(session.stdout)));
  });
}
