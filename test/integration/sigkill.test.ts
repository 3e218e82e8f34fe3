/**
 * The fault-injection suite, its real-SIGKILL part: the built CLI is SIGKILLed at every step of every
 * strategy, at the step's start, in its middle and at its end, against moto; then `resume --yes` must finish
 * the deployment, or `rollback --yes` must put AWS back as it was before the deploy (the two alternate over
 * the cases, so every (step, point) gets one of them).
 *
 * The kill: the CLI runs with test/support/aws-faults.mjs preloaded (`node --import`, from outside the
 * product) and BLUEGREEN_TEST_KILL, so the process SIGKILLs itself at an exact point, not when a parent
 * reading its stdout gets round to it (that races: a fast step is often over before the signal lands):
 *  - start: right after the step.started event (the engine has saved the step as `running`, no AWS call of
 *    it made yet);
 *  - middle ("write"): right after the step's first mutating AWS call got its answer: the write took effect,
 *    the CLI never saw the answer nor journaled it. Steps that make no write (the waits) have no middle;
 *  - end: right after the step.succeeded event (the step saved as `done`).
 *
 * After every kill, what can be checked from outside: no duplicate resource, everything AWS holds of the
 * deployment named in its journal (<stateDir>/<service>/journal.json), traffic (record, weighted records or
 * listener) only on groups with at least one InService instance. After the follow-up: resume -> journal
 * succeeded, traffic on green, one green group, blue scaled to zero (retire.action scale-to-zero); rollback
 * -> journal rolled-back and AWS equal to the pre-deploy snapshot, with the exclusions of `comparable` below.
 *
 * Shapes: replica-dns (image release), replica-dns with traffic.steps [50, 100] (hold 1s) and a gate alarm,
 * replica-listener with traffic.steps [50, 100], swap-instances (image release). Every step of replica-dns
 * and swap-instances is killed at; to stay within the time budget, the two traffic variants are killed at the
 * steps where they differ from replica-dns only (create-target-group, create-group (in a target group), the
 * traffic steps and retire-blue of replica-listener; the traffic steps of replica-dns), their other steps
 * being the same handlers (replica-listener reuses replica-dns's replica steps) with the same params.
 *
 * swap-instances cannot be rolled back once terminate-old has terminated an old instance (documented: the
 * plan warns, rollback refuses, exit 1, changing nothing). For the rollback cases from that point on the
 * test asserts the refusal (and that it changed nothing) and then that resume finishes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  DescribePoliciesCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, DescribeLaunchTemplatesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/engine/types.js';
import { buildBlueStack, configYaml, snapshotAws, type BlueStack } from '../support/blue-stack.js';
import { jsonLines, ROOT, runCli, type CliResult } from '../support/cli.js';
import {
  allTargetGroups,
  buildListenerStack,
  listenerClients,
  listenerConfigYaml,
  listenerRouting,
  snapshotListenerAws,
  type ListenerAwsClients,
  type ListenerStack,
} from '../support/listener-stack.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

const FAULTS_MODULE = join(ROOT, 'test', 'support', 'aws-faults.mjs');
const ALARM = 'shop-5xx';

type ShapeName = 'replica-dns' | 'replica-dns-traffic' | 'replica-listener-traffic' | 'swap-instances';
type Point = 'start' | 'write' | 'end';
type FollowUp = 'resume' | 'rollback';

interface Shape {
  /** The plan's steps, in order (checked against every journal). */
  steps: string[];
  /**
   * The mutating AWS calls each step makes in a deploy that runs through (steps absent: none, i.e. waits).
   * Checked against the preload's log of the one case that runs the whole deploy (the end of the last step).
   */
  writes: Record<string, string[]>;
  /** The steps killed at (all of them, or those where a variant differs from replica-dns). */
  killAt: string[];
}

const DNS_STEPS = ['create-launch', 'create-load-balancer', 'create-group', 'copy-scaling-policies', 'copy-alarms', 'wait-healthy'];
const DNS_WRITES: Record<string, string[]> = {
  'create-launch': ['CreateLaunchConfiguration'],
  'create-load-balancer': ['CreateLoadBalancer', 'ConfigureHealthCheck', 'ModifyLoadBalancerAttributes'],
  'create-group': ['CreateAutoScalingGroup'],
  'copy-scaling-policies': ['PutScalingPolicy'],
  'copy-alarms': ['PutMetricAlarm'],
  'retire-blue': ['SuspendProcesses', 'UpdateAutoScalingGroup'],
};

const SHAPES: Record<ShapeName, Shape> = {
  'replica-dns': {
    steps: [...DNS_STEPS, 'switch-dns', 'settle-green', 'wait-retire', 'retire-blue'],
    writes: { ...DNS_WRITES, 'switch-dns': ['ChangeResourceRecordSets'] },
    killAt: [...DNS_STEPS, 'switch-dns', 'settle-green', 'wait-retire', 'retire-blue'],
  },
  'replica-dns-traffic': {
    steps: [...DNS_STEPS, 'traffic-50', 'traffic-100', 'settle-green', 'wait-retire', 'retire-blue'],
    writes: { ...DNS_WRITES, 'traffic-50': ['ChangeResourceRecordSets'], 'traffic-100': ['ChangeResourceRecordSets'] },
    killAt: ['traffic-50', 'traffic-100'],
  },
  'replica-listener-traffic': {
    steps: [
      'create-launch',
      'create-target-group',
      'create-group',
      'copy-scaling-policies',
      'copy-alarms',
      'wait-healthy',
      'traffic-50',
      'traffic-100',
      'settle-green',
      'wait-retire',
      'retire-blue',
    ],
    // The listener stack has no scaling policy nor alarm: copy-scaling-policies and copy-alarms write nothing.
    writes: {
      'create-launch': ['CreateLaunchConfiguration'],
      'create-target-group': ['CreateTargetGroup', 'ModifyTargetGroupAttributes'],
      'create-group': ['CreateAutoScalingGroup'],
      'traffic-50': ['ModifyListener', 'ModifyRule'],
      'traffic-100': ['ModifyListener', 'ModifyRule'],
      'retire-blue': ['SuspendProcesses', 'UpdateAutoScalingGroup'],
    },
    killAt: ['create-target-group', 'create-group', 'traffic-50', 'traffic-100', 'retire-blue'],
  },
  'swap-instances': {
    steps: [
      'suspend-processes',
      'launch-instances',
      'wait-running',
      'raise-max-size',
      'attach-instances',
      'wait-healthy',
      'update-launch',
      'wait-retire',
      'deregister-old',
      'wait-draining',
      'terminate-old',
      'restore-group',
    ],
    // MaxSize 4 leaves room for the 2 new instances: raise-max-size has nothing to raise (a wait-like step).
    writes: {
      'suspend-processes': ['SuspendProcesses'],
      'launch-instances': ['RunInstances', 'RunInstances'],
      'attach-instances': ['AttachInstances', 'RegisterInstancesWithLoadBalancer'],
      'update-launch': ['CreateLaunchConfiguration', 'UpdateAutoScalingGroup'],
      'deregister-old': ['DeregisterInstancesFromLoadBalancer'],
      'terminate-old': ['TerminateInstanceInAutoScalingGroup', 'TerminateInstanceInAutoScalingGroup'],
      'restore-group': ['ResumeProcesses'],
    },
    killAt: [
      'suspend-processes',
      'launch-instances',
      'wait-running',
      'raise-max-size',
      'attach-instances',
      'wait-healthy',
      'update-launch',
      'wait-retire',
      'deregister-old',
      'wait-draining',
      'terminate-old',
      'restore-group',
    ],
  },
};

interface Case {
  shape: ShapeName;
  step: string;
  point: Point;
  followUp: FollowUp;
}

/**
 * BLUEGREEN_SIGKILL_FULL=1 kills at every step of every shape (111 cases, ~7 min here instead of ~5: over
 * the file's budget in `npm test`, so not the default).
 */
const FULL = process.env.BLUEGREEN_SIGKILL_FULL === '1';

/** Every (step, point) of a shape, the follow-up alternating: even index resume, odd rollback. */
function casesOf(shape: ShapeName): Case[] {
  const { writes } = SHAPES[shape];
  const killAt = FULL ? SHAPES[shape].steps : SHAPES[shape].killAt;
  const points = killAt.flatMap((step) =>
    ((writes[step]?.length ?? 0) > 0 ? (['start', 'write', 'end'] as const) : (['start', 'end'] as const)).map((point) => ({ step, point })),
  );
  return points.map((p, i) => ({ shape, ...p, followUp: i % 2 === 0 ? 'resume' : 'rollback' }));
}

let moto: Moto;
let env: Record<string, string>;
let aws: ListenerAwsClients;

beforeAll(async () => {
  moto = await startMoto();
  env = awsEnv(moto.endpoint);
  aws = listenerClients(moto.endpoint);
});
afterAll(async () => {
  await moto?.stop();
});

// ---------------------------------------------------------------- set-up per case

interface World {
  shape: ShapeName;
  dir: string;
  /** The classic-ELB stack (replica-dns, swap-instances) or the ALB one (replica-listener). */
  blue?: BlueStack;
  listener?: ListenerStack;
  /** The blue group's name, whichever the stack. */
  blueGroup: string;
}

async function setUp(shape: ShapeName): Promise<World> {
  await moto.reset();
  const dir = await mkdtemp(join(tmpdir(), 'bluegreen-sigkill-'));
  let yaml: string;
  let world: World;
  if (shape === 'replica-listener-traffic') {
    const stack = await buildListenerStack(moto.endpoint, { deregistrationDelaySeconds: 1 });
    yaml = listenerConfigYaml(stack, { traffic: { steps: [50, 100], hold: '1s' }, retireAfter: '0s' });
    world = { shape, dir, listener: stack, blueGroup: stack.groupName };
  } else {
    const stack = await buildBlueStack(moto.endpoint, { drainingSeconds: 1 });
    world = { shape, dir, blue: stack, blueGroup: stack.groupName };
    if (shape === 'replica-dns') yaml = configYaml(stack, { retireAfter: '0s' });
    else if (shape === 'replica-dns-traffic') {
      await aws.cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: ALARM,
          Namespace: 'AWS/ELB',
          MetricName: 'HTTPCode_Backend_5XX',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 10,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
      yaml = `${configYaml(stack, { retireAfter: '0s' })}\ntraffic:\n  steps: [50, 100]\n  hold: 1s\ngates:\n  alarms: [${ALARM}]\n`;
    } else {
      yaml = `service: ${stack.service}
region: ${stack.region}
strategy: swap-instances
blue:
  autoScalingGroup: ${stack.groupName}
release:
  image: ${stack.releaseImageId}
health:
  timeout: 30s
  interval: 1s
retire:
  after: 0s
`;
    }
  }
  await writeFile(join(dir, 'bluegreen.yml'), yaml);
  return world;
}

let runNo = 0;

interface Run extends CliResult {
  /** The preload's log: one entry per AWS attempt, and the kill. */
  log: Array<{ operation?: string; step?: string | null; status?: number; fault?: string | null; killed?: unknown }>;
}

/** The built CLI through the preload, in the case's directory (with `kill`, SIGKILLed there). */
async function bg(world: World, args: string[], kill?: { step: string; at: Point }): Promise<Run> {
  const log = join(world.dir, `calls-${++runNo}.log`);
  const r = await runCli([...args, '-c', 'bluegreen.yml'], {
    cwd: world.dir,
    env: { ...env, BLUEGREEN_TEST_FAULTS_LOG: log, ...(kill ? { BLUEGREEN_TEST_KILL: JSON.stringify(kill) } : {}) },
    nodeArgs: ['--import', FAULTS_MODULE],
    timeoutMs: 60_000,
  });
  const entries = existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Run['log'][number])
    : [];
  return { ...r, log: entries };
}

async function journalOf(world: World): Promise<Journal> {
  return JSON.parse(await readFile(join(world.dir, '.bluegreen', 'shop', 'journal.json'), 'utf8')) as Journal;
}

const isWrite = (operation: string) => !/^(Describe|List|Get)/.test(operation);

// ---------------------------------------------------------------- reading AWS back

async function allGroups(): Promise<AutoScalingGroup[]> {
  return (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
}

async function group(name: string): Promise<AutoScalingGroup | undefined> {
  return (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups?.[0];
}

async function allInstances(): Promise<Instance[]> {
  return ((await aws.ec2.send(new DescribeInstancesCommand({}))).Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

const inService = (g: AutoScalingGroup | undefined) => (g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
const tagOf = (tags: Array<{ Key?: string; Value?: string }> | undefined, key: string) => tags?.find((t) => t.Key === key)?.Value;
const dnsKey = (name: string | undefined) =>
  (name ?? '')
    .replace(/\.$/, '')
    .replace(/^dualstack\./, '')
    .toLowerCase();

/** Every named resource of the kinds a deployment makes, as "kind name" (duplicates kept, to be found). */
async function inventory(): Promise<string[]> {
  const groups = (await allGroups()).map((g) => `group ${g.AutoScalingGroupName}`);
  const lcs = ((await aws.autoscaling.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations ?? []).map(
    (l) => `launch-configuration ${l.LaunchConfigurationName}`,
  );
  const lts = ((await aws.ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []).map(
    (t) => `launch-template ${t.LaunchTemplateName}`,
  );
  const lbs = ((await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? []).map(
    (l) => `load-balancer ${l.LoadBalancerName}`,
  );
  const tgs = (await allTargetGroups(aws)).map((t) => `target-group ${t.TargetGroupName}`);
  const policies = ((await aws.autoscaling.send(new DescribePoliciesCommand({}))).ScalingPolicies ?? []).map(
    (p) => `policy ${p.AutoScalingGroupName}/${p.PolicyName}`,
  );
  const alarms = ((await aws.cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => `alarm ${a.AlarmName}`);
  return [...groups, ...lcs, ...lts, ...lbs, ...tgs, ...policies, ...alarms];
}

/** The alias A records of the stack's name: [DNS name of the target, weight or undefined]. */
async function records(stack: BlueStack): Promise<Array<{ target: string; weight?: number; set?: string }>> {
  const r = await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: stack.hostedZoneId }));
  return (r.ResourceRecordSets ?? [])
    .filter((s) => s.Name === `${stack.recordName}.` && s.Type === 'A')
    .map((s) => ({
      target: dnsKey(s.AliasTarget?.DNSName),
      ...(s.Weight !== undefined ? { weight: s.Weight } : {}),
      ...(s.SetIdentifier ? { set: s.SetIdentifier } : {}),
    }));
}

/**
 * Where requests go now, as the groups that serve them: for each alias record (weight > 0) the groups behind
 * its classic load balancer; for each forward (weight > 0) of the listener and its /api/* rule the groups
 * registered with its target group. Also the load balancers / target groups themselves, for messages.
 */
async function trafficTargets(world: World): Promise<Array<{ via: string; groups: AutoScalingGroup[] }>> {
  const groups = await allGroups();
  if (world.listener) {
    const routing = await listenerRouting(aws, world.listener);
    const tgs = await allTargetGroups(aws);
    return [...routing.default, ...routing.api]
      .filter((f) => f.weight > 0)
      .map((f) => ({
        via: `target group ${tgs.find((t) => t.TargetGroupArn === f.targetGroupArn)?.TargetGroupName ?? f.targetGroupArn}`,
        groups: groups.filter((g) => (g.TargetGroupARNs ?? []).includes(f.targetGroupArn)),
      }));
  }
  const lbs = (await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? [];
  const recs = await records(world.blue!);
  expect(recs.length, 'the record exists').toBeGreaterThan(0);
  return recs
    .filter((r) => r.weight === undefined || r.weight > 0)
    .map((r) => {
      const lb = lbs.find((l) => dnsKey(l.DNSName) === r.target);
      return {
        via: `record -> ${lb?.LoadBalancerName ?? r.target}`,
        groups: lb ? groups.filter((g) => (g.LoadBalancerNames ?? []).includes(lb.LoadBalancerName!)) : [],
      };
    });
}

// ---------------------------------------------------------------- the invariants

/**
 * What must hold after any kill (and after any follow-up):
 *  - no duplicate resource: every name once per kind; at most one group of the deployment; at most as many
 *    live instances tagged with the deployment as blue has;
 *  - everything of the deployment AWS holds is named in the journal: resources whose name carries the
 *    deployment id, and live instances tagged with it (by id, or by the ClientToken the plan decided);
 *  - traffic only on groups with at least one InService instance.
 */
async function expectInvariants(world: World, journal: Journal, when: string): Promise<void> {
  const id = journal.deploymentId;
  const text = JSON.stringify(journal);
  const names = await inventory();
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  expect(dupes, `${when}: duplicate resources`).toEqual([]);

  const mine = names.filter((n) => n.includes(id));
  expect(
    mine.filter(
      (n) =>
        !text.includes(
          n
            .slice(n.indexOf(' ') + 1)
            .split('/')
            .pop()!,
        ),
    ),
    `${when}: resources of deployment ${id} the journal does not name`,
  ).toEqual([]);
  expect(mine.filter((n) => n.startsWith('group ')).length, `${when}: groups of deployment ${id}`).toBeLessThanOrEqual(1);

  const live = (await allInstances()).filter(
    (i) => tagOf(i.Tags, 'bluegreen:deployment') === id && !['terminated', 'shutting-down'].includes(i.State?.Name ?? ''),
  );
  // Instances launched by a group of the deployment are that group's (named above); count the others.
  const launched = live.filter((i) => !tagOf(i.Tags, 'aws:autoscaling:groupName')?.includes(id));
  expect(
    launched.length,
    `${when}: live instances launched for deployment ${id}: ${launched.map((i) => i.InstanceId).join(', ')}`,
  ).toBeLessThanOrEqual(2);
  const unnamed = launched.filter((i) => !text.includes(i.InstanceId!) && !(i.ClientToken && text.includes(i.ClientToken)));
  expect(
    unnamed.map((i) => i.InstanceId),
    `${when}: instances of deployment ${id} the journal names neither by id nor by client token`,
  ).toEqual([]);

  const targets = await trafficTargets(world);
  expect(targets.length, `${when}: traffic goes somewhere`).toBeGreaterThan(0);
  for (const t of targets) {
    const serving = t.groups.reduce((n, g) => n + inService(g), 0);
    expect(
      serving,
      `${when}: ${t.via} (groups ${t.groups.map((g) => g.AutoScalingGroupName).join(', ') || 'none'}) has no InService instance`,
    ).toBeGreaterThan(0);
  }
}

// ---------------------------------------------------------------- what each follow-up must leave

async function snapshot(world: World): Promise<Record<string, unknown>> {
  return world.listener
    ? snapshotListenerAws(moto.endpoint, { ignoreTerminatedInstances: true })
    : snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true });
}

/**
 * A snapshot as compared after a rollback. Left out, and why:
 *  - instances EC2 lists as terminated (snapshot option): green's stay listed so, as on AWS;
 *  - blue's scaling policy, once copy-scaling-policies has started (replica-dns): moto keys scaling policies
 *    by name alone (AWS: per group), so green's copy replaces blue's in moto, and deleting the copy on
 *    rollback leaves blue with none (docs/moto.md; recovery.test.ts does the same). Green's copy being gone
 *    is still checked (the policies of green's group are compared);
 *  - a classic load balancer's instance listed twice counts once: moto keeps the registrations a group makes
 *    and those of RegisterInstancesWithLoadBalancer in two lists and describes both, so after swap-instances'
 *    rollback re-registers the old instances (deregister-old's undo) they are listed twice; AWS keeps one
 *    registration (swap.test.ts counts them the same way);
 *  - instance ids, once retire-blue has started (replica-dns, replica-listener): blue was scaled to zero and
 *    rollback scales it back up, so its instances are new ones; their number is compared.
 */
function comparable(world: World, s: Record<string, unknown>, at: Journal): Record<string, unknown> {
  let out: Record<string, unknown> = {
    ...s,
    loadBalancers: (s.loadBalancers as Array<Record<string, unknown>>).map((l) => ({ ...l, instances: [...new Set(l.instances as string[])] })),
  };
  const started = (step: string) => (at.steps.find((x) => x.id === step)?.state ?? 'pending') !== 'pending';
  if (world.blue && world.shape !== 'swap-instances' && started('copy-scaling-policies')) {
    out = { ...out, policies: (out.policies as string[]).filter((p) => p !== `${world.blue!.groupName}/${world.blue!.policyName}`) };
  }
  if (world.shape !== 'swap-instances' && started('retire-blue')) {
    out = {
      ...out,
      instances: (out.instances as string[]).length,
      groups: (out.groups as Array<Record<string, unknown>>).map((g) => ({ ...g, instances: (g.instances as unknown[]).length })),
      loadBalancers: (out.loadBalancers as Array<Record<string, unknown>>).map((l) => ({ ...l, instances: (l.instances as unknown[]).length })),
    };
  }
  return out;
}

/** After resume: the journal succeeded, traffic on green alone, one group of the deployment, blue retired. */
async function expectFinished(world: World, journal: Journal): Promise<void> {
  expect(journal.status).toBe('succeeded');
  expect(journal.steps.map((s) => s.state)).toEqual(journal.steps.map(() => 'done'));
  const summary = journal.summary as unknown as { green: { group: string; loadBalancer?: string; targetGroup?: string } };
  if (world.shape === 'swap-instances') {
    const g = (await group(world.blueGroup))!;
    const launched = [...((journal.steps.find((s) => s.id === 'launch-instances')?.outputs.instanceIds as string[] | undefined) ?? [])].sort();
    expect(launched).toHaveLength(2);
    expect((g.Instances ?? []).map((i) => i.InstanceId).sort()).toEqual(launched);
    expect(inService(g)).toBe(2);
    expect({ min: g.MinSize, max: g.MaxSize, desired: g.DesiredCapacity }).toEqual({ min: 2, max: 4, desired: 2 });
    expect(g.LaunchConfigurationName).toBe(`shop-swap-${journal.deploymentId}`);
    expect(g.SuspendedProcesses ?? []).toEqual([]);
    const old = (await allInstances()).filter((i) => world.blue!.instanceIds.includes(i.InstanceId!));
    for (const i of old) expect(['terminated', 'shutting-down'], `${i.InstanceId}`).toContain(i.State?.Name);
    const lb = (await aws.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: [world.blue!.loadBalancerName] })))
      .LoadBalancerDescriptions![0]!;
    expect([...new Set((lb.Instances ?? []).map((i) => i.InstanceId!))].sort()).toEqual(launched);
    return;
  }
  const groups = (await allGroups()).filter((g) => g.AutoScalingGroupName!.includes(journal.deploymentId));
  expect(groups.map((g) => g.AutoScalingGroupName)).toEqual([summary.green.group]);
  expect(inService(groups[0])).toBe(2);
  const targets = await trafficTargets(world);
  expect(targets.flatMap((t) => t.groups.map((g) => g.AutoScalingGroupName))).toEqual(targets.map(() => summary.green.group));
  const blue = (await group(world.blueGroup))!;
  expect({ min: blue.MinSize, desired: blue.DesiredCapacity, max: blue.MaxSize }).toEqual({ min: 0, desired: 0, max: 0 });
}

// ---------------------------------------------------------------- the matrix

const ALL: Case[] = (Object.keys(SHAPES) as ShapeName[]).flatMap(casesOf);

describe('SIGKILL at every step, then resume or rollback (built CLI, moto)', () => {
  it('the matrix: every step of every shape has its start and end, and a middle when it writes', () => {
    for (const [name, shape] of Object.entries(SHAPES)) {
      for (const step of FULL ? shape.steps : shape.killAt) {
        expect(shape.steps, name).toContain(step);
        const points = ALL.filter((c) => c.shape === name && c.step === step).map((c) => c.point);
        expect(points, `${name} ${step}`).toEqual(shape.writes[step] ? ['start', 'write', 'end'] : ['start', 'end']);
      }
    }
  });

  it.each(
    ALL.map(
      (c) => [`${c.shape}: killed at ${c.step} ${c.point === 'write' ? 'middle (after its first write)' : c.point}, then ${c.followUp}`, c] as const,
    ),
  )(
    '%s',
    async (_name, c) => {
      const world = await setUp(c.shape);
      const shape = SHAPES[c.shape];
      try {
        const before = await snapshot(world);

        // ---- the kill
        const killed = await bg(world, ['deploy', '--yes', '--output', 'json'], { step: c.step, at: c.point });
        expect(killed.signal, `deploy was not killed (exit ${killed.code})\n${killed.stderr}`).toBe('SIGKILL');
        const death = killed.log.find((l) => l.killed);
        expect(death, 'the preload killed it').toBeDefined();
        expect(death!.step).toBe(c.step);
        // What the step had sent when it died: nothing at its start, exactly its first write in its middle.
        const stepWrites = killed.log.filter((l) => !l.killed && l.step === c.step && l.operation && isWrite(l.operation)).map((l) => l.operation);
        if (c.point === 'start') expect(killed.log.filter((l) => !l.killed && l.step === c.step)).toEqual([]);
        if (c.point === 'write') {
          expect(death!.operation).toBe(shape.writes[c.step]![0]);
          expect(stepWrites).toEqual([shape.writes[c.step]![0]]);
        }
        if (c.point === 'end') expect(stepWrites).toEqual(shape.writes[c.step] ?? []);
        const atKill = await journalOf(world);
        expect(atKill.status).toBe('running');
        expect(atKill.steps.map((s) => s.id)).toEqual(shape.steps);
        const index = shape.steps.indexOf(c.step);
        expect(atKill.steps.map((s) => s.state)).toEqual(
          shape.steps.map((_, i) => (i < index ? 'done' : i > index ? 'pending' : c.point === 'end' ? 'done' : 'running')),
        );
        // The one case that ran every step: the writes each made are the matrix's.
        if (c.point === 'end' && index === shape.steps.length - 1) {
          const writes: Record<string, string[]> = {};
          for (const l of killed.log) if (l.operation && !l.killed && isWrite(l.operation)) (writes[l.step ?? '(none)'] ??= []).push(l.operation);
          expect(writes).toEqual(shape.writes);
        }
        await expectInvariants(world, atKill, `after the kill at ${c.step} ${c.point}`);

        // ---- the follow-up
        if (c.followUp === 'resume') {
          const r = await bg(world, ['resume', '--yes', '--output', 'json']);
          expect(r.code, r.stderr).toBe(0);
          expect(r.stderr).toContain('took over the lock');
          const restarted = jsonLines(r.stdout)
            .filter((e) => e.event === 'step.started')
            .map((e) => e.stepId);
          expect(restarted).toEqual(shape.steps.slice(c.point === 'end' ? index + 1 : index));
          const journal = await journalOf(world);
          await expectFinished(world, journal);
          await expectInvariants(world, journal, 'after resume');
          return;
        }

        const refused = c.shape === 'swap-instances' && rollbackRefused(atKill, c);
        const beforeRollback = refused ? await snapshot(world) : undefined;
        const r = await bg(world, ['rollback', '--yes', '--output', 'json']);
        if (refused) {
          // Documented: once terminate-old has terminated an old instance, rollback cannot bring it back.
          expect(r.code, r.stderr).toBe(1);
          expect(r.stderr).toMatch(/cannot bring/);
          expect(r.stderr).toContain('Nothing was changed');
          expect(await snapshot(world)).toEqual(beforeRollback);
          const resumed = await bg(world, ['resume', '--yes', '--output', 'json']);
          expect(resumed.code, resumed.stderr).toBe(0);
          const journal = await journalOf(world);
          await expectFinished(world, journal);
          await expectInvariants(world, journal, 'after the refused rollback and resume');
          return;
        }
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toContain('took over the lock');
        expect(jsonLines(r.stdout).find((e) => e.event === 'deployment.finished')).toMatchObject({ status: 'rolled-back' });
        const journal = await journalOf(world);
        expect(journal.status).toBe('rolled-back');
        expect(comparable(world, await snapshot(world), atKill)).toEqual(comparable(world, before, atKill));
        expect((await inventory()).filter((n) => n.includes(journal.deploymentId))).toEqual([]);
        await expectInvariants(world, journal, 'after rollback');
        // Traffic is back on blue alone.
        const targets = await trafficTargets(world);
        expect(targets.flatMap((t) => t.groups.map((g) => g.AutoScalingGroupName))).toEqual(targets.map(() => world.blueGroup));
      } finally {
        await rm(world.dir, { recursive: true, force: true });
      }
    },
    90_000,
  );
});

/**
 * Whether swap-instances' rollback must refuse: terminate-old has started and terminated (or may have) an
 * old instance. Filled in from the product's documented behaviour (the plan's warning: "after the
 * terminate-old step, rollback cannot bring the old instances back").
 */
function rollbackRefused(atKill: Journal, c: Case): boolean {
  const state = atKill.steps.find((s) => s.id === 'terminate-old')?.state ?? 'pending';
  return state === 'done' || (state === 'running' && c.point !== 'start');
}
