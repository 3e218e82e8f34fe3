/** A plan for people: the ordered steps with what each creates, changes and waits for, then the warnings. */
import type { Plan } from '../../strategies/types.js';
import type { Json, JsonObject } from '../../engine/types.js';
import type { Colors } from './style.js';

/** Flattens nested objects to dotted keys: { blue: { group: "x" } } -> ["blue.group", "x"]. */
function flatten(value: Json, prefix: string, into: Array<[string, string]>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, into);
    return;
  }
  into.push([prefix, typeof value === 'string' ? value : JSON.stringify(value)]);
}

/** The line shown above the step a deploy with --pause-before-switch stops before. */
export const PAUSE_MARK = '⏸ pauses here (--pause-before-switch): green is up, no traffic on it until `bluegreen promote`';

export function renderSummary(summary: JsonObject, indent = '  '): string[] {
  const rows: Array<[string, string]> = [];
  flatten(summary, '', rows);
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${`${k}:`.padEnd(width + 1)} ${v}`);
}

/**
 * `pauseBefore`: the id of the step `deploy --pause-before-switch` stops before; a marker line is shown
 * above it.
 */
export function renderPlan(plan: Plan, c: Colors, heading?: string, pauseBefore?: string): string {
  const lines: string[] = [];
  lines.push(c.bold(heading ?? `Plan for deployment ${plan.deploymentId}`));
  if (Object.keys(plan.summary).length > 0) lines.push(...renderSummary(plan.summary));
  lines.push('');
  const width = String(plan.steps.length).length;
  plan.steps.forEach((step, i) => {
    const pad = ' '.repeat(width + 4);
    if (step.id === pauseBefore) lines.push(`${' '.repeat(width + 2)}${c.yellow(PAUSE_MARK)}`);
    lines.push(`${String(i + 1).padStart(width + 2)}. ${c.bold(step.title)}  ${c.dim(step.id)}`);
    for (const r of step.creates ?? []) lines.push(`${pad}${c.green('+')} creates ${r.type} ${r.name}`);
    for (const ch of step.changes ?? []) lines.push(`${pad}${c.yellow('~')} changes ${ch.what}: ${ch.from} -> ${ch.to}`);
    if (step.waits) lines.push(`${pad}${c.cyan('…')} waits ${step.waits}`);
  });
  if (plan.steps.length === 0) lines.push('  (no steps: nothing to do)');
  if (plan.warnings.length > 0) {
    lines.push('');
    lines.push(c.yellow('Warnings:'));
    for (const w of plan.warnings) lines.push(`  ${c.yellow('!')} ${w}`);
  }
  return `${lines.join('\n')}\n`;
}
