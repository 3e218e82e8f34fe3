/**
 * Why a verb cannot run on the current deployment, by its journal's status, with the command that fits
 * instead. Pure: each returns the InputError to throw (exit 2, nothing changed), or undefined to go on.
 */
import { isUnfinished, pausedStep } from '../engine/states.js';
import type { Journal } from '../engine/types.js';
import { InputError } from '../errors.js';

type Command = (verb: string) => string;

/** " before step switch-dns (Point shop.example.com at ...)": where a paused deployment stopped. */
function pausedWhere(journal: Journal): string {
  const step = pausedStep(journal);
  return step ? ` before step ${step.id} (${step.title})` : '';
}

/** deploy: refused while the current deployment is paused or otherwise unfinished. */
export function deployRefusal(current: Journal | undefined, command: Command): InputError | undefined {
  if (current?.status === 'paused') {
    return new InputError(
      `deployment ${current.deploymentId} of ${current.service} is paused${pausedWhere(current)}; run \`${command('promote')}\` to finish it or \`${command('rollback')}\` to return to blue before deploying again`,
      { next: command('status') },
    );
  }
  if (current && isUnfinished(current.status)) {
    return new InputError(
      `deployment ${current.deploymentId} of ${current.service} is unfinished (${current.status}${current.error ? `: ${current.error}` : ''}); run \`${command('resume')}\` to finish it or \`${command('rollback')}\` to return to blue before deploying again`,
      { next: command('status') },
    );
  }
  return undefined;
}

/** promote: only a paused deployment goes on past its pause point. */
export function promoteRefusal(journal: Journal, command: Command): InputError | undefined {
  const id = journal.deploymentId;
  switch (journal.status) {
    case 'paused':
      return undefined;
    case 'succeeded':
      return new InputError(`deployment ${id} is not paused: it succeeded; nothing to promote (\`${command('deploy')}\` starts a new one)`);
    case 'rolled-back':
      return new InputError(`deployment ${id} is not paused: it was rolled back; nothing to promote (\`${command('deploy')}\` starts a new one)`);
    case 'rolling-back':
    case 'rollback-failed':
      return new InputError(
        `deployment ${id} is not paused: it is being rolled back (${journal.status}); finish that with \`${command('rollback')}\``,
        {
          next: command('rollback'),
        },
      );
    default:
      return new InputError(
        `deployment ${id} is not paused: it is ${journal.status}; run \`${command('resume')}\` to go on or \`${command('rollback')}\` to return to blue`,
        { next: command('resume') },
      );
  }
}

/** resume: a running or failed deployment goes on; a paused one is promote's, an ended or undoing one nobody's. */
export function resumeRefusal(journal: Journal, command: Command): InputError | undefined {
  const id = journal.deploymentId;
  switch (journal.status) {
    case 'paused':
      return new InputError(
        `deployment ${id} is paused${pausedWhere(journal)}: run \`${command('promote')}\` to go on, or \`${command('rollback')}\` to return to blue`,
        {
          next: command('promote'),
        },
      );
    case 'succeeded':
      return new InputError(`deployment ${id} already succeeded; nothing to resume`);
    case 'rolled-back':
      return new InputError(`deployment ${id} was rolled back; nothing to resume`);
    case 'rolling-back':
    case 'rollback-failed':
      return new InputError(`deployment ${id} is being rolled back; finish that with \`${command('rollback')}\``, { next: command('rollback') });
    default:
      return undefined;
  }
}

/** rollback: anything but a deployment already rolled back. */
export function rollbackRefusal(journal: Journal): InputError | undefined {
  return journal.status === 'rolled-back' ? new InputError(`deployment ${journal.deploymentId} is already rolled back`) : undefined;
}
