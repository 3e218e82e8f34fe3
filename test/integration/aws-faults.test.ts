/**
 * AWS errors injected into the SDK clients of the built CLI against moto (issue 5, the fault-injection
 * suite): for each strategy, the AWS write of several steps fails with Throttling past the SDK's retries,
 * AccessDenied, InternalFailure or a timeout. `deploy --yes` must exit 1 with a message naming the call, the
 * resource and the command to run next, leaving nothing in AWS that its journal does not name; then, the
 * fault cleared, `resume --yes` finishes (traffic on green, blue retired) or `rollback --yes` puts AWS back as
 * it was before the deploy.
 *
 * Also: a timeout after AWS acted on the request (the switch or blue's scale-down happened, the answer was
 * lost: rollback must undo it from what the journal recorded), a fault in the rollback's own calls (it stops
 * naming the call; a second rollback finishes), a failed read in wait-healthy (a stop, not a rollback), and a
 * throttling that the SDK's retries get past (the deploy succeeds). After every failure: traffic reaches a
 * group with an InService instance, and blue is whole unless the failed step was its retirement.
 *
 * The faults come from outside the product: test/support/aws-faults.mjs, loaded into the CLI's node with
 * `--import`, adds a middleware to every SDK client, inside the SDK's retry middleware, that answers the named
 * operation as AWS would (an error response in the service's protocol, or a TimeoutError). Its log counts the
 * attempts of every call: AccessDenied must be tried once, the retryable kinds DEFAULT_MAX_ATTEMPTS times.
 * The SDK's backoff sleeps are scaled down there (BLUEGREEN_TEST_FAULTS_DELAY_SCALE) to keep this file fast;
 * what is retried and how often is the SDK's own decision.
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
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ATTEMPTS } from '../../src/aws/sdk/clients.js';
import type { Journal } from '../../src/engine/types.js';
import { buildBlueStack, lbDns, recordTarget, snapshotAws, writeConfig, type BlueStack } from '../support/blue-stack.js';
import { ROOT, runCli, type CliResult } from '../support/cli.js';
import {
  allTargetGroups,
  buildListenerStack,
  listenerClients,
  listenerRouting,
  snapshotListenerAws,
  writeListenerConfig,
  type ListenerAwsClients,
  type ListenerStack,
} from '../support/listener-stack.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

const FAULTS_MODULE = join(ROOT, 'test', 'support', 'aws-faults.mjs');

type Kind = 'Throttling' | 'AccessDenied' | 'InternalFailure' | 'Timeout';
type StrategyName = 'replica-dns' | 'replica-listener' | 'swap-instances';

interface Fault {
  operation: string;
  error: Kind;
  times?: number;
  after?: number;
  input?: Record<string, unknown>;
  sent?: boolean;
}

interface LoggedAttempt {
  pid: number;
  service: string;
  operation: string;
  fault: Kind | null;
}

let moto: Moto;
let env: Record<string, string>;
let aws: ListenerAwsClients;
let dir: string;
let runNo = 0;

beforeAll(async () => {
  moto = await startMoto();
  env = awsEnv(moto.endpoint);
  aws = listenerClients(moto.endpoint);
});
afterAll(async () => {
  await moto?.stop();
});

// ---------------------------------------------------------------- running the CLI, with or without faults

/** Runs the built CLI in the case's directory; with `faults`, through the fault module; returns its attempts too. */
async function bg(args: string[], faults?: Fault[]): Promise<CliResult & { attempts: LoggedAttempt[] }> {
  const log = join(dir, `faults-${++runNo}.log`);
  const r = await runCli([...args, '-c', 'bluegreen.yml'], {
    cwd: dir,
    env: {
      ...env,
      BLUEGREEN_TEST_FAULTS_LOG: log,
      BLUEGREEN_TEST_FAULTS_DELAY_SCALE: '0.01',
      ...(faults ? { BLUEGREEN_TEST_FAULTS: JSON.stringify(faults) } : {}),
    },
    nodeArgs: ['--import', FAULTS_MODULE],
    timeoutMs: 60_000,
  });
  const attempts = existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LoggedAttempt)
    : [];
  return { ...r, attempts };
}

async function journal(service: string): Promise<Journal> {
  return JSON.parse(await readFile(join(dir, '.bluegreen', service, 'journal.json'), 'utf8')) as Journal;
}

// ---------------------------------------------------------------- reading AWS back

async function allGroups(): Promise<AutoScalingGroup[]> {
  return (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
}

async function group(name: string): Promise<AutoScalingGroup | undefined> {
  return (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups?.[0];
}

/**
 * What AWS holds that a deployment made: everything whose name carries its id (groups, launch configurations,
 * classic load balancers, target groups, scaling policies, alarms) and the live instances tagged with it.
 */
async function madeBy(deploymentId: string): Promise<string[]> {
  const names = [
    ...(await allGroups()).map((g) => g.AutoScalingGroupName!),
    ...((await aws.autoscaling.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations ?? []).map((l) => l.LaunchConfigurationName!),
    ...((await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? []).map((l) => l.LoadBalancerName!),
    ...(await allTargetGroups(aws)).map((t) => t.TargetGroupName!),
    ...((await aws.autoscaling.send(new DescribePoliciesCommand({}))).ScalingPolicies ?? []).map((p) => `${p.AutoScalingGroupName}/${p.PolicyName}`),
    ...((await aws.cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => a.AlarmName!),
  ].filter((n) => n.includes(deploymentId));
  // Instances a group of the deployment launched are that group's (named above); the others were launched by a step.
  const inItsGroups = new Set(
    (await allGroups()).filter((g) => g.AutoScalingGroupName!.includes(deploymentId)).flatMap((g) => (g.Instances ?? []).map((i) => i.InstanceId!)),
  );
  const tagged = await aws.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:bluegreen:deployment', Values: [deploymentId] }] }));
  const instances = (tagged.Reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .filter((i) => !['terminated', 'shutting-down'].includes(i.State?.Name ?? '') && !inItsGroups.has(i.InstanceId!))
    .map((i) => `instance ${i.InstanceId}`);
  return [...names, ...instances];
}

/**
 * Everything a deployment made is named by its journal: by a started step's `creates` or outputs (a step
 * that never started made nothing). Instances are named by the launch step's outputs, or found by the
 * deployment tag when that step started (the journal records the launch's client token before RunInstances).
 */
function expectJournalNames(j: Journal, made: string[]): void {
  const started = j.steps.filter((s) => s.state !== 'pending');
  const text = JSON.stringify(started.map((s) => ({ creates: s.creates, outputs: s.outputs })));
  const launchStarted = started.some((s) => /launch-instances/.test(s.kind) && 'launching' in s.outputs);
  const unnamed = made.filter((name) => {
    if (name.startsWith('instance ')) return !text.includes(name.slice('instance '.length)) && !launchStarted;
    const last = name.split('/').pop()!;
    return !text.includes(last);
  });
  expect(unnamed, `made by ${j.deploymentId} but not named by its journal`).toEqual([]);
}

// ---------------------------------------------------------------- the three strategies' stacks

interface Stacked {
  service: string;
  /** The AWS snapshot comparable before the deploy and after a rollback. */
  snapshot(): Promise<Record<string, unknown>>;
  /** Traffic on green, blue retired, after a finished deployment. */
  expectDeployed(j: Journal): Promise<void>;
  /** Traffic on blue, blue whole. */
  expectOnBlue(): Promise<void>;
  /** The group traffic goes to now (the record's or the listener's target), and its InService instances. */
  served(): Promise<{ group: string | undefined; inService: number }>;
  /** The input that picks blue's group out of other UpdateAutoScalingGroup calls. */
  blueGroup: string;
  /** What the switch step moves: the record's name, the listener's ARN, blue's group. */
  switched: string;
  /** Blue's instances before the deploy. */
  blueInstances: string[];
  /** The release image of the config. */
  releaseImage: string;
}

const inService = (g: AutoScalingGroup | undefined) => (g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;

/**
 * moto keeps scaling policies keyed by name alone (AWS: per group), so green's copy of blue's policy replaces
 * blue's and the rollback's delete leaves blue with none (recovery.test.ts says more): leave blue's policy
 * out of the before/after comparison; green's being gone is checked by madeBy.
 */
function withoutPolicyOf(groupName: string, s: Record<string, unknown>): Record<string, unknown> {
  return { ...s, policies: (s.policies as string[]).filter((p) => !p.startsWith(`${groupName}/`)) };
}

async function replicaDns(): Promise<Stacked> {
  const stack: BlueStack = await buildBlueStack(moto.endpoint);
  await writeConfig(stack, { retireAfter: '0s' }, dir);
  return {
    service: stack.service,
    blueGroup: stack.groupName,
    blueInstances: stack.instanceIds,
    releaseImage: stack.releaseImageId,
    switched: stack.recordName,
    snapshot: async () => withoutPolicyOf(stack.groupName, await snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true })),
    expectDeployed: async (j) => {
      const green = (j.summary as { green: { group: string; loadBalancer: string } }).green;
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green.loadBalancer));
      expect((await group(green.group))?.Instances).toHaveLength(2);
      expect((await group(stack.groupName))?.DesiredCapacity).toBe(0);
      const greens = (await allGroups()).filter((g) => g.AutoScalingGroupName !== stack.groupName);
      expect(greens.map((g) => g.AutoScalingGroupName)).toEqual([green.group]);
    },
    served: async () => {
      const target = await recordTarget(aws, stack);
      const lbs = (await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? [];
      const lb = lbs.find((l) => l.DNSName?.replace(/\.$/, '').toLowerCase() === target);
      const g = (await allGroups()).find((x) => lb && (x.LoadBalancerNames ?? []).includes(lb.LoadBalancerName!));
      return { group: g?.AutoScalingGroupName, inService: inService(g) };
    },
    expectOnBlue: async () => {
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, stack.loadBalancerName));
      const blue = await group(stack.groupName);
      expect({ desired: blue?.DesiredCapacity, instances: blue?.Instances?.length }).toEqual({ desired: 2, instances: 2 });
    },
  };
}

async function replicaListener(): Promise<Stacked> {
  const stack: ListenerStack = await buildListenerStack(moto.endpoint, { deregistrationDelaySeconds: 0 });
  await writeListenerConfig(stack, { retireAfter: '0s' }, dir);
  const on = async (targetGroupArn: string) => {
    const routing = await listenerRouting(aws, stack);
    expect(routing).toEqual({ default: [{ targetGroupArn, weight: 1 }], api: [{ targetGroupArn, weight: 1 }] });
  };
  return {
    service: stack.service,
    blueGroup: stack.groupName,
    blueInstances: stack.instanceIds,
    releaseImage: stack.releaseImageId,
    // Messages name a listener by its ARN's resource part: app/<load balancer>/<id>/<id>.
    switched: stack.listenerArn.split(':listener/')[1]!,
    snapshot: () => snapshotListenerAws(moto.endpoint, { ignoreTerminatedInstances: true }),
    expectDeployed: async (j) => {
      const green = (j.summary as { green: { group: string; targetGroup: string } }).green;
      const tg = (await allTargetGroups(aws)).find((t) => t.TargetGroupName === green.targetGroup);
      expect(tg, `target group ${green.targetGroup}`).toBeDefined();
      await on(tg!.TargetGroupArn!);
      expect((await group(green.group))?.Instances).toHaveLength(2);
      expect((await group(stack.groupName))?.DesiredCapacity).toBe(0);
      const greens = (await allGroups()).filter((g) => g.AutoScalingGroupName !== stack.groupName);
      expect(greens.map((g) => g.AutoScalingGroupName)).toEqual([green.group]);
    },
    served: async () => {
      const routing = await listenerRouting(aws, stack);
      const tg = routing.default.length === 1 ? routing.default[0]!.targetGroupArn : undefined;
      const g = (await allGroups()).find((x) => tg && (x.TargetGroupARNs ?? []).includes(tg));
      return { group: g?.AutoScalingGroupName, inService: inService(g) };
    },
    expectOnBlue: async () => {
      await on(stack.targetGroupArn);
      const blue = await group(stack.groupName);
      expect({ desired: blue?.DesiredCapacity, instances: blue?.Instances?.length }).toEqual({ desired: 2, instances: 2 });
    },
  };
}

/**
 * moto keeps an instance the group registered with its classic load balancer and one registered by
 * RegisterInstancesWithLoadBalancer in two lists and describes both (swap.test.ts says more): an instance
 * that swap-instances deregistered and its rollback registered again is listed twice. Count each once.
 */
function dedupeLoadBalancerInstances(s: Record<string, unknown>): Record<string, unknown> {
  const lbs = s.loadBalancers as Array<{ name: string; instances: string[] }>;
  return { ...s, loadBalancers: lbs.map((l) => ({ ...l, instances: [...new Set(l.instances)] })) };
}

async function swapInstances(): Promise<Stacked> {
  const stack: BlueStack = await buildBlueStack(moto.endpoint, { drainingSeconds: 0 });
  await writeFile(
    join(dir, 'bluegreen.yml'),
    `service: ${stack.service}
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
`,
  );
  const sizes = async () => {
    const g = await group(stack.groupName);
    return { min: g?.MinSize, max: g?.MaxSize, desired: g?.DesiredCapacity };
  };
  const imagesOf = async (g: AutoScalingGroup | undefined) => {
    const ids = (g?.Instances ?? []).map((i) => i.InstanceId!);
    const r = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    return [...new Set((r.Reservations ?? []).flatMap((x) => x.Instances ?? []).map((i) => i.ImageId))];
  };
  return {
    service: stack.service,
    blueGroup: stack.groupName,
    blueInstances: stack.instanceIds,
    releaseImage: stack.releaseImageId,
    switched: stack.groupName,
    snapshot: async () => dedupeLoadBalancerInstances(await snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true })),
    expectDeployed: async () => {
      const g = await group(stack.groupName);
      expect(await sizes()).toEqual({ min: 2, max: 4, desired: 2 });
      const ids = (g?.Instances ?? []).map((i) => i.InstanceId!).sort();
      expect(ids).toHaveLength(2);
      expect(ids.some((id) => stack.instanceIds.includes(id))).toBe(false);
      expect(await imagesOf(g)).toEqual([stack.releaseImageId]);
      expect(g?.SuspendedProcesses ?? []).toEqual([]);
    },
    served: async () => {
      const g = await group(stack.groupName);
      return { group: stack.groupName, inService: inService(g) };
    },
    expectOnBlue: async () => {
      const g = await group(stack.groupName);
      expect(await sizes()).toEqual({ min: 2, max: 4, desired: 2 });
      expect((g?.Instances ?? []).map((i) => i.InstanceId!).sort()).toEqual([...stack.instanceIds].sort());
      expect(g?.SuspendedProcesses ?? []).toEqual([]);
    },
  };
}

/** A snapshot with instance counts in place of instance ids. */
function withoutInstanceIds(s: Record<string, unknown>): Record<string, unknown> {
  return {
    ...s,
    instances: undefined,
    groups: (s.groups as Array<Record<string, unknown>>).map((g) => ({ ...g, instances: (g.instances as unknown[]).length })),
    loadBalancers: (s.loadBalancers as Array<Record<string, unknown>>).map((l) => ({ ...l, instances: (l.instances as unknown[]).length })),
  };
}

const STACKS: Record<StrategyName, () => Promise<Stacked>> = {
  'replica-dns': replicaDns,
  'replica-listener': replicaListener,
  'swap-instances': swapInstances,
};

// ---------------------------------------------------------------- the cases

interface Case {
  strategy: StrategyName;
  /** The step whose AWS write fails. */
  step: string;
  operation: string;
  error: Kind;
  /** Only calls on blue's group (UpdateAutoScalingGroup is sent by other steps too). */
  onBlueGroup?: boolean;
  /** Timeout: the request reached AWS, which acted on it; only the answer was lost. */
  sent?: boolean;
  /** What the message must name besides the operation (or one of these): from the journal of the failed deploy. */
  resource: (j: Journal, s: Stacked) => string | string[];
  then: 'resume' | 'rollback';
  /**
   * Blue was scaled to zero and back by the rollback: its instances are new ones, so the before/after
   * comparison leaves instance ids out (counts stay).
   */
  blueRelaunched?: boolean;
  /** A fault in the rollback's own call: it must stop naming it, and a second rollback without it finish. */
  rollbackFault?: { operation: string; error: Kind; resource: (j: Journal, s: Stacked) => string };
}

const green = (key: string) => (j: Journal) => (j.summary as { green: Record<string, string> }).green[key]!;
const blueGroup = (_j: Journal, s: Stacked) => s.blueGroup;

const CASES: Case[] = [
  // replica-dns
  {
    strategy: 'replica-dns',
    step: 'create-launch',
    operation: 'CreateLaunchConfiguration',
    error: 'AccessDenied',
    resource: green('launch'),
    then: 'resume',
  },
  {
    strategy: 'replica-dns',
    step: 'create-group',
    operation: 'CreateAutoScalingGroup',
    error: 'Throttling',
    resource: green('group'),
    then: 'resume',
  },
  {
    strategy: 'replica-dns',
    step: 'switch-dns',
    operation: 'ChangeResourceRecordSets',
    error: 'InternalFailure',
    resource: (_j, s) => s.switched,
    then: 'rollback',
  },
  {
    strategy: 'replica-dns',
    step: 'retire-blue',
    operation: 'UpdateAutoScalingGroup',
    error: 'Timeout',
    onBlueGroup: true,
    resource: blueGroup,
    then: 'resume',
  },
  // Blue was scaled to zero though the step failed: the journal's record of blue's sizes brings it back.
  {
    strategy: 'replica-dns',
    step: 'retire-blue',
    operation: 'UpdateAutoScalingGroup',
    error: 'Timeout',
    sent: true,
    onBlueGroup: true,
    resource: blueGroup,
    then: 'rollback',
    blueRelaunched: true,
  },
  {
    strategy: 'replica-dns',
    step: 'create-load-balancer',
    operation: 'CreateLoadBalancer',
    error: 'InternalFailure',
    resource: green('loadBalancer'),
    then: 'rollback',
  },
  {
    strategy: 'replica-dns',
    step: 'copy-alarms',
    operation: 'PutMetricAlarm',
    error: 'AccessDenied',
    resource: green('group'),
    then: 'rollback',
    rollbackFault: { operation: 'DeleteAutoScalingGroup', error: 'Throttling', resource: green('group') },
  },
  {
    strategy: 'replica-dns',
    step: 'wait-healthy',
    operation: 'DescribeInstanceHealth',
    error: 'Throttling',
    resource: green('loadBalancer'),
    then: 'resume',
  },
  {
    strategy: 'replica-dns',
    step: 'switch-dns',
    operation: 'ChangeResourceRecordSets',
    error: 'Timeout',
    sent: true,
    resource: (_j, s) => s.switched,
    then: 'rollback',
  },
  // replica-listener
  {
    strategy: 'replica-listener',
    step: 'create-launch',
    operation: 'CreateLaunchConfiguration',
    error: 'Throttling',
    resource: green('launch'),
    then: 'resume',
  },
  {
    strategy: 'replica-listener',
    step: 'create-target-group',
    operation: 'CreateTargetGroup',
    error: 'AccessDenied',
    resource: green('targetGroup'),
    then: 'rollback',
  },
  {
    strategy: 'replica-listener',
    step: 'switch-listener',
    operation: 'ModifyListener',
    error: 'InternalFailure',
    resource: (_j, s) => s.switched,
    then: 'rollback',
    rollbackFault: { operation: 'DeleteTargetGroup', error: 'AccessDenied', resource: green('targetGroup') },
  },
  {
    strategy: 'replica-listener',
    step: 'create-group',
    operation: 'CreateAutoScalingGroup',
    error: 'InternalFailure',
    resource: green('group'),
    then: 'resume',
  },
  {
    strategy: 'replica-listener',
    step: 'switch-listener',
    operation: 'ModifyListener',
    error: 'AccessDenied',
    resource: (_j, s) => s.switched,
    then: 'resume',
  },
  {
    strategy: 'replica-listener',
    step: 'switch-listener',
    operation: 'ModifyListener',
    error: 'Timeout',
    sent: true,
    resource: (_j, s) => s.switched,
    then: 'rollback',
  },
  {
    strategy: 'replica-listener',
    step: 'retire-blue',
    operation: 'UpdateAutoScalingGroup',
    error: 'Throttling',
    onBlueGroup: true,
    resource: blueGroup,
    then: 'resume',
  },
  // swap-instances
  {
    strategy: 'swap-instances',
    step: 'launch-instances',
    operation: 'RunInstances',
    error: 'AccessDenied',
    resource: (_j, s) => s.releaseImage,
    then: 'rollback',
  },
  { strategy: 'swap-instances', step: 'attach-instances', operation: 'AttachInstances', error: 'Throttling', resource: blueGroup, then: 'resume' },
  {
    strategy: 'swap-instances',
    step: 'update-launch',
    operation: 'CreateLaunchConfiguration',
    error: 'InternalFailure',
    resource: green('launch'),
    then: 'resume',
  },
  // restore-group: the sizes are already right here (terminate-old decremented the desired capacity), so its write is ResumeProcesses.
  { strategy: 'swap-instances', step: 'restore-group', operation: 'ResumeProcesses', error: 'InternalFailure', resource: blueGroup, then: 'resume' },
  {
    strategy: 'swap-instances',
    step: 'terminate-old',
    operation: 'TerminateInstanceInAutoScalingGroup',
    error: 'Timeout',
    resource: (_j, s) => s.blueInstances,
    then: 'rollback',
  },
];

const LABELLED = CASES.map((c) => ({ ...c, answer: c.sent ? `${c.error} after AWS acted on it` : c.error }));

describe.each(LABELLED)('$strategy: $operation in $step answers $answer', (c) => {
  it(`deploy exits 1 naming the call, the resource and the next command; ${c.then} with the fault cleared finishes`, async () => {
    await moto.reset();
    dir = await mkdtemp(join(tmpdir(), 'bluegreen-faults-'));
    try {
      const s = await STACKS[c.strategy]();
      const before = await s.snapshot();
      const fault: Fault = {
        operation: c.operation,
        error: c.error,
        times: 99,
        ...(c.sent ? { sent: true } : {}),
        ...(c.onBlueGroup ? { input: { AutoScalingGroupName: s.blueGroup } } : {}),
      };

      const d = await bg(['deploy', '--yes'], [fault]);
      expect(d.code, d.stderr).toBe(1);
      const j = await journal(s.service);
      expect(j.status).toBe('failed');
      expect(j.steps.find((x) => x.state === 'failed')?.id).toBe(c.step);
      expect(d.stderr).toMatch(/^error: /m);
      expect(d.stderr).toContain(c.operation);
      const named = [c.resource(j, s)].flat();
      expect(
        named.filter((n) => d.stderr.includes(n)),
        `stderr names one of ${named.join(', ')}`,
      ).not.toEqual([]);
      expect(d.stderr).toContain(`bluegreen resume -c`);
      expect(d.stderr).toContain(`bluegreen rollback -c`);

      // Traffic still reaches instances: blue's, or green's when the failed call had moved it (a lost answer).
      const served = await s.served();
      expect(served.inService, `traffic on ${served.group}`).toBeGreaterThanOrEqual(1);
      if (c.sent && c.step.startsWith('switch-')) expect(served.group).toBe(green('group')(j));
      else if (c.sent && c.step === 'retire-blue') expect((await group(s.blueGroup))?.DesiredCapacity).toBe(0);
      else if (!['retire-blue', 'terminate-old', 'restore-group'].includes(c.step)) {
        // Before the switch, blue is whole (swap-instances: the old instances all still in the group).
        if (c.strategy === 'swap-instances') {
          const members = ((await group(s.blueGroup))?.Instances ?? []).map((i) => i.InstanceId!);
          expect(s.blueInstances.filter((id) => !members.includes(id))).toEqual([]);
        } else await s.expectOnBlue();
      }

      const faulted = d.attempts.filter((a) => a.operation === c.operation && a.fault !== null);
      expect(faulted.length).toBe(c.error === 'AccessDenied' ? 1 : DEFAULT_MAX_ATTEMPTS);
      expectJournalNames(j, await madeBy(j.deploymentId));

      if (c.then === 'resume') {
        const r = await bg(['resume', '--yes']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.attempts.every((a) => a.fault === null)).toBe(true);
        const done = await journal(s.service);
        expect(done.status).toBe('succeeded');
        await s.expectDeployed(done);
      } else {
        if (c.rollbackFault) {
          const f = c.rollbackFault;
          const stopped = await bg(['rollback', '--yes'], [{ operation: f.operation, error: f.error, times: 99 }]);
          expect(stopped.code, stopped.stderr).toBe(1);
          expect(stopped.stderr).toMatch(/^error: rollback stopped at step /m);
          expect(stopped.stderr).toContain(f.operation);
          expect(stopped.stderr).toContain(f.resource(j, s));
          expect(stopped.stderr).toContain('bluegreen rollback -c');
          const tries = stopped.attempts.filter((a) => a.operation === f.operation && a.fault !== null).length;
          expect(tries).toBe(f.error === 'AccessDenied' ? 1 : DEFAULT_MAX_ATTEMPTS);
          expect((await journal(s.service)).status).toBe('rollback-failed');
          // Traffic is back on blue before anything of green is deleted.
          await s.expectOnBlue();
        }
        const r = await bg(['rollback', '--yes']);
        expect(r.code, r.stderr).toBe(0);
        expect((await journal(s.service)).status).toBe('rolled-back');
        expect(c.blueRelaunched ? withoutInstanceIds(await s.snapshot()) : await s.snapshot()).toEqual(
          c.blueRelaunched ? withoutInstanceIds(before) : before,
        );
        await s.expectOnBlue();
        expect(await madeBy(j.deploymentId)).toEqual([]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a throttling that the SDK's retries get past", () => {
  it('replica-listener: CreateTargetGroup throttled twice is sent 3 times and the deploy succeeds', async () => {
    await moto.reset();
    dir = await mkdtemp(join(tmpdir(), 'bluegreen-faults-'));
    try {
      const s = await replicaListener();
      const d = await bg(['deploy', '--yes'], [{ operation: 'CreateTargetGroup', error: 'Throttling', times: 2 }]);
      expect(d.code, d.stderr).toBe(0);
      expect(d.attempts.filter((a) => a.operation === 'CreateTargetGroup').map((a) => a.fault)).toEqual(['Throttling', 'Throttling', null]);
      const j = await journal(s.service);
      expect(j.status).toBe('succeeded');
      await s.expectDeployed(j);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
