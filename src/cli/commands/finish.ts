import type { Journal } from '../../engine/types.js';
import type { Session } from '../session.js';

/**
 * The end of deploy, resume, promote and rollback: the journal as the last JSON line, or a summary for
 * people. A deployment that paused as asked (--pause-before-switch) ended well: exit 0.
 */
export async function finishRun(session: Session, journal: Journal): Promise<void> {
  session.close();
  const failed = journal.status !== 'succeeded' && journal.status !== 'rolled-back' && journal.status !== 'paused';
  if (session.json) session.emitJson(journal);
  else {
    const { renderOutcome } = await import('../render/status.js');
    const { colorsFor } = await import('../render/style.js');
    session.stdout.write(
      renderOutcome(journal, colorsFor(session.stdout), { promote: session.commandLine('promote'), rollback: session.commandLine('rollback') }),
    );
  }
  if (failed) {
    // The operation returned instead of throwing: report it the way the error handler would.
    session.stderr.write(`error: deployment ${journal.deploymentId} ended ${journal.status}${journal.error ? `: ${journal.error}` : ''}\n`);
    session.stderr.write(`next: ${session.commandLine('status')}\n`);
    process.exitCode = 1;
  }
}
