import { InvalidArgumentError, type Command } from 'commander';
import { Session, withConfig, withOutput, type CommonFlags } from '../session.js';

interface HistoryFlags extends CommonFlags {
  limit?: number;
}

function positiveWhole(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number, 1 or more');
  return n;
}

export function registerHistory(program: Command): void {
  const cmd = program
    .command('history')
    .summary('list past deployments of the service, newest first')
    .description(
      'List past deployments of the service, newest first: id, when it started, outcome, how long it took, the image or release, who ran it, and for one that did not succeed the step that failed and its error. Reads the journals only; changes nothing.',
    );
  withConfig(cmd);
  withOutput(cmd);
  cmd.option('-n, --limit <count>', 'show at most this many deployments (the newest)', positiveWhole);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ bluegreen history
  $ bluegreen history --limit 5
  $ bluegreen history --output json | jq '.[0].status'     # one JSON array of entries, newest first`,
  );
  cmd.action(async (flags: HistoryFlags) => {
    const session = new Session('history', flags);
    const { deploymentHistory } = await import('../../operations.js');
    const entries = await deploymentHistory({
      configFile: flags.config,
      commandPrefix: session.commandPrefix,
      ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    });
    if (session.json) {
      session.emitJson(entries);
      return;
    }
    const { renderHistory } = await import('../render/history.js');
    const { colorsFor } = await import('../render/style.js');
    session.stdout.write(renderHistory(entries, colorsFor(session.stdout)));
  });
}
