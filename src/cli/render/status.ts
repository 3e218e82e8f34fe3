/** `bluegreen status` for people, and the end-of-run summary of deploy, resume and rollback. */
import type { StatusReport } from '../../operations.js';
import type { Journal, StepState } from '../../engine/types.js';
import type { LockHolder } from '../../errors.js';
import { renderSummary } from './plan.js';
import type { Colors } from './style.js';

const MARK: Record<StepState, string> = {
  pending: '○',
  running: '▸',
  done: '✓',
  failed: '✗',
  undoing: '↺',
  undone: '↩',
};

export function renderLock(lock: LockHolder): string {
  const who = [lock.user ? `user ${lock.user}` : '', lock.ciJob ? `CI job ${lock.ciJob}` : ''].filter(Boolean).join(', ');
  const lease = lock.expiresAt
    ? `; lease until ${lock.expiresAt}${Date.parse(lock.expiresAt) < Date.now() ? ' (expired: its holder stopped renewing; `unlock` breaks it)' : ''}`
    : '';
  return `held by pid ${lock.pid} on ${lock.host}${who ? ` (${who})` : ''} since ${lock.since}: ${lock.command}${lock.deploymentId ? ` (deployment ${lock.deploymentId})` : ''}${lease}`;
}

function colorState(state: StepState, c: Colors, width: number): string {
  const text = state.padEnd(width);
  if (state === 'done') return c.green(text);
  if (state === 'failed') return c.red(text);
  if (state === 'running' || state === 'undoing') return c.yellow(text);
  return c.dim(text);
}

export function renderJournal(journal: Journal, c: Colors): string[] {
  const lines: string[] = [];
  lines.push(`Deployment: ${journal.deploymentId} (${journal.strategy})`);
  lines.push(`Status:     ${journal.status}`);
  lines.push(`Started:    ${journal.createdAt}${journal.actor ? ` by pid ${journal.actor.pid} on ${journal.actor.host}` : ''}`);
  lines.push(`Updated:    ${journal.updatedAt}`);
  if (journal.error) lines.push(`Error:      ${c.red(journal.error)}`);
  const paused = pausedStep(journal);
  if (paused) lines.push(`Paused:     ${c.yellow(`before step ${paused.id} (${paused.title})`)}: green is up, no traffic on it yet`);
  if (Object.keys(journal.summary).length > 0) {
    lines.push('Summary:');
    lines.push(...renderSummary(journal.summary));
  }
  lines.push('Steps:');
  const idWidth = Math.max(0, ...journal.steps.map((s) => s.id.length));
  for (const s of journal.steps) {
    lines.push(`  ${MARK[s.state] ?? '?'} ${s.id.padEnd(idWidth)}  ${colorState(s.state, c, 8)}  ${s.title}`);
    if (s.error) lines.push(`      ${c.red(s.error)}`);
  }
  const made = journal.steps.filter((s) => s.state === 'done' || s.state === 'failed' || s.state === 'undoing').flatMap((s) => s.creates ?? []);
  lines.push('Resources made:');
  if (made.length === 0) lines.push('  (none)');
  for (const r of made) lines.push(`  ${r.type} ${r.name}`);
  return lines;
}

export function renderStatus(report: StatusReport, c: Colors): string {
  const lines: string[] = [];
  lines.push(`Service:    ${report.service}`);
  lines.push(`Live color: ${report.liveColor ?? '(none yet: no deployment has switched traffic)'}`);
  lines.push(`Lock:       ${report.lock ? renderLock(report.lock) : 'not held'}`);
  if (report.journal) lines.push(...renderJournal(report.journal, c));
  else lines.push('Deployment: (none: this service was never deployed with bluegreen)');
  if (report.next && report.next.length > 0) {
    lines.push('Next:');
    for (const command of report.next) lines.push(`  ${command}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The step a paused deployment stopped before, or undefined when it is not paused. */
export function pausedStep(journal: Journal): { id: string; title: string } | undefined {
  if (journal.status !== 'paused') return undefined;
  return journal.steps.find((s) => s.id === journal.pauseBefore) ?? journal.steps.find((s) => s.state !== 'done');
}

/**
 * What deploy, resume, promote and rollback print when they end. For a paused deployment, `next` gives the
 * commands of the final block (promote, rollback).
 */
export function renderOutcome(journal: Journal, c: Colors, next?: { promote: string; rollback: string }): string {
  const paused = pausedStep(journal);
  const ok = journal.status === 'succeeded' || journal.status === 'rolled-back';
  const mark = paused ? c.yellow('⏸') : ok ? c.green('✓') : c.red('✗');
  const head = `${mark} ${journal.service}: deployment ${journal.deploymentId} ${journal.status}`;
  const lines = [head, ...renderSummary(journal.summary)];
  if (paused) {
    lines.push('');
    // "healthy" only once a health wait is done (swap-instances pauses before its new instances are attached).
    const healthy = journal.steps.some((s) => s.state === 'done' && s.id.startsWith('wait-healthy'));
    lines.push(c.bold(`Paused before step ${paused.id} (${paused.title}): green is up${healthy ? ' and healthy' : ''}, no traffic on it yet.`));
    if (next) lines.push(`Next: ${next.promote}, or ${next.rollback}.`);
  }
  return `${lines.join('\n')}\n`;
}
