/**
 * Recovery through the built CLI against moto: a deploy SIGKILLed at several points and rolled back
 * (AWS as before the deploy) or resumed; two runs at once (exit 3 while the holder lives, take-over once
 * it is dead); three deployments in a row (colors alternate, blue found through the record); blue on a
 * launch template; retire.action keep and delete; a blue group with nothing to replicate.
 *
 * Not here: green failing its health check. moto has no time (instances are InService the moment they
 * are registered), so a health timeout cannot be produced reliably; the unit tests cover it with fakes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import {
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  DescribePoliciesCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/engine/types.js';
import type { StatusReport } from '../../src/operations.js';
import {
  buildBlueStack,
  clients,
  lbDns,
  recordTarget,
  snapshotAws,
  writeConfig,
  type AwsClients,
  type BlueStack,
  type ConfigOverrides,
} from '../support/blue-stack.js';
import { CLI, jsonLines, runCli, runCliUntil } from '../support/cli.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let env: Record<string, string>;
let aws: AwsClients;
let stack: BlueStack;
let dir: string | undefined;

beforeAll(async () => {
  moto = await startMoto();
  env = awsEnv(moto.endpoint);
  aws = clients(moto.endpoint);
});
afterAll(async () => {
  await moto?.stop();
});

type StackOptions = Parameters<typeof buildBlueStack>[1];

/** A fresh moto, a blue stack and a config dir (tearDown removes the dir). */
async function setUp(config: ConfigOverrides = {}, stackOptions: StackOptions = {}): Promise<void> {
  await moto.reset();
  stack = await buildBlueStack(moto.endpoint, stackOptions);
  dir = (await writeConfig(stack, config)).dir;
}

async function tearDown(): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
}

const bg = (...args: string[]) => runCli([...args, '-c', 'bluegreen.yml'], { cwd: dir, env });
const bgUntil = (args: string[], when: (e: Record<string, unknown>) => boolean) =>
  runCliUntil([...args, '-c', 'bluegreen.yml'], when, { cwd: dir, env });

const succeeded = (stepId: string) => (e: Record<string, unknown>) => e.event === 'step.succeeded' && e.stepId === stepId;
const started = (stepId: string) => (e: Record<string, unknown>) => e.event === 'step.started' && e.stepId === stepId;

// ---------------------------------------------------------------- reading the state back

async function statusReport(): Promise<StatusReport> {
  const r = await bg('status', '--output', 'json');
  expect(r.code, r.stderr).toBe(0);
  return jsonLines(r.stdout)[0] as unknown as StatusReport;
}

async function group(name: string): Promise<AutoScalingGroup | undefined> {
  const r = await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return r.AutoScalingGroups?.[0];
}

async function allGroups(): Promise<AutoScalingGroup[]> {
  return (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
}

const tag = (g: AutoScalingGroup | undefined, key: string) => g?.Tags?.find((t) => t.Key === key)?.Value;

async function lbNames(): Promise<string[]> {
  return ((await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? []).map((l) => l.LoadBalancerName!);
}

interface Summary {
  blue: { color: string; group: string; loadBalancer: string };
  green: { color: string; group: string; loadBalancer: string; launch: string };
}

function summaryOf(journal: Journal | undefined): Summary {
  const summary = journal?.summary as unknown as Summary | undefined;
  expect(summary?.green?.group).toBeTruthy();
  return summary!;
}

/**
 * Names of everything in AWS whose name contains `part` (green's resources are all named
 * `<service>-<color>-<id>`, alarm copies and policies on green's group included).
 */
async function resourcesNamed(part: string): Promise<string[]> {
  const groups = (await allGroups()).map((g) => `group ${g.AutoScalingGroupName}`);
  const lcs = ((await aws.autoscaling.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations ?? []).map(
    (l) => `launch configuration ${l.LaunchConfigurationName}`,
  );
  const lts = ((await aws.ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []).map(
    (t) => `launch template ${t.LaunchTemplateName}`,
  );
  const lbs = (await lbNames()).map((n) => `load balancer ${n}`);
  const policies = ((await aws.autoscaling.send(new DescribePoliciesCommand({}))).ScalingPolicies ?? []).map(
    (p) => `policy ${p.AutoScalingGroupName}/${p.PolicyName}`,
  );
  const alarms = ((await aws.cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map(
    (a) => `alarm ${a.AlarmName} (${(a.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',')})`,
  );
  return [...groups, ...lcs, ...lts, ...lbs, ...policies, ...alarms].filter((n) => n.includes(part));
}

/** Blue's group has the sizes and instance count buildBlueStack gave it (2 instances, max 4). */
async function expectBlueIntact(): Promise<void> {
  const blue = await group(stack.groupName);
  expect(blue, `group ${stack.groupName}`).toBeDefined();
  expect({ min: blue!.MinSize, max: blue!.MaxSize, desired: blue!.DesiredCapacity, instances: blue!.Instances?.length }).toEqual({
    min: 2,
    max: 4,
    desired: 2,
    instances: 2,
  });
}

/**
 * A snapshot for "AWS is as before the deploy". Instances EC2 reports as terminated are left out:
 * rolling back deletes green's group, and EC2 (moto too) keeps listing its instances as `terminated`,
 * which is how AWS looks after a correct rollback. Everything else (groups, sizes, instance ids of the
 * live instances, load balancers and their instances, launch configurations and templates, policies,
 * alarms, images, records) must be identical.
 */
const snapshot = () => snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true });

/**
 * A snapshot without blue's scaling policy. moto keeps scaling policies in one map keyed by policy
 * name alone (AWS: per group), so copying blue's policy to green under the same name replaces blue's in
 * moto, and deleting green's copy on rollback leaves blue with none. Compare snapshots through this once
 * copy-scaling-policies has run; green's copy being gone is checked separately (resourcesNamed).
 */
function withoutBluePolicy(s: Record<string, unknown>): Record<string, unknown> {
  return { ...s, policies: (s.policies as string[]).filter((p) => p !== `${stack.groupName}/${stack.policyName}`) };
}

// ---------------------------------------------------------------- a CLI run that keeps running

interface Running {
  child: ChildProcess;
  pid: number;
  events: Array<Record<string, unknown>>;
  stderr: () => string;
  /** Resolves with the first event (seen so far or later) matching `when`; rejects if the process ends first. */
  waitFor: (when: (e: Record<string, unknown>) => boolean, timeoutMs: number) => Promise<Record<string, unknown>>;
  /** Resolves when the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs it (if still running) and waits until it is gone. */
  kill: () => Promise<void>;
}

/** Starts the built CLI (give it `--output json`) and leaves it running, its JSON events collected. */
function startCli(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args, '-c', 'bluegreen.yml'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LANG: process.env.LANG ?? 'C.UTF-8',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => undefined);
  child.stdin.end();
  const events: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  let pending = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        continue;
      }
      for (const l of listeners) l();
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const l of listeners) l();
  });
  const waitFor = (when: (e: Record<string, unknown>) => boolean, timeoutMs: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = events.find(when);
        if (found) return finish(() => resolve(found));
        if (gone) return finish(() => reject(new Error(`bluegreen ${args.join(' ')} ended before the awaited event\nstderr:\n${stderr}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`bluegreen ${args.join(' ')}: no awaited event within ${timeoutMs} ms\nstderr:\n${stderr}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });
  return {
    child,
    pid: child.pid!,
    events,
    stderr: () => stderr,
    waitFor,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

// ---------------------------------------------------------------- 1. crash, then rollback

describe('a deploy SIGKILLed mid-way, then rolled back', () => {
  // state: the step's state in the journal the killed run leaves; policyCopied: copy-scaling-policies ran.
  const crashes = [
    { at: 'after create-load-balancer succeeded', step: 'create-load-balancer', mid: false, state: 'done', policyCopied: false },
    { at: 'in create-group (right after it started)', step: 'create-group', mid: true, state: 'running', policyCopied: false },
    { at: 'after copy-alarms succeeded', step: 'copy-alarms', mid: false, state: 'done', policyCopied: true },
    { at: 'after switch-dns succeeded', step: 'switch-dns', mid: false, state: 'done', policyCopied: true },
  ] as const;

  it.each(crashes)('killed $at: rollback --yes puts AWS back as it was before the deploy', async ({ step, mid, state, policyCopied }) => {
    const when = mid ? started(step) : succeeded(step);
    // retire.after 30s: the killed run cannot race past switch-dns into retire-blue before the SIGKILL lands.
    await setUp({ retireAfter: '30s' });
    try {
      const before = await snapshot();

      const killed = await bgUntil(['deploy', '--yes', '--output', 'json'], when);
      expect(killed.killed, killed.stderr).toBe(true);
      expect(killed.signal).toBe('SIGKILL');
      const interrupted = await statusReport();
      expect(interrupted.journal?.status).toBe('running');
      expect(interrupted.journal?.steps.find((s) => s.id === step)?.state).toBe(state);
      const green = summaryOf(interrupted.journal).green;

      const r = await bg('rollback', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('took over the lock');
      expect((jsonLines(r.stdout).at(-1) as { status?: string }).status).toBe('rolled-back');

      const after = await snapshot();
      if (policyCopied) expect(withoutBluePolicy(after)).toEqual(withoutBluePolicy(before));
      else expect(after).toEqual(before);
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, stack.loadBalancerName));
      await expectBlueIntact();
      expect(await resourcesNamed(green.group)).toEqual([]);

      const report = await statusReport();
      expect(report.journal?.status).toBe('rolled-back');
      expect(report.liveColor).toBe('blue');
      expect(report.lock).toBeUndefined();
    } finally {
      await tearDown();
    }
  });
});

// ---------------------------------------------------------------- 2. crash in switch-dns, then resume

describe('a deploy SIGKILLed in switch-dns, then resumed', () => {
  it('resume finishes: the record points at green, and there is exactly one green group', async () => {
    await setUp();
    try {
      const killed = await bgUntil(['deploy', '--yes', '--output', 'json'], started('switch-dns'));
      expect(killed.killed, killed.stderr).toBe(true);
      expect((await statusReport()).journal?.steps.find((s) => s.id === 'switch-dns')?.state).toBe('running');

      const r = await bg('resume', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('took over the lock');
      const events = jsonLines(r.stdout);
      const restarted = events.filter((e) => e.event === 'step.started').map((e) => e.stepId);
      expect(restarted).toEqual(['switch-dns', 'settle-green', 'wait-retire', 'retire-blue']);

      const report = await statusReport();
      expect(report.journal?.status).toBe('succeeded');
      expect(report.liveColor).toBe('green');
      const green = summaryOf(report.journal).green;
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green.loadBalancer));
      const greens = (await allGroups()).filter((g) => tag(g, 'bluegreen:color') === 'green');
      expect(greens.map((g) => g.AutoScalingGroupName)).toEqual([green.group]);
      expect(greens[0]!.Instances).toHaveLength(2);
      expect((await lbNames()).sort()).toEqual([green.loadBalancer, stack.loadBalancerName].sort());
      expect((await group(stack.groupName))!.DesiredCapacity).toBe(0);
    } finally {
      await tearDown();
    }
  });
});

// ---------------------------------------------------------------- 3. two runs at once

describe('two runs at once', () => {
  // The holder must still be alive while two other commands start (node + the SDK: about a second each
  // on a busy machine), so its retire wait is long; resume then waits out the rest of it.
  const RETIRE_AFTER_SECONDS = 15;

  it(
    'while the holder lives, deploy and rollback exit 3 naming its pid; once it is killed, resume takes over and finishes',
    async () => {
      await setUp({ retireAfter: `${RETIRE_AFTER_SECONDS}s` });
      const first = startCli(['deploy', '--yes', '--output', 'json']);
      try {
        await first.waitFor(started('wait-retire'), 40_000);
        const held = (await statusReport()).lock;
        expect(held?.pid).toBe(first.pid);

        const [second, rollback] = await Promise.all([bg('deploy', '--yes'), bg('rollback', '--yes')]);
        expect(second.code, second.stderr).toBe(3);
        expect(second.stderr).toMatch(/^error: /m);
        expect(second.stderr).toContain(`pid ${first.pid}`);
        expect(rollback.code, rollback.stderr).toBe(3);
        expect(rollback.stderr).toContain(`pid ${first.pid}`);
        expect(rollback.stderr).not.toContain('took over');

        // Neither touched anything: the holder is still waiting, traffic still on green.
        expect(first.child.exitCode).toBeNull();
        const during = await statusReport();
        expect(during.journal?.status).toBe('running');
        expect(during.lock?.pid).toBe(first.pid);
        const green = summaryOf(during.journal).green;
        expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green.loadBalancer));
        await expectBlueIntact();

        await first.kill();
        expect(first.child.signalCode).toBe('SIGKILL');

        const r = await bg('resume', '--yes', '--output', 'json');
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toContain(`took over the lock held by pid ${first.pid}`);
        const report = await statusReport();
        expect(report.journal?.status).toBe('succeeded');
        expect(report.lock).toBeUndefined();
        expect(report.journal?.steps.map((s) => s.state)).toEqual(Array(report.journal?.steps.length).fill('done'));
        expect((await group(stack.groupName))!.DesiredCapacity).toBe(0);
        expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green.loadBalancer));
      } finally {
        await first.kill();
        await tearDown();
      }
    },
    RETIRE_AFTER_SECONDS * 1000 + 60_000,
  );
});

// ---------------------------------------------------------------- 4. three deployments

describe('three deployments with the same file', () => {
  it('colors alternate, each finds the previous green as its blue through the record, the record follows', async () => {
    await setUp();
    try {
      const stacks: Summary[] = [];
      for (const expectedColor of ['green', 'blue', 'green'] as const) {
        const r = await bg('deploy', '--yes');
        expect(r.code, r.stderr).toBe(0);
        const report = await statusReport();
        expect(report.journal?.status).toBe('succeeded');
        expect(report.liveColor).toBe(expectedColor);
        const summary = summaryOf(report.journal);
        expect(summary.green.color).toBe(expectedColor);
        expect(tag(await group(summary.green.group), 'bluegreen:color')).toBe(expectedColor);
        // Blue is the stack the record pointed at: the original one first, then the previous deployment's.
        expect(summary.blue.group).toBe(stacks.at(-1)?.green.group ?? stack.groupName);
        expect(summary.blue.loadBalancer).toBe(stacks.at(-1)?.green.loadBalancer ?? stack.loadBalancerName);
        expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, summary.green.loadBalancer));
        stacks.push(summary);
      }
      const [first, second, third] = stacks as [Summary, Summary, Summary];
      expect(second.blue.color).toBe('green');
      expect(third.blue.color).toBe('blue');
      expect(new Set(stacks.map((s) => s.green.group)).size).toBe(3);
      // The stacks' tags (the original blue has none: it counts as blue).
      expect(tag(await group(stack.groupName), 'bluegreen:color')).toBeUndefined();
      expect(tag(await group(first.green.group), 'bluegreen:color')).toBe('green');
      expect(tag(await group(second.green.group), 'bluegreen:color')).toBe('blue');
      expect(tag(await group(third.green.group), 'bluegreen:color')).toBe('green');
      // Only the newest serves; the older ones were scaled to zero.
      for (const name of [stack.groupName, first.green.group, second.green.group]) {
        expect((await group(name))!.DesiredCapacity, name).toBe(0);
      }
      expect((await group(third.green.group))!.Instances).toHaveLength(2);
    } finally {
      await tearDown();
    }
  });
});

// ---------------------------------------------------------------- 5. launch templates

describe('blue on a launch template ($Latest)', () => {
  it('green gets a new template pinned to a version, with blue version data and the release image; rollback removes it', async () => {
    await setUp({}, { launchTemplate: true });
    try {
      const blueLt = stack.launchTemplate!;
      expect((await group(stack.groupName))!.LaunchTemplate?.Version).toBe('$Latest');
      const before = await snapshot();

      const d = await bg('deploy', '--yes');
      expect(d.code, d.stderr).toBe(0);
      const green = summaryOf((await statusReport()).journal).green;

      const greenGroup = (await group(green.group))!;
      expect(greenGroup.LaunchConfigurationName).toBeUndefined();
      const spec = greenGroup.LaunchTemplate!;
      expect(spec).toBeDefined();
      expect(spec.LaunchTemplateName).toBe(green.launch);
      expect(spec.LaunchTemplateName).not.toBe(blueLt.name);
      if (spec.LaunchTemplateId) expect(spec.LaunchTemplateId).not.toBe(blueLt.id);
      expect(spec.Version).toMatch(/^\d+$/); // pinned: neither $Latest nor $Default

      const versions = async (input: { LaunchTemplateName?: string; LaunchTemplateId?: string }, version: string) =>
        (await aws.ec2.send(new DescribeLaunchTemplateVersionsCommand({ ...input, Versions: [version] }))).LaunchTemplateVersions![0]!;
      const greenVersion = await versions({ LaunchTemplateName: spec.LaunchTemplateName! }, spec.Version!);
      const blueVersion = await versions({ LaunchTemplateId: blueLt.id }, String(blueLt.latestVersion));
      expect(greenVersion.LaunchTemplateData?.ImageId).toBe(stack.releaseImageId);
      expect(blueVersion.LaunchTemplateData?.ImageId).toBe(stack.blueImageId);
      // moto also files the template's own tags (CreateLaunchTemplate's TagSpecifications, type
      // launch-template) under the version's data; AWS does not: leave those out of the comparison.
      const data = (v: typeof greenVersion) => ({
        ...v.LaunchTemplateData,
        ImageId: undefined,
        TagSpecifications: v.LaunchTemplateData?.TagSpecifications?.filter((t) => t.ResourceType !== 'launch-template'),
      });
      expect(data(greenVersion)).toEqual(data(blueVersion));
      expect(data(blueVersion).TagSpecifications).toEqual([{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: stack.service }] }]);
      expect(greenVersion.LaunchTemplateData?.InstanceType).toBe('t3.micro'); // $Latest (v2), not $Default (v1)

      const greenTemplate = (await aws.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [green.launch] }))).LaunchTemplates![0]!;
      expect(greenTemplate.Tags?.find((t) => t.Key === 'bluegreen:color')?.Value).toBe('green');

      // Blue's template did not move.
      const blueNow = (await aws.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [blueLt.id] }))).LaunchTemplates![0]!;
      expect(blueNow.LatestVersionNumber).toBe(blueLt.latestVersion);
      expect(blueNow.DefaultVersionNumber).toBe(blueLt.defaultVersion);

      // Green's instances run the release image.
      const ids = (greenGroup.Instances ?? []).map((i) => i.InstanceId!);
      expect(ids).toHaveLength(2);
      const described = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
      expect(new Set(described.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.ImageId))).toEqual(new Set([stack.releaseImageId]));

      const r = await bg('rollback', '--yes');
      expect(r.code, r.stderr).toBe(0);
      const templates = (await aws.ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? [];
      expect(templates.map((t) => t.LaunchTemplateName)).toEqual([blueLt.name]);
      expect(await resourcesNamed(green.group)).toEqual([]);
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, stack.loadBalancerName));
      // Blue was scaled to zero and back: its instances are new ones, so compare all but instance ids.
      const after = await snapshot();
      const withoutInstances = (s: Record<string, unknown>) => ({
        ...withoutBluePolicy(s),
        instances: undefined,
        groups: (s.groups as Array<Record<string, unknown>>).map((g) => ({ ...g, instances: (g.instances as unknown[]).length })),
        loadBalancers: (s.loadBalancers as Array<Record<string, unknown>>).map((l) => ({ ...l, instances: (l.instances as unknown[]).length })),
      });
      expect(withoutInstances(after)).toEqual(withoutInstances(before));
      await expectBlueIntact();
    } finally {
      await tearDown();
    }
  });
});

// ---------------------------------------------------------------- 6. retire.action keep and delete

describe('retire.action', () => {
  it('keep: blue keeps its sizes after the deploy; rollback puts traffic back and removes green', async () => {
    await setUp({ retireAction: 'keep' });
    try {
      const before = await snapshot();
      const d = await bg('deploy', '--yes');
      expect(d.code, d.stderr).toBe(0);
      const green = summaryOf((await statusReport()).journal).green;
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green.loadBalancer));
      await expectBlueIntact();
      expect((await group(stack.groupName))!.Instances!.map((i) => i.InstanceId).sort()).toEqual([...stack.instanceIds].sort());

      const r = await bg('rollback', '--yes');
      expect(r.code, r.stderr).toBe(0);
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, stack.loadBalancerName));
      expect(await resourcesNamed(green.group)).toEqual([]);
      // Blue was never touched, so not even its instances changed.
      expect(withoutBluePolicy(await snapshot())).toEqual(withoutBluePolicy(before));
      const report = await statusReport();
      expect(report.journal?.status).toBe('rolled-back');
      expect(report.liveColor).toBe('blue');
    } finally {
      await tearDown();
    }
  });

  it('delete: blue is gone after the deploy (its alarm that also notifies SNS kept, without blue); rollback exits 1 saying it cannot be restored, and undoes nothing', async () => {
    await setUp({ retireAction: 'delete' });
    try {
      const d = await bg('deploy', '--yes');
      expect(d.code, d.stderr).toBe(0);
      const green = summaryOf((await statusReport()).journal).green;
      expect(await group(stack.groupName)).toBeUndefined();
      expect(await lbNames()).toEqual([green.loadBalancer]);
      // blue's alarm also notifies SNS: kept with that, without blue's (deleted) policy; and green's copy
      const alarms = (await aws.cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? [];
      expect(alarms).toHaveLength(2);
      const blueAlarm = alarms.find((a) => a.AlarmName === stack.alarmName);
      expect(blueAlarm?.AlarmActions).toEqual([stack.snsTopicArn]);
      expect(blueAlarm?.OKActions).toEqual([stack.snsTopicArn]);
      const afterDeploy = await snapshot();

      const r = await bg('rollback', '--yes');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stderr).toContain(stack.groupName);
      expect(r.stderr).toMatch(/was deleted/);
      expect(r.stderr).toMatch(/cannot bring it back/);

      // Nothing half-undone: the record still on green, green whole.
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green.loadBalancer));
      expect((await group(green.group))!.Instances).toHaveLength(2);
      expect(await snapshot()).toEqual(afterDeploy);
      const report = await statusReport();
      expect(report.journal?.status).toBe('succeeded'); // the refused rollback left the journal as it was
      expect(report.liveColor).toBe('green');
      expect(report.lock).toBeUndefined();
    } finally {
      await tearDown();
    }
  });
});

// ---------------------------------------------------------------- 7. nothing to replicate

describe('a blue group with nothing to replicate', () => {
  it('deploy exits 2 when blue has 0 instances desired, and creates nothing', async () => {
    await setUp();
    try {
      await aws.autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: stack.groupName, MinSize: 0, DesiredCapacity: 0 }));
      const before = await snapshot();
      const r = await bg('deploy', '--yes');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error: .*DesiredCapacity 0/m);
      expect(await snapshot()).toEqual(before);
      expect(await resourcesNamed(`${stack.service}-green-`)).toEqual([]);
      expect((await statusReport()).journal).toBeUndefined();
    } finally {
      await tearDown();
    }
  });
});
