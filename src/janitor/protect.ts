/**
 * What the janitor must never delete, as Protections for planGc: the live stack (found by the strategy's
 * observe), the stack a rollback of the current deployment would return to, and everything of a deployment
 * that has not ended. Pure, but for `rollbackBlocked`, which asks the steps' own blocksUndo (read-only).
 */
import type { Clock } from '../engine/clock.js';
import { isUnfinished, stepsToUndo } from '../engine/states.js';
import type { Journal, StepContext, StepRegistry } from '../engine/types.js';
import { cachedUntilOf } from '../strategies/common/cached.js';
import { readSummary, type SideSummary } from '../strategies/summary.js';
import type { LiveStack } from '../strategies/types.js';
import type { LeftoverType, Protection } from './plan.js';

export function liveProtections(live: LiveStack): Protection[] {
  const why = `the live stack (${live.group})`;
  const out: Protection[] = [{ resource: { type: 'auto-scaling-group', name: live.group }, why }];
  if (live.launch)
    out.push({
      resource: { type: live.launch.kind === 'configuration' ? 'launch-configuration' : 'launch-template', name: live.launch.name },
      why: `used by ${why}`,
    });
  if (live.imageId) out.push({ resource: { type: 'image', name: live.imageId }, why: `the image of ${why}` });
  return out;
}

/** A group and its launch (of either kind: the summary does not say which) as protections. */
function sideProtections(side: SideSummary | undefined, why: string): Protection[] {
  const out: Protection[] = [];
  if (!side) return out;
  if (side.group) out.push({ resource: { type: 'auto-scaling-group', name: side.group }, why });
  if (side.launch) {
    for (const type of ['launch-configuration', 'launch-template'] as const satisfies readonly LeftoverType[]) {
      out.push({ resource: { type, name: side.launch }, why });
    }
  }
  return out;
}

/** Everything gc must keep: the live stack (when known) and what the current journal protects. */
export function gcProtections(live: LiveStack | undefined, journal: Journal | undefined, rollbackBlocked?: string): Protection[] {
  return [...(live ? liveProtections(live) : []), ...journalProtections(journal, rollbackBlocked)];
}

/**
 * From the current journal: a deployment that has not ended keeps everything of it and both its stacks; a
 * succeeded one keeps the stack its rollback returns to (summary.blue), unless `rollbackBlocked` says a
 * rollback is no longer possible (e.g. retire.action delete removed blue). A rolled-back one keeps nothing:
 * its blue is live (the live stack protects it) and what it made is its leftovers.
 */
export function journalProtections(journal: Journal | undefined, rollbackBlocked?: string): Protection[] {
  if (!journal) return [];
  const id = journal.deploymentId;
  const { blue, green } = readSummary(journal.summary);
  if (isUnfinished(journal.status)) {
    const why = `deployment ${id} is ${journal.status}: finish it with resume or rollback first`;
    return [{ deploymentId: id, why }, ...sideProtections(blue, why), ...sideProtections(green, why)];
  }
  if (journal.status === 'succeeded' && !rollbackBlocked) {
    return sideProtections(blue, `rollback of deployment ${id} returns to it`);
  }
  return [];
}

/**
 * Load balancers a record pointed at until recently: clients that cached the record keep sending them
 * requests for its TTL (60 s for an alias to a load balancer, longer in many resolvers) and they drain the
 * connections they have. A step that moves a record off a load balancer journals until when (CACHED_UNTIL,
 * src/strategies/common/cached.ts); until then gc keeps it, and with it its deployment, whatever the
 * journal's status. `journals`: the current one and recent history (newest first); `now`: epoch ms.
 */
export function cachedProtections(journals: readonly (Journal | undefined)[], now: number): Protection[] {
  const out: Protection[] = [];
  for (const journal of journals) {
    for (const step of journal?.steps ?? []) {
      for (const [name, until] of Object.entries(cachedUntilOf(step.outputs))) {
        if (until <= now) continue;
        out.push({
          resource: { type: 'load-balancer', name },
          why: `a DNS record moved off it recently: clients that cached it may send it requests until ${new Date(until).toISOString()} (${Math.ceil((until - now) / 1000)}s from now; deployment ${journal?.deploymentId}, step ${step.id})`,
        });
      }
    }
  }
  return out;
}

/**
 * Why a rollback of the journal is not possible any more, as its steps' blocksUndo say (the engine asks the
 * same before a rollback), or undefined when it is possible. Read-only: a step may describe AWS to know.
 */
export async function rollbackBlocked(journal: Journal, registry: StepRegistry, clock: Clock, signal: AbortSignal): Promise<string | undefined> {
  for (const step of stepsToUndo(journal)) {
    const handler = registry[step.kind];
    if (!handler?.blocksUndo) continue;
    const ctx: StepContext = {
      service: journal.service,
      deploymentId: journal.deploymentId,
      clock,
      signal,
      outputs: step.outputs,
      outputsOf: (id) => journal.steps.find((s) => s.id === id)?.outputs ?? {},
      record: () => Promise.reject(new Error('the janitor only reads a journal')),
      progress: () => undefined,
      output: () => undefined,
    };
    const reason = await handler.blocksUndo(ctx, step.params);
    if (reason) return reason;
  }
  return undefined;
}
