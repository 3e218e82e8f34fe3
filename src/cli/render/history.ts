/** `bluegreen history` for people: one block per deployment, newest first. */
import type { HistoryEntry } from '../../operations.js';
import type { Colors } from './style.js';

/** 75 -> "1m15s", 3725 -> "1h2m5s". */
export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

function outcome(status: HistoryEntry['status'], c: Colors): string {
  if (status === 'succeeded' || status === 'rolled-back') return c.green(status);
  if (status === 'failed' || status === 'rollback-failed') return c.red(status);
  return c.yellow(status);
}

export function renderHistory(entries: HistoryEntry[], c: Colors): string {
  if (entries.length === 0) return 'No deployments yet: this service was never deployed with bluegreen.\n';
  const lines: string[] = [];
  for (const e of entries) {
    if (lines.length > 0) lines.push('');
    lines.push(`${c.bold(e.deploymentId)}  ${outcome(e.status, c)}  (${e.strategy})`);
    lines.push(`  Started:  ${e.startedAt}, took ${duration(e.durationSeconds)}`);
    lines.push(`  Release:  ${e.image ?? '(not recorded)'}${e.releaseKind === 'commands' ? ' from release commands' : ''}`);
    if (e.actor) lines.push(`  By:       ${e.actor.user ?? 'unknown'}@${e.actor.host}, pid ${e.actor.pid}`);
    if (e.pausedBefore) lines.push(`  Paused:   before ${e.pausedBefore.id}: ${e.pausedBefore.title}`);
    if (e.failedStep) {
      lines.push(`  Stopped:  ${e.failedStep.id} (${e.failedStep.state}): ${e.failedStep.title}`);
      if (e.failedStep.error) lines.push(`            ${c.red(e.failedStep.error)}`);
    }
    if (e.error && e.error !== e.failedStep?.error) lines.push(`  Error:    ${c.red(e.error)}`);
  }
  return `${lines.join('\n')}\n`;
}
