/**
 * The record sets of replica-dns: where green's alias points (its load balancer and hosted zone), the
 * refusal to send traffic to a load balancer with nothing InService, and the pure arithmetic of the
 * traffic steps (the sets a step wants, the one change batch that gets there from what exists).
 * Shared by switch-dns, the traffic steps and their undo.
 */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { AwsPorts } from '../../../../aws/ports.js';
import { formatDuration } from '../../../../config/duration.js';
import type { JsonObject, StepContext } from '../../../../engine/types.js';
import { DeploymentError, VerificationError } from '../../../../errors.js';
import { CACHED_UNTIL, cachedUntilOf } from '../../../common/cached.js';
import { holdWatching } from '../../../common/hold.js';
import { classicElbHostedZoneId, normaliseDnsName } from './elb-zones.js';
import { ALIAS_CACHE_SECONDS, HOLD_PROGRESS_SECONDS, type SwitchDnsParams } from './plan.js';

export interface AliasTarget {
  DNSName: string;
  HostedZoneId: string;
}

/**
 * Refuses (VerificationError: the engine rolls back) to send requests to a load balancer that has no
 * InService instance. `sending` says what was about to happen: "point shop.example.com at shop-green-k3x9a".
 */
export async function requireInService(ports: AwsPorts, loadBalancer: string, sending: string): Promise<void> {
  const inService = (await ports.classicLoadBalancers.instanceHealth(loadBalancer)).filter((h) => h.State === 'InService').length;
  if (inService < 1) throw new VerificationError(`refusing to ${sending}: it has no InService instance`);
}

/** The alias target of a classic load balancer: its DNS name and the hosted zone of classic ELBs in its region. */
export async function aliasTargetOf(ports: AwsPorts, loadBalancer: string, region: string | null): Promise<AliasTarget> {
  const [lb] = await ports.classicLoadBalancers.describe([loadBalancer]);
  if (!lb?.DNSName) throw new DeploymentError(`load balancer ${loadBalancer} no longer exists`);
  const hostedZoneId = classicElbHostedZoneId(lb, region ?? undefined);
  if (!hostedZoneId) {
    throw new DeploymentError(`cannot tell the hosted zone of load balancer ${loadBalancer} (${lb.DNSName}); set region in the config`);
  }
  return { DNSName: lb.DNSName, HostedZoneId: hostedZoneId };
}

/** Whether an alias record set points at this DNS name (case, final dot and "dualstack." aside). */
export function pointsAt(record: ResourceRecordSet, dnsName: string): boolean {
  return normaliseDnsName(record.AliasTarget?.DNSName) === normaliseDnsName(dnsName);
}

/** The set identifiers of the two weighted records: the colors of the live stack and of the new one. */
export interface SetIds {
  blue: string;
  green: string;
}

/**
 * The sets that give green `percent` of the requests, from the original simple alias record: below 100,
 * two weighted alias records (blue's where the record pointed, green's at green's load balancer); at 100,
 * one simple alias record at green. EvaluateTargetHealth stays as the original had it.
 */
export function trafficSets(original: ResourceRecordSet, green: AliasTarget, percent: number, ids: SetIds): ResourceRecordSet[] {
  const base = { Name: original.Name, Type: original.Type };
  const evaluate = original.AliasTarget?.EvaluateTargetHealth ?? false;
  const toGreen = { ...green, EvaluateTargetHealth: evaluate };
  if (percent >= 100) return [{ ...base, AliasTarget: toGreen }];
  return [
    { ...base, SetIdentifier: ids.blue, Weight: 100 - percent, ...(original.AliasTarget ? { AliasTarget: { ...original.AliasTarget } } : {}) },
    { ...base, SetIdentifier: ids.green, Weight: percent, AliasTarget: toGreen },
  ];
}

/** A set's identity in its name: its type and set identifier (a simple set has none). */
const keyOf = (r: ResourceRecordSet) => `${r.Type ?? 'A'} ${r.SetIdentifier ?? ''}`;

/** The types of the record that move together (switch-dns and traffic params' `types`; older journals: A alone). */
export const recordTypes = (p: { types?: string[] }): string[] => p.types ?? ['A'];

/**
 * Green's alias target for a record of this type. A Route 53 alias that serves IPv6 clients names a load
 * balancer by its "dualstack." name (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-elb-load-balancer.html).
 */
export function aliasForType(type: string, target: AliasTarget): AliasTarget {
  return type === 'AAAA' && !/^dualstack\./i.test(target.DNSName) ? { ...target, DNSName: `dualstack.${target.DNSName}` } : target;
}

/** Every set of the name of each type, A first (Route 53's order within a type). */
export async function getSetsOfTypes(ports: AwsPorts, zoneId: string, name: string, types: string[]): Promise<ResourceRecordSet[]> {
  return (await Promise.all(types.map((t) => ports.dns.getRecordSets(zoneId, name, t)))).flat();
}

/** Whether two lists of sets route the same: the same identifiers, weights and alias targets. */
export function sameSets(a: ResourceRecordSet[], b: ResourceRecordSet[]): boolean {
  const norm = (sets: ResourceRecordSet[]) =>
    JSON.stringify(
      sets
        .map((r) => [keyOf(r), r.Weight ?? null, normaliseDnsName(r.AliasTarget?.DNSName), r.AliasTarget?.EvaluateTargetHealth ?? false])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
  return norm(a) === norm(b);
}

/**
 * The one change batch from the sets that exist to the wanted ones: first DELETE those the wanted ones do
 * not replace (Route 53 applies a batch in order, and a simple set cannot coexist with weighted ones of
 * the same name and type), then UPSERT those that stay and CREATE the new ones.
 */
export function changeBatch(current: ResourceRecordSet[], wanted: ResourceRecordSet[]): Change[] {
  const wantedKeys = new Set(wanted.map(keyOf));
  const existing = new Set(current.map(keyOf));
  return [
    ...current.filter((r) => !wantedKeys.has(keyOf(r))).map((r): Change => ({ Action: 'DELETE', ResourceRecordSet: r })),
    ...wanted.map((r): Change => ({ Action: existing.has(keyOf(r)) ? 'UPSERT' : 'CREATE', ResourceRecordSet: r })),
  ];
}

/** "blue 90 / green 10" from the sets (a simple set: all of it to wherever it points); AAAA sets say so. */
export function describeSets(sets: ResourceRecordSet[]): string {
  if (sets.length === 0) return 'no record';
  return sets
    .map((r) => {
      const type = r.Type && r.Type !== 'A' ? `${r.Type} ` : '';
      return r.SetIdentifier
        ? `${type}${r.SetIdentifier} ${r.Weight ?? 0} (${r.AliasTarget?.DNSName ?? 'not an alias'})`
        : `${type}alias to ${r.AliasTarget?.DNSName ?? 'no alias target'}`;
    })
    .join(' / ');
}

// ---------------------------------------------------------------- after the record moved

/**
 * Journals (once) until when requests may still reach `loadBalancer` now that the record no longer points
 * at it: the janitor keeps it until then. `seconds`: the step's clientSeconds (absent in older journals).
 */
export async function noteMovedOff(ctx: StepContext, loadBalancer: string | undefined, seconds: number | undefined): Promise<void> {
  if (!loadBalancer || seconds === undefined) return;
  const cached = cachedUntilOf(ctx.outputs);
  if (cached[loadBalancer] !== undefined) return;
  await ctx.record({ [CACHED_UNTIL]: { ...cached, [loadBalancer]: ctx.clock.now() + seconds * 1000 } });
}

/**
 * The record is back on blue and INSYNC; the rollback deletes green next. Clients that resolved the record
 * while it pointed at green keep sending requests there until their cached answer expires (the alias TTL,
 * 60 s for a load balancer, and longer in many resolvers), and green drains the connections it has: so
 * green stays retire.after longer (its end journaled as `greenDeleteAt`, so a resumed rollback waits only
 * what is left). Journals of older versions wait the alias TTL.
 */
export async function waitBeforeDeletingGreen(
  ports: AwsPorts,
  ctx: StepContext,
  p: Pick<SwitchDnsParams, 'loadBalancer' | 'recordName' | 'clientSeconds' | 'rollbackWaitSeconds'>,
): Promise<void> {
  const client = p.clientSeconds ?? ALIAS_CACHE_SECONDS;
  await noteMovedOff(ctx, p.loadBalancer, client);
  const seconds = p.rollbackWaitSeconds ?? ALIAS_CACHE_SECONDS;
  if (seconds <= 0) return;
  const draining = client - ALIAS_CACHE_SECONDS;
  ctx.progress(
    `waiting ${formatDuration(seconds)} (retire.after) before ${p.loadBalancer} and its group are deleted: clients that cached ${p.recordName} keep sending requests to it for up to ${ALIAS_CACHE_SECONDS}s after it points back at blue${draining > 0 ? `, and it drains connections for ${draining}s` : ''}`,
  );
  await holdWatching(ports, ctx, {
    seconds,
    intervalSeconds: Math.max(1, Math.min(HOLD_PROGRESS_SECONDS, seconds)),
    alarms: [],
    key: 'greenDeleteAt',
    doing: `while waiting to delete ${p.loadBalancer}`,
    label: `before deleting ${p.loadBalancer} (clients may still use the cached record)`,
  });
}

// ---------------------------------------------------------------- the zones a step changes

/** One hosted zone a record step changes: the main one (dns.hostedZoneId) first, then dns.alsoHostedZoneIds. */
export interface RecordZone {
  zoneId: string;
  types: string[];
  /** Not the main zone: its outputs are journaled under keys ending in "@<zone id>". */
  extra: boolean;
}

export function zonesOf(p: { zoneId: string; types?: string[]; zones?: { zoneId: string; types: string[] }[] }): RecordZone[] {
  return [{ zoneId: p.zoneId, types: recordTypes(p), extra: false }, ...(p.zones ?? []).map((z) => ({ ...z, extra: true }))];
}

/**
 * The step's journal as one zone's change sees it: the main zone's keys as they are (as in older journals),
 * another zone's with "@<zone id>" after them, so each zone keeps its own previous record, change ids and
 * restore state. Keys that are the step's own (holds, cachedUntil) are read and written through `ctx` itself.
 */
export function zoneContext(ctx: StepContext, zone: RecordZone): StepContext {
  if (!zone.extra) return ctx;
  const suffix = `@${zone.zoneId}`;
  const view = (outputs: Readonly<JsonObject>): JsonObject =>
    Object.fromEntries(Object.entries(outputs).flatMap(([k, v]) => (k.endsWith(suffix) ? [[k.slice(0, -suffix.length), v]] : [])));
  return {
    ...ctx,
    get outputs() {
      return view(ctx.outputs);
    },
    outputsOf: (id) => view(ctx.outputsOf(id)),
    record: (values) => ctx.record(Object.fromEntries(Object.entries(values).map(([k, v]) => [`${k}${suffix}`, v]))),
    progress: (message, counts) => ctx.progress(`${message} (hosted zone ${zone.zoneId})`, counts),
  };
}
