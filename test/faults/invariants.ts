/**
 * The invariants of the fault-injection suite, per strategy family. Each returns the list of what is wrong
 * (empty: all good), so the suite can say every broken rule of a case at once.
 *
 *  - always: traffic (the record's sets, the listener's forwards, the live group's load balancers) reaches
 *    only something with at least one InService / healthy instance; checked after every AWS write;
 *  - owned: no duplicate resource, and nothing of this deployment in AWS that the journal does not name
 *    in the steps' outputs (what the handlers journaled before their AWS calls);
 *  - order: blue is not scaled down (or its old instances deregistered / terminated) before the switch is
 *    complete (and INSYNC, for DNS) and retire.after has passed, read from the log of effective writes;
 *  - journal: the values the journal recorded as "what was there before" equal what was there;
 *  - deployed: after a resume, the deployment's end state;
 *  - normalise: what a rollback may legitimately leave different from the world before (see each one).
 */
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { Json, Journal } from '../../src/engine/types.js';
import type { FakeAws } from '../fakes/aws.js';
import { DEPLOYMENT_ID, type Mutation, type RunContext, type ScenarioWorld, type StrategyChecks } from './harness.js';

const DEPLOYMENT_TAG = 'bluegreen:deployment';
const BLUE_GROUP = 'shop-web';
const GREEN_GROUP = `shop-green-${DEPLOYMENT_ID}`;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const normDns = (name: string | undefined) =>
  (name ?? '')
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^dualstack\./, '');
const outputsOf = (j: Journal, id: string) => j.steps.find((s) => s.id === id)?.outputs ?? {};
const isScaledDown = (m: Mutation, original: { MinSize: number; DesiredCapacity: number }) => {
  if (m.operation === 'groups.deleteGroup' || m.operation === 'groups.deletePolicy') return m.args[0] === BLUE_GROUP;
  if (m.operation === 'alarms.deleteAlarms') return (m.args[0] as string[]).some((n) => !n.includes(DEPLOYMENT_ID));
  // blue's alarm losing its action on blue's policy (retire.action delete keeps an alarm that also acts elsewhere)
  if (m.operation === 'alarms.putAlarm') return !((m.args[0] as { AlarmName?: string }).AlarmName ?? '').includes(DEPLOYMENT_ID);
  if (m.operation === 'groups.deleteWarmPool') return m.args[0] === BLUE_GROUP;
  if (m.operation !== 'groups.updateGroup') return false;
  const input = m.args[0] as { AutoScalingGroupName?: string; MinSize?: number; DesiredCapacity?: number };
  return (
    input.AutoScalingGroupName === BLUE_GROUP &&
    ((input.DesiredCapacity !== undefined && input.DesiredCapacity < original.DesiredCapacity) ||
      (input.MinSize !== undefined && input.MinSize < original.MinSize))
  );
};

export interface Sizes {
  MinSize: number;
  MaxSize: number;
  DesiredCapacity: number;
}

async function sizesOf(aws: FakeAws, group: string): Promise<Sizes> {
  const g = await aws.groups.describeGroup(group);
  return { MinSize: g?.MinSize ?? 0, MaxSize: g?.MaxSize ?? 0, DesiredCapacity: g?.DesiredCapacity ?? 0 };
}

// ---------------------------------------------------------------- retire: scale-to-zero

/** What would scale a zeroed blue up again (src/strategies/replica/builders.ts RETIRE_SUSPENDS). */
const RETIRE_SUSPENDS = ['AlarmNotification', 'ScheduledActions'];

async function suspendedOf(aws: FakeAws, group: string): Promise<string[]> {
  return ((await aws.groups.describeGroup(group))?.SuspendedProcesses ?? []).flatMap((p) => (p.ProcessName ? [p.ProcessName] : []));
}

/** Blue at zero with nothing left that scales it up: every size 0, its scheduled actions and alarm-driven policies suspended. */
async function zeroedProblems(aws: FakeAws): Promise<string[]> {
  const problems: string[] = [];
  const sizes = await sizesOf(aws, BLUE_GROUP);
  if (!same(sizes, { MinSize: 0, MaxSize: 0, DesiredCapacity: 0 }))
    problems.push(`blue should be scaled to zero (every size), is ${JSON.stringify(sizes)}`);
  const suspended = await suspendedOf(aws, BLUE_GROUP);
  const missing = RETIRE_SUSPENDS.filter((p) => !suspended.includes(p));
  if (missing.length > 0) problems.push(`blue at zero should have ${missing.join(', ')} suspended, has ${JSON.stringify(suspended)}`);
  return problems;
}

/** retire-blue journaled as "suspended by the retirement" exactly the processes of RETIRE_SUSPENDS blue did not have suspended. */
function suspendedJournalProblems(j: Journal, originallySuspended: string[]): string[] {
  const recorded = outputsOf(j, 'retire-blue').suspended;
  const want = RETIRE_SUSPENDS.filter((p) => !originallySuspended.includes(p));
  return recorded !== undefined && !same(recorded, want)
    ? [`retire-blue recorded that it suspends ${JSON.stringify(recorded)}, it had to suspend ${JSON.stringify(want)}`]
    : [];
}

// ---------------------------------------------------------------- retire: delete

/**
 * Blue deleted as retire.action delete must: never with ForceDelete (it skips the termination hooks), and
 * its alarm that also notifies SNS (blueWorld's shop-web-cpu-high) kept with that action, without blue's.
 */
function deletedBlueProblems(ctx: RunContext): string[] {
  const problems: string[] = [];
  const forced = ctx.inst.mutations.filter(
    (m) => m.operation === 'groups.deleteGroup' && m.args[0] === BLUE_GROUP && (m.args[1] as { force?: boolean } | undefined)?.force !== false,
  );
  if (forced.length > 0) problems.push(`blue ${BLUE_GROUP} was deleted with ForceDelete, skipping its termination hooks`);
  const alarm = ctx.world.aws.state.alarms.get('shop-web-cpu-high');
  const actions = alarm?.AlarmActions ?? [];
  if (!alarm || actions.length === 0 || actions.some((a) => a.includes(`:autoScalingGroupName/${BLUE_GROUP}:`)))
    problems.push(
      `blue's alarm shop-web-cpu-high should keep its SNS action and lose blue's policy's, is ${JSON.stringify(alarm?.AlarmActions ?? 'deleted')}`,
    );
  return problems;
}

// ---------------------------------------------------------------- owned: names, duplicates

/** Every string in some JSON: the names a step's outputs hold. */
function strings(v: Json | undefined, into = new Set<string>()): Set<string> {
  if (typeof v === 'string') into.add(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, into);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, into);
  return into;
}

interface Owned {
  kind: string;
  /** The `creates` types of the steps that make this kind. */
  types: string[];
  /** Any of these names it (a policy's name matches `<group>/<name>` in `creates`). */
  names: string[];
}

/**
 * Whether the journal names it: in the outputs (what the handler journaled before its AWS call) of the step
 * whose `creates` lists it; for what no `creates` lists by name (instances, found by tag), in any outputs.
 * The plan's `creates` alone are not enough: they are written before anything runs, so they cannot tell a
 * handler that journals first from one that creates first. Many names are shared across kinds
 * (shop-green-k3x9a is the launch configuration, the load balancer and the group), hence the step.
 */
function namedBy(journal: Journal, o: Owned): boolean {
  const steps = journal.steps.map((s) => ({ creates: s.creates ?? [], outputs: strings(s.outputs) }));
  const lists = (c: { type: string; name: string }) =>
    o.types.includes(c.type) && o.names.some((n) => n && (c.name === n || c.name.endsWith(`/${n}`)));
  const owners = steps.filter((s) => s.creates.some(lists));
  return (owners.length > 0 ? owners : steps).some((s) => o.names.some((n) => n && s.outputs.has(n)));
}

const hasOwnTag = (tags: { Key?: string; Value?: string }[] | undefined) =>
  !!tags?.some((t) => t.Key === DEPLOYMENT_TAG && t.Value === DEPLOYMENT_ID);
const ownName = (name: string | undefined) => !!name && name.includes(DEPLOYMENT_ID);
const live = (state: string | undefined) => !['shutting-down', 'terminated'].includes(state ?? '');

/** What the fake holds of this deployment (by name or tag), live instances only. */
export function ownedResources(aws: FakeAws): Owned[] {
  const s = aws.state;
  const out: Owned[] = [];
  const launch = ['launch-configuration', 'launch-template'];
  for (const [name, g] of s.groups) {
    if (ownName(name) || hasOwnTag(g.group.Tags)) {
      out.push({ kind: 'group', types: ['auto-scaling-group'], names: [name] });
      for (const p of g.policies.keys()) out.push({ kind: 'policy', types: ['scaling-policy'], names: [p] });
    }
  }
  for (const name of s.launchConfigurations.keys()) if (ownName(name)) out.push({ kind: 'launch', types: launch, names: [name] });
  for (const [name, t] of s.templates) if (ownName(name) || hasOwnTag(t.tags)) out.push({ kind: 'launch', types: launch, names: [name, t.id] });
  for (const [name, lb] of s.loadBalancers)
    if (ownName(name) || hasOwnTag(lb.tags)) out.push({ kind: 'load-balancer', types: ['load-balancer'], names: [name] });
  for (const [arn, tg] of s.targetGroups) {
    if (ownName(tg.group.TargetGroupName) || hasOwnTag(tg.tags))
      out.push({ kind: 'target-group', types: ['target-group'], names: [tg.group.TargetGroupName ?? '', arn] });
  }
  for (const [name] of s.alarms)
    if (ownName(name) && !name.startsWith('TargetTracking-')) out.push({ kind: 'alarm', types: ['alarm'], names: [name] });
  for (const [id, image] of s.images)
    if (ownName(image.Name) || hasOwnTag(image.Tags)) out.push({ kind: 'image', types: ['image'], names: [image.Name ?? '', id] });
  // A snapshot is its image's: named when the image is (by id or by name).
  for (const [id, snap] of s.snapshots) {
    if (hasOwnTag(snap.Tags)) out.push({ kind: 'snapshot', types: ['image'], names: [s.images.get(snap.ImageId)?.Name ?? '', snap.ImageId, id] });
  }
  for (const [id, e] of s.instances) {
    if (live(e.instance.State?.Name) && hasOwnTag(e.instance.Tags))
      out.push({ kind: 'instance', types: ['instance', 'instances'], names: [id, e.instance.ClientToken ?? ''] });
  }
  return out;
}

/** No duplicates (at most `max[kind]` of each kind, one by default) and every owned thing named by the journal. */
export function ownedProblems(aws: FakeAws, journal: Journal, max: Record<string, number> = {}): string[] {
  const problems: string[] = [];
  const counts = new Map<string, number>();
  for (const o of ownedResources(aws)) {
    if (o.kind !== 'policy' && o.kind !== 'alarm') counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
    if (!namedBy(journal, o)) problems.push(`${o.kind} ${o.names.filter(Boolean).join(' / ')} is in AWS but the journal does not name it`);
  }
  for (const [kind, n] of counts) if (n > (max[kind] ?? 1)) problems.push(`${n} ${kind}s of this deployment (at most ${max[kind] ?? 1}): duplicate`);
  return problems;
}

// ---------------------------------------------------------------- order

/** The first effective write that scales blue down or deletes it, and the writes before it. */
function firstScaleDown(ctx: RunContext, sizes: Sizes): Mutation | undefined {
  return ctx.inst.mutations.find((m) => m.phase !== 'rollback' && isScaledDown(m, sizes));
}

/** `floorSeconds`: how long after the switch blue must be kept at least (retire.after, or more). */
function retireOrder(
  ctx: RunContext,
  sizes: Sizes,
  switchedAt: (m: Mutation) => boolean,
  inSync: boolean,
  floorSeconds = ctx.config.retire.afterSeconds,
): string[] {
  const down = firstScaleDown(ctx, sizes);
  if (!down) return [];
  const before = ctx.inst.mutations.slice(0, ctx.inst.mutations.indexOf(down));
  const switched = before.filter(switchedAt).at(-1);
  if (!switched) return [`blue ${BLUE_GROUP} was scaled down (${down.operation}) before traffic was all on green`];
  const problems: string[] = [];
  const after = floorSeconds * 1000;
  if (down.at - switched.at < after) {
    problems.push(
      `blue ${BLUE_GROUP} was scaled down ${(down.at - switched.at) / 1000}s after the switch, before ${after / 1000}s (retire.after${floorSeconds !== ctx.config.retire.afterSeconds ? ", or blue's deregistration delay" : ''})`,
    );
  }
  if (inSync) {
    const calls = ctx.world.aws.calls.slice(switched.seq, down.seq).map((c) => c.operation);
    if (!calls.includes('dns.waitInSync')) problems.push(`blue ${BLUE_GROUP} was scaled down before the switch's change was seen INSYNC`);
  }
  return problems;
}

// ---------------------------------------------------------------- replica-dns

export interface DnsWorld extends ScenarioWorld {
  blueLbDns: string;
}

const ZONE = 'Z0123456789ABC';
const RECORD = 'shop.example.com';

function loadBalancerByDns(aws: FakeAws, dns: string | undefined): string | undefined {
  for (const [name, lb] of aws.state.loadBalancers) if (normDns(lb.description.DNSName) === normDns(dns)) return name;
  return undefined;
}

async function inServiceIn(aws: FakeAws, lb: string): Promise<number> {
  return (await aws.classicLoadBalancers.instanceHealth(lb)).filter((h) => h.State === 'InService').length;
}

/** The record's sets that get requests (simple, or weighted above 0). */
async function liveSets(aws: FakeAws): Promise<ResourceRecordSet[]> {
  const sets = await aws.dns.getRecordSets(ZONE, RECORD, 'A');
  return sets.filter((r) => r.SetIdentifier === undefined || (r.Weight ?? 0) > 0);
}

/** A change batch that leaves one simple alias record at green's load balancer. */
function switchesDnsToGreen(m: Mutation, blueDns: string): boolean {
  if (m.operation !== 'dns.change') return false;
  const changes = m.args[1] as { Action: string; ResourceRecordSet: ResourceRecordSet }[];
  return changes.some(
    (c) =>
      c.Action !== 'DELETE' &&
      c.ResourceRecordSet.SetIdentifier === undefined &&
      normDns(c.ResourceRecordSet.AliasTarget?.DNSName) !== normDns(blueDns),
  );
}

export function dnsChecks(options: { maxInstances?: number } = {}): StrategyChecks<DnsWorld> {
  return {
    async original(world) {
      return {
        sizes: await sizesOf(world.aws, BLUE_GROUP),
        suspended: await suspendedOf(world.aws, BLUE_GROUP),
        record: await world.aws.dns.getRecord(ZONE, RECORD, 'A'),
      };
    },
    async always(ctx) {
      const { aws } = ctx.world;
      const sets = await liveSets(aws);
      if (sets.length === 0) return [`${RECORD} sends requests nowhere`];
      const problems: string[] = [];
      for (const set of sets) {
        const lb = loadBalancerByDns(aws, set.AliasTarget?.DNSName);
        if (!lb) problems.push(`${RECORD} (${set.SetIdentifier ?? 'simple'}) points at ${set.AliasTarget?.DNSName}, which is no load balancer`);
        else if ((await inServiceIn(aws, lb)) < 1)
          problems.push(`${RECORD} (${set.SetIdentifier ?? 'simple'}) sends requests to ${lb}, which has no InService instance`);
      }
      return problems;
    },
    journal(ctx, j) {
      const problems: string[] = [];
      const sizes = ctx.original.sizes as Sizes;
      for (const id of ['create-group', 'retire-blue']) {
        const recorded = outputsOf(j, id).blueSizes;
        if (recorded !== undefined && !same(recorded, sizes))
          problems.push(`${id} recorded blue's sizes ${JSON.stringify(recorded)}, they were ${JSON.stringify(sizes)}`);
      }
      problems.push(...suspendedJournalProblems(j, ctx.original.suspended as string[]));
      const previous = outputsOf(j, 'switch-dns').previous;
      if (previous !== undefined && !same(previous, ctx.original.record))
        problems.push(`switch-dns recorded the previous record ${JSON.stringify(previous)}, it was ${JSON.stringify(ctx.original.record)}`);
      for (const s of j.steps.filter((x) => x.id.startsWith('traffic-'))) {
        if (s.outputs.original !== undefined && !same(s.outputs.original, ctx.original.record)) {
          problems.push(`${s.id} recorded the original record ${JSON.stringify(s.outputs.original)}, it was ${JSON.stringify(ctx.original.record)}`);
        }
      }
      return problems;
    },
    async owned(ctx, j) {
      return ownedProblems(ctx.world.aws, j, { instance: options.maxInstances ?? 0 });
    },
    order(ctx) {
      return retireOrder(ctx, ctx.original.sizes as Sizes, (m) => switchesDnsToGreen(m, ctx.world.blueLbDns), true);
    },
    async deployed(ctx) {
      const { aws } = ctx.world;
      const problems: string[] = [];
      const sizes = ctx.original.sizes as Sizes;
      const sets = await aws.dns.getRecordSets(ZONE, RECORD, 'A');
      const green = aws.state.loadBalancers.get(`shop-green-${DEPLOYMENT_ID}`)?.description.DNSName;
      if (sets.length !== 1 || sets[0]?.SetIdentifier !== undefined || normDns(sets[0]?.AliasTarget?.DNSName) !== normDns(green)) {
        problems.push(`${RECORD} should be one alias to green (${green}), is ${JSON.stringify(sets)}`);
      }
      const g = await aws.groups.describeGroup(GREEN_GROUP);
      const inService = (g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
      if (g?.DesiredCapacity !== sizes.DesiredCapacity || inService !== sizes.DesiredCapacity) {
        problems.push(`green ${GREEN_GROUP} should have ${sizes.DesiredCapacity} InService instances, has ${inService} of ${g?.DesiredCapacity}`);
      }
      const policies = (ctx.plan.steps.find((x) => x.id === 'copy-scaling-policies')?.params.policies as unknown[]).length;
      if ((await aws.groups.describePolicies(GREEN_GROUP)).length !== policies)
        problems.push(`green should have blue's ${policies} scaling policies`);
      if (ctx.config.retire.action === 'scale-to-zero') problems.push(...(await zeroedProblems(aws)));
      if (ctx.config.retire.action === 'delete') {
        if (aws.state.groups.has(BLUE_GROUP)) problems.push(`blue ${BLUE_GROUP} should be deleted`);
        if (aws.state.loadBalancers.has('shop-web-elb')) problems.push("blue's load balancer shop-web-elb should be deleted");
        problems.push(...deletedBlueProblems(ctx));
      }
      return problems;
    },
    refusesRollback: refusesAfterDelete,
    normalise: normaliseReplica,
  };
}

/**
 * retire.action delete: once part of blue is gone (retire-blue journaled `deleting` and a delete, or the
 * edit of blue's alarm, reached AWS), a rollback is refused, changing nothing. Blue emptied (scaled to zero,
 * its processes suspended, its warm pool deleted) is not gone: that rollback restores it.
 */
function refusesAfterDelete(ctx: RunContext, journal: Journal): RegExp | undefined {
  const emptying = ['groups.updateGroup', 'groups.suspendProcesses', 'groups.putPolicy', 'groups.deleteWarmPool'];
  const deleted = ctx.inst.mutations.some(
    (m) =>
      (isScaledDown(m, ctx.original.sizes as Sizes) && !emptying.includes(m.operation)) ||
      (m.operation === 'classicLoadBalancers.delete' && m.args[0] === 'shop-web-elb'),
  );
  return outputsOf(journal, 'retire-blue').deleting && deleted
    ? /rollback of deployment k3x9a is not possible: blue \(shop-web, .*\) was deleted by retire.action delete.*Nothing was changed/
    : undefined;
}

/**
 * A replica strategy's rollback: when blue was scaled to zero and back, its instances are new ones (AWS
 * launches new instances to the restored capacity): compare their number, not their ids. Plus what every
 * rollback may leave (normaliseAny).
 */
function normaliseReplica(ctx: RunContext, snapshot: unknown): unknown {
  const copy = normaliseAny(ctx, snapshot) as { groups: Record<string, { instances: unknown }> };
  const scaled = ctx.inst.mutations.some((m) => isScaledDown(m, ctx.original.sizes as Sizes));
  const blue = copy.groups[BLUE_GROUP];
  if (scaled && blue && Array.isArray(blue.instances)) blue.instances = blue.instances.length;
  return copy;
}

interface SnapshotShape {
  groups: Record<string, { group: { LoadBalancerNames?: string[]; TargetGroupARNs?: string[] }; instances: string[] }>;
  instances: Record<string, { instance: { State?: { Name?: string } } }>;
  targetGroups: Record<string, { targets: Record<string, { registeredAt?: number }> }>;
  classicRegistrations: Record<string, Record<string, number>>;
}

/**
 * What any rollback may legitimately leave different:
 *  - instances it launched and terminated (a builder, a swap's new instances): EC2 still describes them,
 *    `terminated`, for about an hour;
 *  - an instance of a group registered again with the group's classic load balancer or target group by
 *    hand (a swap's rollback puts the old instances back in service): in AWS that is the same registration
 *    as the group's, the fake keeps it apart; and the registration times, which are new.
 */
function normaliseAny(ctx: RunContext, snapshot: unknown): unknown {
  return withoutRollbackLeftovers(ctx.before, snapshot);
}

/** normaliseAny of a snapshot against the world before the deployment (also used by test/unit/compat). */
export function withoutRollbackLeftovers(world: unknown, snapshot: unknown): unknown {
  const copy = structuredClone(snapshot) as SnapshotShape;
  const before = world as SnapshotShape;
  for (const [id, e] of Object.entries(copy.instances)) if (!(id in before.instances) && !live(e.instance.State?.Name)) delete copy.instances[id];
  const viaGroup = (attached: (g: SnapshotShape['groups'][string]) => boolean) =>
    new Set(
      Object.values(copy.groups)
        .filter(attached)
        .flatMap((g) => g.instances),
    );
  for (const [arn, tg] of Object.entries(copy.targetGroups)) {
    const members = viaGroup((g) => !!g.group.TargetGroupARNs?.includes(arn));
    for (const [id, t] of Object.entries(tg.targets)) {
      if (members.has(id)) delete tg.targets[id];
      else delete t.registeredAt;
    }
  }
  for (const [lb, r] of Object.entries(copy.classicRegistrations)) {
    const members = viaGroup((g) => !!g.group.LoadBalancerNames?.includes(lb));
    const kept = Object.keys(r).filter((id) => !members.has(id));
    if (kept.length === 0) delete copy.classicRegistrations[lb];
    else copy.classicRegistrations[lb] = Object.fromEntries(kept.map((k) => [k, 0]));
  }
  return copy;
}

// ---------------------------------------------------------------- replica-listener

export interface ListenerFacts extends ScenarioWorld {
  listenerArn: string;
  blueTg: string;
  /** A second listener that forwards to blue too (its default action and one rule), when the world has one. */
  https?: { listenerArn: string };
}

function forwards(actions: Action[] | undefined): { arn: string; weight: number }[] {
  return (actions ?? []).flatMap((a) => {
    if (a.Type !== 'forward') return [];
    const groups = a.ForwardConfig?.TargetGroups ?? (a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }] : []);
    return groups.map((g) => ({ arn: g.TargetGroupArn as string, weight: g.Weight ?? 1 }));
  });
}

async function forwardingOf(aws: FakeAws, listenerArn: string, blueTg: string) {
  const listener = await aws.listeners.describe(listenerArn);
  const rules = await aws.listeners.rules(listenerArn);
  return {
    defaultActions: listener?.DefaultActions ?? [],
    rules: rules.flatMap((r) =>
      !r.IsDefault && r.RuleArn && forwards(r.Actions).some((f) => f.arn === blueTg && f.weight > 0)
        ? [{ arn: r.RuleArn, actions: r.Actions ?? [] }]
        : [],
    ),
  };
}

export function listenerChecks(): StrategyChecks<ListenerFacts> {
  return {
    async original(world) {
      const delay = (await world.aws.targetGroups.attributes(world.blueTg)).find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
      return {
        sizes: await sizesOf(world.aws, BLUE_GROUP),
        suspended: await suspendedOf(world.aws, BLUE_GROUP),
        forwarding: await forwardingOf(world.aws, world.listenerArn, world.blueTg),
        ...(world.https
          ? { others: [{ listener: world.https.listenerArn, ...(await forwardingOf(world.aws, world.https.listenerArn, world.blueTg)) }] }
          : {}),
        deregistrationDelay: Number(delay ?? 300),
      };
    },
    async always(ctx) {
      const { aws, listenerArn, blueTg } = ctx.world;
      const problems: string[] = [];
      const ours = (arn: string) => arn === blueTg || (aws.state.targetGroups.get(arn)?.group.TargetGroupName ?? '').includes(DEPLOYMENT_ID);
      const seen: (readonly [string, Action[] | undefined])[] = [];
      const listeners: [string, string][] = [
        ['the listener', listenerArn],
        ...(ctx.world.https ? [['the second listener', ctx.world.https.listenerArn] as [string, string]] : []),
      ];
      for (const [name, arn] of listeners) {
        const listener = await aws.listeners.describe(arn);
        const rules = await aws.listeners.rules(arn);
        seen.push([`${name}'s default action`, listener?.DefaultActions]);
        for (const r of rules.filter((x) => !x.IsDefault)) seen.push([`${name}'s rule ${r.Priority}`, r.Actions]);
      }
      for (const [where, actions] of seen) {
        const live = forwards(actions).filter((f) => f.weight > 0 && ours(f.arn));
        for (const f of live) {
          const healthy = aws.state.targetGroups.has(f.arn)
            ? (await aws.targetGroups.health(f.arn)).filter((h) => h.TargetHealth?.State === 'healthy').length
            : 0;
          if (healthy < 1) problems.push(`${where} forwards to ${f.arn.split('/')[1]}, which has no healthy target`);
        }
      }
      return problems;
    },
    journal(ctx, j) {
      const problems: string[] = [];
      const sizes = ctx.original.sizes as Sizes;
      for (const id of ['create-group', 'retire-blue']) {
        const recorded = outputsOf(j, id).blueSizes;
        if (recorded !== undefined && !same(recorded, sizes))
          problems.push(`${id} recorded blue's sizes ${JSON.stringify(recorded)}, they were ${JSON.stringify(sizes)}`);
      }
      problems.push(...suspendedJournalProblems(j, ctx.original.suspended as string[]));
      for (const s of j.steps.filter((x) => x.id === 'switch-listener' || x.id.startsWith('traffic-'))) {
        if (s.outputs.original !== undefined && !same(s.outputs.original, ctx.original.forwarding)) {
          problems.push(
            `${s.id} recorded the original forwarding ${JSON.stringify(s.outputs.original)}, it was ${JSON.stringify(ctx.original.forwarding)}`,
          );
        }
        // The other listeners' forwarding is journaled with listener.arn's, in the same record.
        if (s.outputs.original !== undefined && !same(s.outputs.others, ctx.original.others)) {
          problems.push(`${s.id} recorded the other listeners ${JSON.stringify(s.outputs.others)}, they were ${JSON.stringify(ctx.original.others)}`);
        }
      }
      return problems;
    },
    async owned(ctx, j) {
      return ownedProblems(ctx.world.aws, j, { instance: 0 });
    },
    order(ctx) {
      const { blueTg } = ctx.world;
      return retireOrder(
        ctx,
        ctx.original.sizes as Sizes,
        (m) => m.operation === 'listeners.modify' && forwards(m.args[1] as Action[]).every((f) => f.arn !== blueTg || f.weight === 0),
        false,
        // Requests in flight to blue's targets drain for the deregistration delay after the switch.
        Math.max(ctx.config.retire.afterSeconds, ctx.original.deregistrationDelay as number),
      );
    },
    async deployed(ctx) {
      const { aws, listenerArn, blueTg } = ctx.world;
      const problems: string[] = [];
      const sizes = ctx.original.sizes as Sizes;
      const greenTg = [...aws.state.targetGroups.values()].find((t) => t.group.TargetGroupName === GREEN_GROUP)?.group.TargetGroupArn;
      const listener = await aws.listeners.describe(listenerArn);
      const rules = await aws.listeners.rules(listenerArn);
      const others = (ctx.original.others ?? []) as { listener: string; rules: { arn: string }[] }[];
      const otherRules = (await Promise.all(others.map((o) => aws.listeners.rules(o.listener)))).flat();
      const moved = [
        listener?.DefaultActions,
        ...(ctx.original.forwarding as { rules: { arn: string }[] }).rules.map((r) => rules.find((x) => x.RuleArn === r.arn)?.Actions),
        ...(await Promise.all(others.map(async (o) => (await aws.listeners.describe(o.listener))?.DefaultActions))),
        ...others.flatMap((o) => o.rules.map((r) => otherRules.find((x) => x.RuleArn === r.arn)?.Actions)),
      ];
      for (const actions of moved) {
        const live = forwards(actions)
          .filter((f) => f.weight > 0)
          .map((f) => f.arn);
        if (!same(live, [greenTg])) problems.push(`a moved forward should go to green alone, goes to ${JSON.stringify(live)}`);
      }
      if (forwards(listener?.DefaultActions).some((f) => f.arn === blueTg && f.weight > 0)) problems.push('the listener still forwards to blue');
      const g = await aws.groups.describeGroup(GREEN_GROUP);
      const inService = (g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
      if (g?.DesiredCapacity !== sizes.DesiredCapacity || inService !== sizes.DesiredCapacity) {
        problems.push(`green ${GREEN_GROUP} should have ${sizes.DesiredCapacity} InService instances, has ${inService} of ${g?.DesiredCapacity}`);
      }
      if (ctx.config.retire.action === 'scale-to-zero') problems.push(...(await zeroedProblems(aws)));
      return problems;
    },
    refusesRollback: refusesAfterDelete,
    normalise: normaliseReplica,
  };
}

// ---------------------------------------------------------------- swap-instances

export interface SwapFacts extends ScenarioWorld {
  old: string[];
  tgArn: string | undefined;
}

export function swapChecks(): StrategyChecks<SwapFacts> {
  const launchOf = (ctx: RunContext) => (ctx.plan.steps.find((s) => s.id === 'launch-instances')?.params.count as number | undefined) ?? 0;
  return {
    async original(world) {
      const g = await world.aws.groups.describeGroup(BLUE_GROUP);
      return {
        sizes: await sizesOf(world.aws, BLUE_GROUP),
        suspended: (g?.SuspendedProcesses ?? []).map((p) => p.ProcessName),
        launch: { kind: 'configuration', name: g?.LaunchConfigurationName },
        old: [...world.old].sort(),
        loadBalancers: g?.LoadBalancerNames ?? [],
        targetGroups: g?.TargetGroupARNs ?? [],
      };
    },
    async always(ctx) {
      const { aws } = ctx.world;
      const problems: string[] = [];
      for (const lb of ctx.original.loadBalancers as string[]) if ((await inServiceIn(aws, lb)) < 1) problems.push(`${lb} has no InService instance`);
      for (const arn of ctx.original.targetGroups as string[]) {
        if ((await aws.targetGroups.health(arn)).filter((h) => h.TargetHealth?.State === 'healthy').length < 1)
          problems.push(`${arn.split('/')[1]} has no healthy target`);
      }
      return problems;
    },
    journal(ctx, j) {
      const problems: string[] = [];
      const check = (id: string, key: string, want: unknown, map: (v: unknown) => unknown = (v) => v) => {
        const got = outputsOf(j, id)[key];
        if (got !== undefined && !same(map(got), want)) problems.push(`${id} recorded ${key} ${JSON.stringify(got)}, it was ${JSON.stringify(want)}`);
      };
      check('raise-max-size', 'original', ctx.original.sizes);
      check('suspend-processes', 'suspendedBefore', ctx.original.suspended);
      check('update-launch', 'previous', ctx.original.launch);
      check('deregister-old', 'old', ctx.original.old, (v) => [...(v as string[])].sort());
      return problems;
    },
    async owned(ctx, j) {
      return ownedProblems(ctx.world.aws, j, { instance: launchOf(ctx) });
    },
    order(ctx) {
      const problems: string[] = [];
      const old = new Set(ctx.original.old as string[]);
      const forward = ctx.inst.mutations.filter((m) => m.phase !== 'rollback');
      const attached = forward.filter((m) => m.operation === 'groups.attachInstances').at(-1);
      const draining = (ctx.plan.steps.find((s) => s.id === 'wait-draining')?.params.seconds as number) * 1000;
      const deregisteredAt = new Map<string, number>();
      for (const m of forward) {
        const ids =
          m.operation === 'classicLoadBalancers.deregisterInstances' || m.operation === 'targetGroups.deregister' ? (m.args[1] as string[]) : [];
        for (const id of ids.filter((x) => old.has(x))) {
          if (!attached || m.at - attached.at < ctx.config.retire.afterSeconds * 1000)
            problems.push(`old instance ${id} deregistered before the new ones served together for retire.after`);
          if (!deregisteredAt.has(id)) deregisteredAt.set(id, m.at);
        }
        if (m.operation === 'groups.terminateInstanceInGroup' && old.has(m.args[0] as string)) {
          const since = deregisteredAt.get(m.args[0] as string);
          if (since === undefined || m.at - since < draining)
            problems.push(`old instance ${String(m.args[0])} terminated before it was deregistered and drained`);
        }
      }
      return problems;
    },
    async deployed(ctx) {
      const { aws } = ctx.world;
      const problems: string[] = [];
      const g = await aws.groups.describeGroup(BLUE_GROUP);
      if (!same(await sizesOf(aws, BLUE_GROUP), ctx.original.sizes))
        problems.push(
          `the group should end at its sizes ${JSON.stringify(ctx.original.sizes)}, is at ${JSON.stringify(await sizesOf(aws, BLUE_GROUP))}`,
        );
      if (
        !same(
          (g?.SuspendedProcesses ?? []).map((p) => p.ProcessName),
          ctx.original.suspended,
        )
      )
        problems.push(`suspended processes ${JSON.stringify(g?.SuspendedProcesses)}`);
      const members = (g?.Instances ?? []).map((i) => i.InstanceId as string);
      if (members.some((id) => (ctx.original.old as string[]).includes(id))) problems.push(`old instances still in the group: ${members.join(', ')}`);
      if ((g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length !== launchOf(ctx))
        problems.push(`the group should have ${launchOf(ctx)} InService new instances`);
      if (g?.LaunchConfigurationName !== `shop-swap-${DEPLOYMENT_ID}` && g?.LaunchTemplate?.LaunchTemplateName !== `shop-swap-${DEPLOYMENT_ID}`)
        problems.push('the group does not use the new launch copy');
      return problems;
    },
    /** Old instances terminated (or terminating) cannot come back: refused, naming the commands that restore the group. */
    refusesRollback(ctx) {
      return ctx.inst.mutations.some((m) => m.operation === 'groups.terminateInstanceInGroup')
        ? /rollback of deployment k3x9a is not possible: the old instances .* were terminated .*aws autoscaling update-auto-scaling-group .*Nothing was changed/
        : undefined;
    },
    normalise: normaliseAny,
  };
}
