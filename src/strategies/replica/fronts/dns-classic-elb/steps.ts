/**
 * The handlers of replica-dns's front: create-load-balancer, switch-dns (and, in traffic.ts, each traffic
 * step), and green's and blue's load balancers as the core's handlers see them. Same rules as every
 * handler: idempotent, journal first, undo after a partial apply and twice, no secrets in outputs.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { CreateLoadBalancerCommandInput, HealthCheck } from '@aws-sdk/client-elastic-load-balancing';
import type { Change, ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import type { AwsPorts } from '../../../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler } from '../../../../engine/types.js';
import type { Observation } from '../../../../engine/wait.js';
import { DeploymentError } from '../../../../errors.js';
import { createOrAdopt, NAME_TAKEN, taggedOurs } from '../../../common/adopt.js';
import { capacityOf } from '../../../common/capacity.js';
import { checkAlarms } from '../../../common/gates.js';
import { toJson } from '../../../common/plan-helpers.js';
import { allInOrder } from '../../../common/reads.js';
import type { BlueFront, GreenFront } from '../../front.js';
import type { CreateLoadBalancerParams, GreenLoadBalancer, RetireBlueParams, SwitchDnsParams } from './plan.js';
import type { LoadBalancerPolicies } from './builders.js';
import {
  aliasForType,
  aliasTargetOf,
  noteMovedOff,
  pointsAt,
  requireInService,
  waitBeforeDeletingGreen,
  zoneContext,
  zonesOf,
  type AliasTarget,
  type RecordZone,
} from './records.js';

type Handler<P> = StepHandler<P & JsonObject>;

/** Counts the capacity (units, as the group counts them) of a group's InService instances that its load balancer also reports InService. */
async function healthOf(ports: AwsPorts, group: string, loadBalancer: string): Promise<Observation & { group?: AutoScalingGroup }> {
  const [g, health] = await Promise.all([ports.groups.describeGroup(group), ports.classicLoadBalancers.instanceHealth(loadBalancer)]);
  if (!g) return { done: false, message: `group ${group} does not exist` };
  const inLb = new Set(health.filter((h) => h.State === 'InService').map((h) => h.InstanceId));
  const { units, desired, message } = capacityOf(
    g,
    (i) => i.LifecycleState === 'InService' && inLb.has(i.InstanceId),
    `InService in ${loadBalancer}`,
  );
  return { done: desired > 0 && units >= desired, message, counts: { done: units, total: desired }, group: g };
}

/** Green's load balancer, as wait-healthy and check-http name it; the group's input already names it. */
export function greenLoadBalancer(ports: AwsPorts, p: JsonObject): GreenFront {
  const { loadBalancer } = p as unknown as GreenLoadBalancer;
  return {
    name: loadBalancer,
    healthy: 'InService',
    health: (group) => healthOf(ports, group, loadBalancer),
    async httpTargets() {
      const [lb] = await ports.classicLoadBalancers.describe([loadBalancer]);
      if (!lb?.DNSName) throw new DeploymentError(`load balancer ${loadBalancer} no longer exists; its HTTP gates cannot be checked`);
      return [{ address: lb.DNSName }];
    },
    groupInput: (input) => input,
    rewrite: (value) => value,
  };
}

/** Blue's load balancer at retire-blue: deleted with blue. */
export function blueLoadBalancer(ports: AwsPorts): BlueFront<RetireBlueParams> {
  return {
    name: (p) => p.loadBalancer,
    delete: async (_ctx, p) => ports.classicLoadBalancers.delete(p.loadBalancer),
    health: (p) => healthOf(ports, p.group, p.loadBalancer),
  };
}

// ---------------------------------------------------------------- create-load-balancer

export function createLoadBalancer(ports: AwsPorts): Handler<CreateLoadBalancerParams> {
  return {
    async apply(ctx, p) {
      // A re-run (the name journaled before an earlier attempt's create) looks first; a first attempt makes it (common/adopt.ts).
      const [existing] = ctx.outputs.loadBalancer !== undefined ? await ports.classicLoadBalancers.describe([p.name]) : [];
      let dnsName = existing?.DNSName;
      if (!existing) {
        await ctx.record({ loadBalancer: p.name });
        dnsName = await createOrAdopt(
          () => ports.classicLoadBalancers.create(p.input as unknown as CreateLoadBalancerCommandInput),
          NAME_TAKEN.classicElb,
          () => ownLoadBalancer(ports, ctx, p.name),
        );
      }
      // Adopted or new: make sure it is configured like blue's.
      if (p.healthCheck) await ports.classicLoadBalancers.configureHealthCheck(p.name, p.healthCheck as unknown as HealthCheck);
      await ports.classicLoadBalancers.modifyAttributes(p.name, p.attributes);
      if (p.policies) await copyPolicies(ports, p.name, p.policies as unknown as LoadBalancerPolicies);
      await ctx.record({ loadBalancer: p.name, dnsName: dnsName ?? null });
    },
    async undo(_ctx, p) {
      await ports.classicLoadBalancers.delete(p.name);
    },
  };
}

/** The DNS name of the load balancer of that name when its tags say it is this deployment's, else false. */
async function ownLoadBalancer(ports: AwsPorts, ctx: StepContext, name: string): Promise<string | false> {
  const [[lb], tags] = await Promise.all([ports.classicLoadBalancers.describe([name]), ports.classicLoadBalancers.describeTags([name])]);
  return lb?.DNSName && taggedOurs(ctx, tags[name]) ? lb.DNSName : false;
}

/**
 * Blue's policies on green's load balancer, then each listener's and backend's set: without them green's
 * HTTPS listeners negotiate with AWS's default security policy, drop stickiness, and send no PROXY header
 * to instances that expect one. Each call is idempotent (a policy already there is success; a set replaces).
 */
async function copyPolicies(ports: AwsPorts, name: string, copy: LoadBalancerPolicies): Promise<void> {
  for (const policy of copy.policies) await ports.classicLoadBalancers.createPolicy(name, policy);
  for (const l of copy.listeners) await ports.classicLoadBalancers.setListenerPolicies(name, l.port, l.policyNames);
  for (const b of copy.backends) await ports.classicLoadBalancers.setBackendPolicies(name, b.port, b.policyNames);
}

// ---------------------------------------------------------------- switch-dns

/** The output keeping what a record of this type was before the switch: `previous` (A, as older journals have it), `previousAAAA`. */
const previousKey = (type: string) => (type === 'A' ? 'previous' : `previous${type}`);

/** The record of each type as it is now in one zone, by type. */
async function recordsNow(ports: AwsPorts, p: SwitchDnsParams, zone: RecordZone): Promise<Map<string, ResourceRecordSet | undefined>> {
  const found = await Promise.all(zone.types.map((t) => ports.dns.getRecord(zone.zoneId, p.recordName, t)));
  return new Map(zone.types.map((t, i) => [t, found[i]]));
}

/**
 * switch-dns: the alias record (and, dual-stack, its AAAA twin) to green's load balancer in one change
 * batch, then INSYNC; then the same in each other zone of dns.alsoHostedZoneIds (a batch is of one zone).
 * Journal, per zone (zoneContext): `previous` (and `previousAAAA`) before the first change, `target`, `changeId`.
 */
export function switchDns(ports: AwsPorts): Handler<SwitchDnsParams> {
  return {
    async apply(ctx, p) {
      const [main, ...others] = zonesOf(p) as [RecordZone, ...RecordZone[]];
      // The reads before the first change go at once; their refusals count in this order. Never switch
      // while a gate alarm is in ALARM (a VerificationError: the engine rolls back); never point traffic at nothing.
      const [, , target, current] = await allInOrder([
        checkAlarms(ports, p.alarms ?? [], `before pointing ${p.recordName} at ${p.loadBalancer}`),
        requireInService(ports, p.loadBalancer, `point ${p.recordName} at ${p.loadBalancer}`),
        aliasTargetOf(ports, p.loadBalancer, p.region),
        recordsNow(ports, p, main),
      ]);
      await switchZone(ports, zoneContext(ctx, main), p, main, target, current);
      for (const zone of others) await switchZone(ports, zoneContext(ctx, zone), p, zone, target);
      await noteMovedOff(ctx, p.blueLoadBalancer, p.clientSeconds);
    },
    async undo(ctx, p) {
      let restored = false;
      for (const zone of zonesOf(p).reverse()) restored = (await restoreZone(ports, zoneContext(ctx, zone), p, zone)) || restored;
      if (restored) await waitBeforeDeletingGreen(ports, ctx, p);
    },
  };
}

/** The records of one zone to green (or the wait for an earlier attempt's change); `read`: the zone's records as just read. */
async function switchZone(
  ports: AwsPorts,
  ctx: StepContext,
  p: SwitchDnsParams,
  zone: RecordZone,
  target: AliasTarget,
  read?: Map<string, ResourceRecordSet | undefined>,
): Promise<void> {
  const current = read ?? (await recordsNow(ports, p, zone));
  const changeId = ctx.outputs.changeId as string | undefined;
  if (changeId && [...current.values()].every((r) => r && pointsAt(r, target.DNSName))) {
    await ports.dns.waitInSync(changeId, p.syncTimeoutSeconds);
    return;
  }
  // What the records were before this step first changed them (an earlier attempt may have changed them already).
  const previous: JsonObject = {};
  for (const [type, record] of current) {
    if (!(previousKey(type) in ctx.outputs)) previous[previousKey(type)] = record ? toJson(record) : null;
  }
  await ctx.record({ ...previous, target: { ...target } });
  const changes = [...current].map(([type, record]) => ({
    Action: 'UPSERT' as const,
    ResourceRecordSet: {
      Name: p.recordName,
      Type: type as RRType,
      AliasTarget: { ...aliasForType(type, target), EvaluateTargetHealth: record?.AliasTarget?.EvaluateTargetHealth ?? p.evaluateTargetHealth },
    },
  }));
  const id = await ports.dns.change(zone.zoneId, changes, `bluegreen ${ctx.deploymentId}: ${p.from} -> ${p.loadBalancer}`);
  await ctx.record({ changeId: id });
  ctx.progress(`waiting for the change of ${p.recordName} to be INSYNC`);
  await ports.dns.waitInSync(id, p.syncTimeoutSeconds);
}

/**
 * One zone's records back to what they were (or, absent before, away), in one batch, and INSYNC. Whether
 * this undo put them back (now or before a crash): then green waits before it is deleted.
 */
async function restoreZone(ports: AwsPorts, ctx: StepContext, p: SwitchDnsParams, zone: RecordZone): Promise<boolean> {
  const target = ctx.outputs.target as AliasTarget | undefined;
  if (!target) return false; // never changed
  const current = await recordsNow(ports, p, zone);
  const changes: Change[] = [];
  for (const [type, record] of current) {
    if (!record || !pointsAt(record, target.DNSName)) continue;
    const previous = ctx.outputs[previousKey(type)] as ResourceRecordSet | null | undefined;
    if (previous === undefined) continue; // not changed by this step (a type it did not move)
    changes.push(previous ? { Action: 'UPSERT', ResourceRecordSet: previous } : { Action: 'DELETE', ResourceRecordSet: record });
  }
  if (changes.length === 0) {
    const restored = ctx.outputs.restoreChangeId as string | undefined;
    if (!restored) {
      ctx.progress(`${p.recordName} no longer points at ${p.loadBalancer}; left as it is`);
      return false;
    }
    // Put back by this undo before (a resumed rollback): INSYNC, then what is left of the wait.
    await ports.dns.waitInSync(restored, p.syncTimeoutSeconds);
    return true;
  }
  const back = (ctx.outputs.previous as ResourceRecordSet | null | undefined)?.AliasTarget?.DNSName;
  const id = await ports.dns.change(zone.zoneId, changes, `bluegreen ${ctx.deploymentId}: rollback${back ? ` to ${back}` : ''}`);
  await ctx.record({ restoreChangeId: id });
  ctx.progress(back ? `waiting for ${p.recordName} to point back at ${back} (INSYNC)` : `waiting for the rollback of ${p.recordName} to be INSYNC`);
  await ports.dns.waitInSync(id, p.syncTimeoutSeconds);
  return true;
}
