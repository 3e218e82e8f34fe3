/**
 * `bluegreen gc` through the built CLI against moto. Three deployments in a row leave the first one's stack
 * old (scaled to zero two deployments ago); a release by commands that died half-way leaves a builder
 * instance, a baked image (with its snapshot), a launch configuration, a launch template and an alarm, made
 * here by hand with our tags and names. gc lists exactly those, keeps the live stack and the stack a rollback
 * returns to, changes nothing without --yes, deletes with it, and a second gc finds nothing.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSnapshotsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileLock } from '../../src/state/file-store.js';
import { buildBlueStack, clients, lbDns, recordTarget, snapshotAws, writeConfig, type AwsClients, type BlueStack } from '../support/blue-stack.js';
import { jsonLines, runCli } from '../support/cli.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let env: Record<string, string>;
let aws: AwsClients;
let stack: BlueStack;
let dir: string;

beforeAll(async () => {
  moto = await startMoto();
  env = awsEnv(moto.endpoint);
  aws = clients(moto.endpoint);
});
afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  stack = await buildBlueStack(moto.endpoint);
  dir = (await writeConfig(stack)).dir;
  return () => rm(dir, { recursive: true, force: true });
});

const bg = (...args: string[]) => runCli([...args, '-c', 'bluegreen.yml'], { cwd: dir, env });

interface Deployed {
  id: string;
  blue: string;
  green: string;
}

async function deploy(): Promise<Deployed> {
  const r = await bg('deploy', '--yes', '--output', 'json');
  expect(r.code, r.stderr).toBe(0);
  const journal = jsonLines(r.stdout).at(-1) as {
    deploymentId: string;
    status: string;
    summary: { blue: { group: string }; green: { group: string } };
  };
  expect(journal.status).toBe('succeeded');
  return { id: journal.deploymentId, blue: journal.summary.blue.group, green: journal.summary.green.group };
}

/**
 * As if the DNS caches had expired: every `cachedUntil` of the journals (until when clients may still send
 * requests to a load balancer the record moved off) moved into the past. Deployments seconds apart leave
 * the previous stack's load balancer still reachable through cached answers, and gc keeps it until then.
 */
async function ageDnsCaches(): Promise<void> {
  const state = join(dir, '.bluegreen', 'shop');
  const files = [join(state, 'journal.json'), ...(await readdir(join(state, 'history'))).map((f) => join(state, 'history', f))];
  for (const file of files) {
    const journal = JSON.parse(await readFile(file, 'utf8')) as { steps: { outputs: { cachedUntil?: Record<string, number> } }[] };
    for (const step of journal.steps) {
      const cached = step.outputs.cachedUntil;
      if (cached) for (const name of Object.keys(cached)) cached[name] = Date.now() - 1000;
    }
    await writeFile(file, JSON.stringify(journal, null, 2));
  }
}

const ID = 'zzzz9';
const OWN_TAGS = [
  { Key: 'bluegreen:service', Value: 'shop' },
  { Key: 'bluegreen:deployment', Value: ID },
];

/** What a release by commands that died half-way leaves (made by hand with our tags and names). */
async function crashedRelease(): Promise<{ builder: string; image: string; snapshot: string; name: string }> {
  const name = `shop-green-${ID}`;
  const run = await aws.ec2.send(
    new RunInstancesCommand({
      ImageId: stack.blueImageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: stack.subnetIds[0],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [...OWN_TAGS, { Key: 'bluegreen:role', Value: 'builder' }, { Key: 'Name', Value: `${name}-builder` }] },
      ],
    }),
  );
  const builder = run.Instances![0]!.InstanceId!;
  const made = await aws.ec2.send(
    new CreateImageCommand({ InstanceId: builder, Name: name, TagSpecifications: [{ ResourceType: 'image', Tags: OWN_TAGS }] }),
  );
  const image = made.ImageId!;
  const described = await aws.ec2.send(new DescribeImagesCommand({ ImageIds: [image] }));
  const snapshot = described.Images![0]!.BlockDeviceMappings!.find((m) => m.Ebs?.SnapshotId)!.Ebs!.SnapshotId!;
  await aws.autoscaling.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: name, ImageId: image, InstanceType: 't3.micro' }));
  await aws.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: `shop-blue-${ID}`,
      LaunchTemplateData: { ImageId: image, InstanceType: 't3.micro' },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: OWN_TAGS }],
    }),
  );
  await aws.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: `${name}-cpu-high`,
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/EC2',
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 90,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: name }],
      Tags: OWN_TAGS,
    }),
  );
  // Another service's leftovers are none of ours.
  await aws.autoscaling.send(
    new CreateLaunchConfigurationCommand({ LaunchConfigurationName: `cart-green-${ID}`, ImageId: image, InstanceType: 't3.micro' }),
  );
  return { builder, image, snapshot, name };
}

interface Entry {
  type: string;
  name: string;
  deploymentId?: string;
  createdAt?: string;
  foundBy?: string;
  why: string;
}

/** `gc --output json`: exactly one JSON document on stdout. */
function document(stdout: string): {
  service: string;
  dryRun: boolean;
  olderThan: string | null;
  found: Entry[];
  remove: Entry[];
  keep: Entry[];
  deleted: Entry[];
  error?: { message: string; next?: string };
} {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as ReturnType<typeof document>;
}

async function groupNames(): Promise<string[]> {
  return ((await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName!).sort();
}

describe('bluegreen gc --help', () => {
  it('teaches: a description, -c/--config, --yes, --output, examples', async () => {
    const r = await runCli(['gc', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: bluegreen gc');
    expect(r.stdout).toContain('-c, --config <file>');
    expect(r.stdout).toContain('./bluegreen.yml');
    expect(r.stdout).toContain('--yes');
    expect(r.stdout).toContain('--output <format>');
    expect(r.stdout).toContain('$ bluegreen gc --yes');
    // --older-than says by what a deployment's age is taken.
    expect(r.stdout).toContain('--older-than <age>');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      "a deployment's age is from its journal (current or history) when one knows it, else from the creation time of its oldest resource",
    );
    expect((await runCli(['--help'])).stdout).toMatch(/^ {2}gc /m);
  });
});

describe('bluegreen gc', () => {
  it('lists the old stack and the remains of a crashed release, keeps the live stack and the rollback target; --yes deletes them; a second gc finds nothing', async () => {
    const first = await deploy();
    const second = await deploy();
    const third = await deploy();
    expect([second.blue, third.blue]).toEqual([first.green, second.green]);
    const crashed = await crashedRelease();

    // Seconds after the second deployment moved the record off the first one's load balancer, cached
    // answers still send it requests: gc keeps it, and its deployment, until the cache time has passed.
    const early = document((await bg('gc', '--output', 'json')).stdout);
    const earlyKept = early.keep.find((l) => l.type === 'load-balancer' && l.name === first.green);
    expect(String(earlyKept?.why)).toMatch(new RegExp(`^a DNS record moved off it recently: .*deployment ${second.id}, step switch-dns\\)$`));
    expect(early.remove.map((l) => l.name)).not.toContain(first.green);
    await ageDnsCaches();

    // Without --yes: the listing, nothing changed.
    const before = await snapshotAws(moto.endpoint);
    const json = await bg('gc', '--output', 'json');
    expect(json.code, json.stderr).toBe(0);
    const doc = document(json.stdout);
    const removed = doc.remove.map((l) => `${l.type} ${l.name}`);
    const old = first.green;
    expect(removed).toEqual([
      // The oldest deployment first, users before what they use; then the crashed release (made last).
      `alarm ${old}-${stack.alarmName}`,
      `auto-scaling-group ${old}`,
      `load-balancer ${old}`,
      `launch-configuration ${old}`,
      `instance ${crashed.builder}`,
      `alarm ${crashed.name}-cpu-high`,
      `launch-configuration ${crashed.name}`,
      `launch-template shop-blue-${ID}`,
      `image ${crashed.image}`,
    ]);
    const kept = Object.fromEntries(doc.keep.map((l) => [`${l.type} ${l.name}`, l.why]));
    expect(kept[`auto-scaling-group ${third.green}`]).toBe(`the live stack (${third.green})`);
    expect(kept[`auto-scaling-group ${second.green}`]).toBe(`rollback of deployment ${third.id} returns to it`);
    expect(kept[`load-balancer ${second.green}`]).toMatch(/^rollback of deployment/);
    // The live group's instances carry our tags (propagated): they go with their group, never alone.
    const members = doc.keep.filter((k) => k.type === 'instance');
    expect(members.length).toBeGreaterThan(0);
    for (const m of members)
      expect(m.why).toMatch(/^in Auto Scaling group shop-(blue|green)-[a-z0-9]{5}: an instance of a group goes with its group/);
    expect(doc).toMatchObject({ service: 'shop', dryRun: true, olderThan: null, deleted: [] });
    expect(doc.found).toHaveLength(doc.remove.length + doc.keep.length);
    // Which call found what: the Tagging API, but for groups and launch configurations (and templates on moto).
    const foundBy = Object.fromEntries(doc.found.map((f) => [f.type, f.foundBy]));
    expect(foundBy).toMatchObject({
      alarm: 'tag:GetResources',
      'load-balancer': 'tag:GetResources',
      image: 'tag:GetResources',
      instance: 'tag:GetResources',
      'auto-scaling-group': 'autoscaling:DescribeAutoScalingGroups',
      'launch-configuration': 'autoscaling:DescribeLaunchConfigurations',
      'launch-template': 'ec2:DescribeLaunchTemplates',
    });

    const text = await bg('gc');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`deployment ${first.id}`);
    expect(text.stdout).toContain(`    - auto scaling group ${old}`);
    expect(text.stderr).toBe('');
    expect(text.stdout.trim().split('\n').at(-1)).toBe('nothing was changed; run `bluegreen gc -c bluegreen.yml --yes` to delete these 9 resources');
    expect(await snapshotAws(moto.endpoint)).toEqual(before);

    // --yes: deleted in that order, each reported.
    const yes = await bg('gc', '--yes', '--output', 'json');
    expect(yes.code, yes.stderr).toBe(0);
    const done = document(yes.stdout);
    expect(done.dryRun).toBe(false);
    expect(done.deleted.map((e) => `${e.type} ${e.name}`)).toEqual(removed);

    expect(await groupNames()).toEqual([stack.groupName, second.green, third.green].sort());
    const lbs = ((await aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions ?? []).map((l) => l.LoadBalancerName).sort();
    expect(lbs).toEqual([stack.loadBalancerName, second.green, third.green].sort());
    const lcs = ((await aws.autoscaling.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations ?? [])
      .map((l) => l.LaunchConfigurationName)
      .sort();
    expect(lcs).toEqual([stack.launchConfigurationName, `cart-green-${ID}`, second.green, third.green].sort());
    const templates = ((await aws.ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []).map((t) => t.LaunchTemplateName);
    expect(templates).not.toContain(`shop-blue-${ID}`);
    const alarms = ((await aws.cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => a.AlarmName);
    expect(alarms).toContain(stack.alarmName);
    expect(alarms).toContain(`${third.green}-${stack.alarmName}`);
    expect(alarms).not.toContain(`${old}-${stack.alarmName}`);
    expect(alarms).not.toContain(`${crashed.name}-cpu-high`);
    const images = (await aws.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? [];
    expect(images.map((i) => i.ImageId)).not.toContain(crashed.image);
    const snapshots = (await aws.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? [];
    expect(snapshots.map((s) => s.SnapshotId)).not.toContain(crashed.snapshot);
    const builder = (await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [crashed.builder] }))).Reservations?.[0]?.Instances?.[0];
    expect(builder?.State?.Name).toMatch(/shutting-down|terminated/);
    // Traffic never moved.
    expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, third.green));

    // A second gc finds nothing; the kept rollback target still works.
    const again = await bg('gc', '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^gc shop: nothing to delete$/m);
    const rolledBack = await bg('rollback', '--yes');
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, second.green));
  });

  it('refuses while another run holds the lock: exit 3, nothing deleted', async () => {
    await deploy();
    await deploy();
    const lock = new FileLock(join(dir, '.bluegreen'), 'shop', 'bluegreen unlock -c bluegreen.yml');
    await lock.acquire({ host: 'ci-7', pid: process.pid, since: new Date().toISOString(), command: 'bluegreen deploy' }, { takeOverDead: false });
    const before = await snapshotAws(moto.endpoint);
    const r = await bg('gc', '--yes');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('bluegreen deploy');
    expect(await snapshotAws(moto.endpoint)).toEqual(before);
    await lock.release();
  });
});

describe('bluegreen gc finds by tag, as a new user would try it', () => {
  const alarm = (AlarmName: string, Tags: { Key: string; Value: string }[]) =>
    new PutMetricAlarmCommand({
      AlarmName,
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/EC2',
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 90,
      ComparisonOperator: 'GreaterThanThreshold',
      Tags,
    });
  const alarmNames = async () => ((await aws.cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => a.AlarmName);

  it("a failed deployment's alarm tagged bluegreen:service=shop and a deployment no journal knows, named as no copy is: listed, then deleted; --older-than keeps it while it is young", async () => {
    await deploy();
    const failed = [
      { Key: 'bluegreen:service', Value: 'shop' },
      { Key: 'bluegreen:deployment', Value: 'f4il0' },
    ];
    await aws.cloudwatch.send(alarm('checkout-latency-high', failed));
    // Not ours: a service whose name only starts like ours, and an untagged alarm named like a copy.
    await aws.cloudwatch.send(alarm('cart-latency-high', [{ Key: 'bluegreen:service', Value: 'shop-blue' }]));
    await aws.cloudwatch.send(alarm('shop-green-f4il0-cpu', [{ Key: 'team', Value: 'web' }]));

    // Made a moment ago: --older-than 7d keeps it, and says by what.
    const young = await bg('gc', '--older-than', '7d', '--output', 'json');
    expect(young.code, young.stderr).toBe(0);
    const youngDoc = document(young.stdout);
    expect(youngDoc.olderThan).toBe('7d');
    expect(youngDoc.remove).toEqual([]);
    expect(youngDoc.keep.find((k) => k.name === 'checkout-latency-high')?.why).toMatch(
      /^younger than --older-than 7d: deployment f4il0 started .* \(by its oldest resource\) \(deployment f4il0\)$/,
    );

    const listed = await bg('gc', '--output', 'json');
    expect(listed.code, listed.stderr).toBe(0);
    const doc = document(listed.stdout);
    expect(doc.remove.map((r) => `${r.type} ${r.name} ${r.deploymentId} ${r.foundBy}`)).toEqual([
      'alarm checkout-latency-high f4il0 tag:GetResources',
    ]);
    expect(doc.found.map((f) => f.name)).not.toContain('cart-latency-high');
    expect(doc.found.map((f) => f.name)).not.toContain('shop-green-f4il0-cpu');
    expect(await alarmNames()).toContain('checkout-latency-high');

    const text = await bg('gc', '--yes');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('  deployment f4il0');
    expect(text.stdout).toContain('deleted alarm checkout-latency-high (1/1)');
    const after = await alarmNames();
    expect(after).not.toContain('checkout-latency-high');
    expect(after).toEqual(expect.arrayContaining(['cart-latency-high', 'shop-green-f4il0-cpu', stack.alarmName]));
  });

  it('--older-than that is not an age: exit 2, nothing read or deleted', async () => {
    await deploy();
    const before = await snapshotAws(moto.endpoint);
    const r = await bg('gc', '--older-than', 'a week', '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--older-than a week: expected an age such as 7d, 1d12h, 36h or 90m');
    expect(r.stdout).toBe('');
    expect(await snapshotAws(moto.endpoint)).toEqual(before);
  });
});
