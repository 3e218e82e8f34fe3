/**
 * replica-dns/shift-traffic (the front of replica-dns): one step of traffic.steps. Requests move by weighted alias records: the first
 * step replaces the simple alias record by two weighted ones (blue's where the record pointed, green's at
 * green's load balancer), the middle steps change both weights, the 100 step makes one simple record at
 * green again; each in one Route 53 change batch, then INSYNC, then the hold while the alarms are watched.
 *
 * Journal: `original` (the simple record before the first step, copied by every later step), `target`
 * (the sets this step makes), recorded before the change; `changeId` after it; `holdUntil` (the hold's end).
 * Undo of any traffic step puts the original record back in one batch, and does nothing when it is back
 * already: a rollback through several traffic steps changes the record once.
 */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { AwsPorts } from '../../../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler } from '../../../../engine/types.js';
import { DeploymentError } from '../../../../errors.js';
import { checkAlarms } from '../../../common/gates.js';
import { toJson } from '../../../common/plan-helpers.js';
import { holdShare, share } from '../../steps/traffic-hold.js';
import type { ShiftTrafficParams } from './plan.js';
import {
  aliasForType,
  aliasTargetOf,
  changeBatch,
  describeSets,
  getSetsOfTypes,
  noteMovedOff,
  pointsAt,
  recordTypes,
  requireInService,
  sameSets,
  trafficSets,
  waitBeforeDeletingGreen,
  zoneContext,
  zonesOf,
  type AliasTarget,
} from './records.js';

type Handler<P> = StepHandler<P & JsonObject>;

export function shiftTraffic(ports: AwsPorts): Handler<ShiftTrafficParams> {
  return { apply: (ctx, p) => applyShare(ports, ctx, p), undo: (ctx, p) => restoreOriginal(ports, ctx, p) };
}

/** Gates, then the one change batch to this step's sets (or the wait for an earlier attempt's), then the hold. */
async function applyShare(ports: AwsPorts, ctx: StepContext, p: ShiftTrafficParams): Promise<void> {
  const sending = `send ${share(p)} of ${p.recordName} to ${p.loadBalancer}`;
  // Gates first, before anything changes: an alarm in ALARM or an empty green rolls back.
  await checkAlarms(ports, p.alarms, `before sending ${share(p)} to ${p.loadBalancer}`);
  await requireInService(ports, p.loadBalancer, sending);
  const green = await aliasTargetOf(ports, p.loadBalancer, p.region);
  // The main zone, then each of dns.alsoHostedZoneIds (a change batch is of one zone).
  for (const zone of zonesOf(p)) await shareInZone(ports, zoneContext(ctx, zone), { ...p, zoneId: zone.zoneId, types: zone.types }, green);
  if (p.percent >= 100) await noteMovedOff(ctx, p.blueLoadBalancer, p.clientSeconds);
  await holdShare(ports, ctx, p, p.loadBalancer);
}

/** One zone: the one change batch to this step's sets, or the wait for an earlier attempt's. */
async function shareInZone(ports: AwsPorts, ctx: StepContext, p: ShiftTrafficParams, green: AliasTarget): Promise<void> {
  const current = await getSetsOfTypes(ports, p.zoneId, p.recordName, recordTypes(p));
  // Dual-stack: the A and AAAA records move together, their sets in the same batch.
  const originals = recordTypes(p).map((type) => originalRecord(ctx, p, type, current));
  const target = originals.flatMap((o) => trafficSets(o, aliasForType(o.Type ?? 'A', green), p.percent, p.sets));

  if (sameSets(current, target)) {
    // An earlier attempt made the change: wait for it if its id was journaled, and do not change again.
    // Without its id (the process died between the change and the journal), nothing says the change is
    // INSYNC: the same sets are UPSERTed again (no change of value) and that change is waited for.
    let changeId = ctx.outputs.changeId as string | undefined;
    if (!changeId && ctx.outputs.target === undefined) {
      ctx.progress(`${p.recordName} already sends ${share(p)} to ${p.loadBalancer}`);
    } else if (!changeId) {
      ctx.progress(`${p.recordName} already sends ${share(p)} to ${p.loadBalancer}; confirming it is INSYNC`);
      changeId = await ports.dns.change(p.zoneId, upsertAll(target), `bluegreen ${ctx.deploymentId}: ${share(p)} to ${p.loadBalancer} (confirm)`);
      await ctx.record({ changeId });
    }
    if (changeId) await ports.dns.waitInSync(changeId, p.syncTimeoutSeconds);
  } else {
    const foreign = current.filter((r) => !isOurs(r, p, originals, green.DNSName));
    if (foreign.length > 0) {
      throw new DeploymentError(
        `record ${p.recordName} in hosted zone ${p.zoneId} has sets this deployment did not make: ${describeSets(foreign)}; fix the record, then resume or roll back`,
      );
    }
    await ctx.record({ ...Object.fromEntries(originals.map((o) => [originalKey(o.Type ?? 'A'), toJson(o)])), target: target.map((r) => toJson(r)) });
    const id = await ports.dns.change(p.zoneId, changeBatch(current, target), `bluegreen ${ctx.deploymentId}: ${share(p)} to ${p.loadBalancer}`);
    await ctx.record({ changeId: id });
    ctx.progress(`waiting for the change of ${p.recordName} to be INSYNC`);
    await ports.dns.waitInSync(id, p.syncTimeoutSeconds);
  }
}

/** The original simple records back in every zone (the others first), then, when this undo did, the wait before green goes. */
async function restoreOriginal(ports: AwsPorts, ctx: StepContext, p: ShiftTrafficParams): Promise<void> {
  let restored = false;
  for (const zone of zonesOf(p).reverse()) {
    restored = (await restoreInZone(ports, zoneContext(ctx, zone), { ...p, zoneId: zone.zoneId, types: zone.types })) || restored;
  }
  if (restored) await waitBeforeDeletingGreen(ports, ctx, p);
}

/**
 * One zone's original simple records back, in one batch, unless they are back already or the record went
 * elsewhere. Whether this undo put them back (now, or before a crash).
 */
async function restoreInZone(ports: AwsPorts, ctx: StepContext, p: ShiftTrafficParams): Promise<boolean> {
  const originals = recordTypes(p).flatMap((type) => {
    const recorded = recordedOriginal(ctx, p, type);
    return recorded ? [recorded] : [];
  });
  const original = originals[0];
  if (!original) return false; // no traffic step changed the record
  const current = await getSetsOfTypes(ports, p.zoneId, p.recordName, recordTypes(p));
  if (sameSets(current, originals)) {
    // Back already (by this undo before a crash, or by the undo of a later traffic step).
    // Green is deleted after this undo: the restore must be INSYNC first, so without its id (a crash
    // between the change and the journal) the original is UPSERTed again and that change waited for.
    let restored = ctx.outputs.restoreChangeId as string | undefined;
    if (!restored && ctx.outputs.restoring === true) {
      restored = await ports.dns.change(p.zoneId, upsertAll(originals), `bluegreen ${ctx.deploymentId}: rollback (confirm)`);
      await ctx.record({ restoreChangeId: restored });
    }
    if (!restored) return false;
    await ports.dns.waitInSync(restored, p.syncTimeoutSeconds);
    return true;
  }
  const [green] = await ports.classicLoadBalancers.describe([p.loadBalancer]);
  const greenDns =
    green?.DNSName ??
    ((ctx.outputs.target ?? ctx.outputsOf(p.firstStep).target) as ResourceRecordSet[] | undefined)?.find(
      (r) => r.SetIdentifier === p.sets.green || !r.SetIdentifier,
    )?.AliasTarget?.DNSName;
  if (!greenDns || !current.some((r) => pointsAt(r, greenDns))) {
    ctx.progress(`${p.recordName} no longer sends requests to ${p.loadBalancer} (${describeSets(current)}); left as it is`);
    return false;
  }
  const foreign = current.filter((r) => !isOurs(r, p, originals, greenDns));
  if (foreign.length > 0) {
    throw new DeploymentError(
      `record ${p.recordName} in hosted zone ${p.zoneId} has sets this deployment did not make: ${describeSets(foreign)}; remove them (or point the record at ${original.AliasTarget?.DNSName} by hand), then roll back again`,
    );
  }
  // One batch: every set there now out, the original records (A, and AAAA dual-stack) in.
  const changes = [
    ...current.map((r) => ({ Action: 'DELETE' as const, ResourceRecordSet: r })),
    ...originals.map((o) => ({ Action: 'CREATE' as const, ResourceRecordSet: o })),
  ];
  await ctx.record({ restoring: true });
  const id = await ports.dns.change(
    p.zoneId,
    changes,
    `bluegreen ${ctx.deploymentId}: rollback to ${original.AliasTarget?.DNSName ?? 'the original record'}`,
  );
  await ctx.record({ restoreChangeId: id });
  ctx.progress(`waiting for ${p.recordName} to send all requests back to ${original.AliasTarget?.DNSName} (INSYNC)`);
  await ports.dns.waitInSync(id, p.syncTimeoutSeconds);
  return true;
}

/** The output keeping the simple record of a type before the first traffic step: `original` (A, as older journals have it), `originalAAAA`. */
const originalKey = (type: string) => (type === 'A' ? 'original' : `original${type}`);

/** The simple record of this type before the first traffic step, as this step or the first one journaled it. */
function recordedOriginal(ctx: StepContext, p: ShiftTrafficParams, type: string): ResourceRecordSet | undefined {
  return (ctx.outputs[originalKey(type)] ?? ctx.outputsOf(p.firstStep)[originalKey(type)]) as ResourceRecordSet | undefined;
}

/**
 * The simple alias record of this type as it was before the first traffic step: journaled by this step or
 * by the first one; else (the first step, first attempt) the record now, which must be that one simple record.
 */
function originalRecord(ctx: StepContext, p: ShiftTrafficParams, type: string, all: ResourceRecordSet[]): ResourceRecordSet {
  const recorded = recordedOriginal(ctx, p, type);
  if (recorded) return recorded;
  const current = all.filter((r) => (r.Type ?? 'A') === type);
  const [only] = current;
  const which = type === 'A' ? `record ${p.recordName}` : `record ${p.recordName} (type ${type})`;
  if (current.length !== 1 || !only || only.SetIdentifier || !only.AliasTarget?.DNSName) {
    throw new DeploymentError(
      current.length === 0
        ? `${which} no longer exists in hosted zone ${p.zoneId}; create it again (an alias to ${p.from}), then resume or roll back`
        : `${which} in hosted zone ${p.zoneId} is no longer one simple alias record (${describeSets(current)}); fix it, then resume or roll back`,
    );
  }
  return only;
}

/** A set this deployment's traffic steps may have made, or one of the original records. */
function isOurs(r: ResourceRecordSet, p: ShiftTrafficParams, originals: ResourceRecordSet[], greenDns: string): boolean {
  if (r.SetIdentifier === p.sets.blue || r.SetIdentifier === p.sets.green) return true;
  if (r.SetIdentifier) return false;
  return pointsAt(r, greenDns) || originals.some((o) => sameSets([r], [o]));
}

/** UPSERTs of these sets as they are: a change of no value, whose id says when Route 53 is INSYNC. */
function upsertAll(sets: ResourceRecordSet[]): Change[] {
  return sets.map((r) => ({ Action: 'UPSERT', ResourceRecordSet: r }));
}
