/**
 * replica-dns with a release by commands over SSH, end to end through the built CLI against moto, with a
 * real OpenSSH server (test/support/sshd.ts) standing in for the builder instance: launch-builder,
 * wait-running, wait-reachable, run-commands, bake-image, terminate-builder, then green from the baked image.
 *
 * moto gives the builder a random private address in blue's first subnet (10.0.1.x), so the ssh config
 * written here maps `Host 10.*` to the loopback sshd, with a HostKeyAlias whose known_hosts line makes that
 * server's key valid whatever the address; it ends with a `Host *` to a closed loopback port, so ssh can
 * never look for a real 10.x host on the network.
 *
 * The commands record what ran in the server's $INSTANCE_DIR (set by sshd's SetEnv), one line per command
 * with the three variables bluegreen passes; their output carries markers computed by the shell
 * (`$((6*7))`), so the markers are in the output and nowhere in the commands' text.
 *
 * bake-image's CreateImage asks for the snapshots to carry the image's tags, which moto 5.2.1 does not
 * implement (HTTP 500): the server test/support/moto.ts starts fills that gap as AWS behaves, so the tags
 * are checked on the snapshots themselves.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAutoScalingGroupsCommand, DescribeLaunchConfigurationsCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeSnapshotsCommand, type Image, type Instance } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/engine/types.js';
import { buildBlueStack, clients, lbDns, recordTarget, snapshotAws, type AwsClients, type BlueStack } from '../support/blue-stack.js';
import { jsonLines, runCli, runCliUntil } from '../support/cli.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';
import { sshdMissing, startSshd, type SshdFleet, type SshdInstance } from '../support/sshd.js';

const missing = sshdMissing();
if (missing) console.warn(`skipping the bake tests (real sshd): ${missing}`);
const runIt = !missing || Boolean(process.env.CI);

/** The steps a release by commands adds before green, in order. */
const BUILDER_STEPS = ['launch-builder', 'wait-running', 'wait-reachable', 'run-commands', 'bake-image', 'terminate-builder'];
const GREEN_STEPS = [
  'create-launch',
  'create-load-balancer',
  'create-group',
  'copy-scaling-policies',
  'copy-alarms',
  'wait-healthy',
  'switch-dns',
  'settle-green',
  'wait-retire',
  'retire-blue',
];
const HOST_KEY_ALIAS = 'bluegreen-builder';
const VARS = '$BLUEGREEN_INSTANCE_ID $BLUEGREEN_SERVICE $BLUEGREEN_DEPLOYMENT';

/** Three commands that each append "<n> <instance> <service> <deployment>" to $INSTANCE_DIR/ran. */
const COMMANDS = [
  `echo "1 ${VARS}" >> "$INSTANCE_DIR/ran"; echo "stdout-$((6*7))-marker"`,
  `echo "2 ${VARS}" >> "$INSTANCE_DIR/ran"; echo "stderr-$((6*7))-marker" >&2`,
  `echo "3 ${VARS}" >> "$INSTANCE_DIR/ran"; printf 'last-%s-marker\\n' "$((6*7))"`,
];
/** The second command fails (exit 3) after recording; the third must never run. */
const FAILING = [COMMANDS[0]!, `echo "2 ${VARS}" >> "$INSTANCE_DIR/ran"; echo "broken-$((6*7))-marker" >&2; exit 3`, COMMANDS[2]!];
const OUTPUT_MARKERS = ['stdout-42-marker', 'stderr-42-marker', 'last-42-marker'];

let moto: Moto;
let env: Record<string, string>;
let aws: AwsClients;
let fleet: SshdFleet;
let builder: SshdInstance;
let sshConfig: string;
let stack: BlueStack;
let dir: string;

/**
 * The ssh config: every 10.x address is the builder's loopback sshd, its key checked under one alias;
 * anything else goes to a closed loopback port.
 */
async function writeSshConfig(): Promise<string> {
  const knownHosts = join(fleet.dir, 'bake_known_hosts');
  writeFileSync(knownHosts, `${HOST_KEY_ALIAS} ${builder.hostPublicKey}\n`);
  const closed = await fleet.closedPort();
  const file = join(fleet.dir, 'bake_ssh_config');
  writeFileSync(
    file,
    [
      'Host 10.*',
      `  HostName ${builder.loopback}`,
      `  Port ${builder.port}`,
      '  User root',
      `  IdentityFile ${fleet.clientKey}`,
      '  IdentitiesOnly yes',
      `  HostKeyAlias ${HOST_KEY_ALIAS}`,
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
      '# Anything else goes to a closed loopback port, never to the network.',
      'Host *',
      '  HostName 127.0.0.1',
      `  Port ${closed}`,
      '  BatchMode yes',
      '',
    ].join('\n'),
  );
  return file;
}

/** bluegreen.yml with a release by commands over ssh, kept fast (retire at once, 1s polls, 2s connects). */
function configYaml(commands: string[]): string {
  return `# bluegreen: ${stack.service} released by commands on a builder, then baked
service: ${stack.service}
region: ${stack.region}
strategy: replica-dns

blue:
  autoScalingGroup: ${stack.groupName}

release:
  via: ssh
  commands:
${commands.map((c) => `    - ${JSON.stringify(c)}`).join('\n')}

dns:
  hostedZoneId: ${stack.hostedZoneId}
  name: ${stack.recordName}

health:
  timeout: 60s
  interval: 1s

retire:
  after: 0s
  action: scale-to-zero

ssh:
  configFile: ${sshConfig}
  connectTimeout: 2s
  connectionAttempts: 2
  parallel: 2
  hostKeys: strict
`;
}

async function setUp(commands: string[]): Promise<void> {
  await moto.reset();
  stack = await buildBlueStack(moto.endpoint);
  dir = await mkdtemp(join(tmpdir(), 'bluegreen-bake-'));
  await writeFile(join(dir, 'bluegreen.yml'), configYaml(commands));
  // A clean record of what ran on the builder.
  for (const f of readdirSync(builder.dir)) if (f !== 'sshd_config') await rm(join(builder.dir, f), { force: true });
}

const bg = (...args: string[]) => runCli([...args, '-c', 'bluegreen.yml'], { cwd: dir, env });
const bgUntil = (args: string[], when: (e: Record<string, unknown>) => boolean) =>
  runCliUntil([...args, '-c', 'bluegreen.yml'], when, { cwd: dir, env });

async function journal(): Promise<Journal> {
  return JSON.parse(await journalText()) as Journal;
}
const journalText = () => readFile(join(dir, '.bluegreen', stack.service, 'journal.json'), 'utf8');
const stepOf = (j: Journal, id: string) => j.steps.find((s) => s.id === id)!;

/** The lines the commands appended on the builder, split into words. */
const ran = () =>
  builder
    .read('ran')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '));

async function group(name: string): Promise<AutoScalingGroup | undefined> {
  const r = await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return r.AutoScalingGroups?.[0];
}

async function imagesNamed(name: string): Promise<Image[]> {
  const r = await aws.ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }));
  return r.Images ?? [];
}

/** Every instance tagged with the deployment id (terminated ones too): what this deployment launched. */
async function instancesOfDeployment(deploymentId: string): Promise<Instance[]> {
  const r = await aws.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:bluegreen:deployment', Values: [deploymentId] }] }));
  return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
}
const tagOf = (i: { Tags?: Array<{ Key?: string; Value?: string }> }, key: string) => i.Tags?.find((t) => t.Key === key)?.Value;
const builders = async (deploymentId: string) => (await instancesOfDeployment(deploymentId)).filter((i) => tagOf(i, 'bluegreen:role') === 'builder');

async function stateOf(instanceId: string): Promise<string | undefined> {
  const r = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return r.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

/** Checks the finished deployment's builder, image and green; returns the baked image's id. */
async function expectBakedGreen(deploymentId: string): Promise<string> {
  const green = `${stack.service}-green-${deploymentId}`;

  // One builder, launched like blue, terminated.
  const [b, ...more] = await builders(deploymentId);
  expect(more).toEqual([]);
  expect(b!.State?.Name).toBe('terminated');
  expect(b!.ImageId).toBe(stack.blueImageId);
  expect(tagOf(b!, 'Name')).toBe(`${green}-builder`);
  expect(tagOf(b!, 'bluegreen:service')).toBe(stack.service);
  expect(tagOf(b!, 'bluegreen:color')).toBe('green');
  expect(tagOf(b!, 'team')).toBe('checkout');
  expect(b!.SubnetId).toBe(stack.subnetIds[0]);

  // Each command ran once, in order, on the builder, with the three variables.
  expect(ran()).toEqual([1, 2, 3].map((n) => [String(n), b!.InstanceId, stack.service, deploymentId]));

  // The image: named like the stack, available, tagged.
  const images = await imagesNamed(green);
  expect(images.map((i) => i.Name)).toEqual([green]);
  const image = images[0]!;
  expect(image.State).toBe('available');
  expect((image.Tags ?? []).map((t) => `${t.Key}=${t.Value}`)).toEqual(
    expect.arrayContaining([`Name=${green}`, `bluegreen:service=${stack.service}`, `bluegreen:deployment=${deploymentId}`, 'bluegreen:color=green']),
  );
  expect(image.Description).toContain(deploymentId);

  // One CreateImage, which had the snapshots carry the image's tags: the deployment's tagged snapshots are
  // exactly this image's, each with exactly those tags (moto needs the patch in test/support/moto.ts for that).
  const ownTags = [`bluegreen:service=${stack.service}`, `bluegreen:deployment=${deploymentId}`, 'bluegreen:color=green'];
  const snapshotIds = (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
  expect(snapshotIds.length).toBeGreaterThan(0);
  const tagged = await aws.ec2.send(
    new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag:bluegreen:deployment', Values: [deploymentId] }] }),
  );
  expect((tagged.Snapshots ?? []).map((s) => s.SnapshotId).sort()).toEqual([...snapshotIds].sort());
  for (const snap of tagged.Snapshots ?? []) expect((snap.Tags ?? []).map((t) => `${t.Key}=${t.Value}`)).toEqual([`Name=${green}`, ...ownTags]);

  // Green launches from it, with every other field of blue's launch configuration.
  const greenGroup = (await group(green))!;
  expect(greenGroup.LaunchConfigurationName).toBe(green);
  expect(greenGroup.Instances).toHaveLength(2);
  const lcs = await aws.autoscaling.send(
    new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: [green, stack.launchConfigurationName] }),
  );
  const greenLc = lcs.LaunchConfigurations!.find((l) => l.LaunchConfigurationName === green)!;
  const blueLc = lcs.LaunchConfigurations!.find((l) => l.LaunchConfigurationName === stack.launchConfigurationName)!;
  expect(greenLc.ImageId).toBe(image.ImageId);
  expect(greenLc.ImageId).not.toBe(blueLc.ImageId);
  for (const field of [
    'InstanceType',
    'KeyName',
    'SecurityGroups',
    'IamInstanceProfile',
    'UserData',
    'InstanceMonitoring',
    'BlockDeviceMappings',
    'MetadataOptions',
    'EbsOptimized',
    'KernelId',
    'RamdiskId',
    'SpotPrice',
    'AssociatePublicIpAddress',
    'PlacementTenancy',
    'ClassicLinkVPCId',
    'ClassicLinkVPCSecurityGroups',
  ] as const) {
    expect(greenLc[field], field).toEqual(blueLc[field]);
  }
  // Green's instances run the baked image.
  const greenIds = (greenGroup.Instances ?? []).map((i) => i.InstanceId!);
  const described = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: greenIds }));
  expect((described.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.ImageId)).toEqual([image.ImageId, image.ImageId]);

  // Traffic on green, blue scaled to zero.
  expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, green));
  expect((await group(stack.groupName))!.DesiredCapacity).toBe(0);
  return image.ImageId!;
}

describe.runIf(runIt)('replica-dns release by commands over ssh (real sshd as the builder)', () => {
  beforeAll(async () => {
    const [m, f] = await Promise.all([startMoto(), startSshd({ count: 1, firstOctet: 61 })]);
    moto = m;
    fleet = f;
    builder = fleet.instances[0]!;
    aws = clients(moto.endpoint);
    env = awsEnv(moto.endpoint);
    sshConfig = await writeSshConfig();
  });
  afterAll(async () => {
    await Promise.all([moto?.stop(), fleet?.stop()]);
  });

  describe('with commands that succeed', () => {
    beforeEach(async () => {
      await setUp(COMMANDS);
      return () => rm(dir, { recursive: true, force: true });
    });

    it('deploy: runs each command once on the builder, bakes the image, green launches from it, the builder is terminated', async () => {
      const r = await bg('deploy', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      const events = jsonLines(r.stdout);
      expect((events.at(-1) as { status?: string }).status).toBe('succeeded');
      expect(events.filter((e) => e.event === 'step.started').map((e) => e.stepId)).toEqual([...BUILDER_STEPS, ...GREEN_STEPS]);
      const deploymentId = String(events[0]!.deploymentId);

      const imageId = await expectBakedGreen(deploymentId);

      // The journal: exit codes of each command, never their output.
      const j = await journal();
      expect(j.status).toBe('succeeded');
      const outcomes = stepOf(j, 'run-commands').outputs.outcomes as Array<{ instanceId: string; index: number; exitCode: number }>;
      const builderId = (stepOf(j, 'launch-builder').outputs.instanceIds as string[])[0];
      expect(outcomes.map((o) => [o.instanceId, o.index, o.exitCode])).toEqual([0, 1, 2].map((i) => [builderId, i, 0]));
      // ssh went to the address moto gave the builder (a 10.0.1.x), mapped by the config's `Host 10.*`.
      const [b] = await builders(deploymentId);
      expect(stepOf(j, 'wait-reachable').outputs.hosts).toEqual([{ instanceId: builderId, address: b!.PrivateIpAddress }]);
      expect(b!.PrivateIpAddress).toMatch(/^10\.0\.1\.\d+$/);
      expect(stepOf(j, 'bake-image').outputs).toMatchObject({ imageId, imageName: `${stack.service}-green-${deploymentId}` });
      expect(stepOf(j, 'terminate-builder').outputs).toMatchObject({ terminated: [builderId] });
      const text = await journalText();
      for (const marker of OUTPUT_MARKERS) {
        expect(text).not.toContain(marker);
        expect(r.stdout).not.toContain(marker);
      }
    });

    it('a second release by commands starts its builder from the first baked image and bakes the other color', async () => {
      const first = await bg('deploy', '--yes', '--output', 'json');
      expect(first.code, first.stderr).toBe(0);
      const second = await bg('deploy', '--yes', '--output', 'json');
      expect(second.code, second.stderr).toBe(0);
      const [id1, id2] = [first, second].map((r) => String(jsonLines(r.stdout)[0]!.deploymentId));
      const image1 = (await imagesNamed(`${stack.service}-green-${id1}`))[0]!;
      const [builder2, ...more] = await builders(id2!);
      expect(more).toEqual([]);
      expect(builder2!.ImageId).toBe(image1.ImageId);
      expect(tagOf(builder2!, 'bluegreen:color')).toBe('blue');
      expect(builder2!.State?.Name).toBe('terminated');
      const blue2 = `${stack.service}-blue-${id2}`;
      const image2 = await imagesNamed(blue2);
      expect(image2.map((i) => i.State)).toEqual(['available']);
      const lc = await aws.autoscaling.send(new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: [blue2] }));
      expect(lc.LaunchConfigurations?.[0]?.ImageId).toBe(image2[0]!.ImageId);
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, blue2));
      const builder1 = (await builders(id1!))[0]!;
      expect(ran()).toEqual([
        ...[1, 2, 3].map((n) => [String(n), builder1.InstanceId, stack.service, id1]),
        ...[1, 2, 3].map((n) => [String(n), builder2!.InstanceId, stack.service, id2]),
      ]);
    });

    it('plan lists the builder steps before green and changes nothing', async () => {
      const before = await snapshotAws(moto.endpoint);
      const connections = builder.accepted();
      const r = await bg('plan', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      const plan = jsonLines(r.stdout)[0] as { deploymentId: string; steps: Array<{ id: string; title: string; params: Record<string, unknown> }> };
      expect(plan.steps.map((s) => s.id)).toEqual([...BUILDER_STEPS, ...GREEN_STEPS]);
      const green = `${stack.service}-green-${plan.deploymentId}`;
      const step = (id: string) => plan.steps.find((s) => s.id === id)!;
      expect(step('launch-builder').title).toContain(`${green}-builder`);
      expect(step('launch-builder').title).toContain(stack.blueImageId);
      expect(step('run-commands').title).toContain('3 release commands');
      expect(step('run-commands').params).toMatchObject({
        via: 'ssh',
        commands: COMMANDS,
        env: { BLUEGREEN_SERVICE: stack.service, BLUEGREEN_DEPLOYMENT: plan.deploymentId },
      });
      expect(step('bake-image').params).toMatchObject({ name: green });
      expect(step('create-launch').params).toMatchObject({ image: null });

      const human = await bg('plan');
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toContain('Launch builder');
      expect(human.stdout).toContain('Bake image');

      expect(await snapshotAws(moto.endpoint)).toEqual(before);
      expect(builder.read('ran')).toBe('');
      expect(builder.accepted()).toBe(connections);
    });

    it('a deploy SIGKILLed right after bake-image is resumed: one builder, one image, each command once', async () => {
      const killed = await bgUntil(['deploy', '--yes', '--output', 'json'], (e) => e.event === 'step.succeeded' && e.stepId === 'bake-image');
      expect(killed.killed, killed.stderr).toBe(true);
      expect(killed.signal).toBe('SIGKILL');
      const deploymentId = String(killed.events[0]!.deploymentId);
      expect((await journal()).status).toBe('running');

      const r = await bg('resume', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      const started = jsonLines(r.stdout)
        .filter((e) => e.event === 'step.started')
        .map((e) => e.stepId);
      for (const done of ['launch-builder', 'wait-running', 'wait-reachable', 'run-commands', 'bake-image']) expect(started).not.toContain(done);
      expect(started[0]).toBe('terminate-builder');

      await expectBakedGreen(deploymentId);
      // In all: the builder and green's two instances.
      const all = await instancesOfDeployment(deploymentId);
      expect(all.filter((i) => tagOf(i, 'bluegreen:role') === 'builder')).toHaveLength(1);
      expect(all).toHaveLength(3);
      expect((await journal()).status).toBe('succeeded');
    });

    it('a deploy SIGKILLed right after bake-image, then rolled back: the image deregistered, the builder terminated, blue as before', async () => {
      const before = await snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true });
      const killed = await bgUntil(['deploy', '--yes', '--output', 'json'], (e) => e.event === 'step.succeeded' && e.stepId === 'bake-image');
      expect(killed.killed, killed.stderr).toBe(true);
      const deploymentId = String(killed.events[0]!.deploymentId);
      const green = `${stack.service}-green-${deploymentId}`;
      const baked = await imagesNamed(green);
      expect(baked).toHaveLength(1);

      const r = await bg('rollback', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect((jsonLines(r.stdout).at(-1) as { status?: string }).status).toBe('rolled-back');
      expect(await imagesNamed(green)).toEqual([]);
      const snapshots = await aws.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
      const bakedSnapshots = (baked[0]!.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
      expect((snapshots.Snapshots ?? []).filter((s) => bakedSnapshots.includes(s.SnapshotId!))).toEqual([]);
      const bs = await builders(deploymentId);
      expect(bs).toHaveLength(1);
      expect(bs[0]!.State?.Name).toBe('terminated');
      expect(await snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true })).toEqual(before);
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, stack.loadBalancerName));
    });
  });

  describe('with a command that fails', () => {
    beforeEach(async () => {
      await setUp(FAILING);
      return () => rm(dir, { recursive: true, force: true });
    });

    it('exits 1 and rolls back: builder terminated, no image, no green, the record and blue untouched', async () => {
      const before = await snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true });
      const blueBefore = await group(stack.groupName);
      const r = await bg('deploy', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(1);
      const events = jsonLines(r.stdout);
      const deploymentId = String(events[0]!.deploymentId);
      const green = `${stack.service}-green-${deploymentId}`;
      expect(events.filter((e) => e.event === 'step.started').map((e) => e.stepId)).toEqual(BUILDER_STEPS.slice(0, 4));
      expect(events.find((e) => e.event === 'step.failed')).toMatchObject({ stepId: 'run-commands' });
      expect(events.filter((e) => e.event === 'step.undo.succeeded').map((e) => e.stepId)).toEqual(BUILDER_STEPS.slice(0, 4).reverse());
      expect(r.stderr).toContain('exited 3');
      expect(r.stderr).toContain('Rolled back');

      // The first two commands ran, the third never did.
      const b = await builders(deploymentId);
      expect(b).toHaveLength(1);
      expect(ran()).toEqual([1, 2].map((n) => [String(n), b[0]!.InstanceId, stack.service, deploymentId]));
      expect(await stateOf(b[0]!.InstanceId!)).toBe('terminated');

      // Nothing of green, no image, the record on blue, blue as it was.
      expect(await imagesNamed(green)).toEqual([]);
      expect(await group(green)).toBeUndefined();
      const lcs = await aws.autoscaling.send(new DescribeLaunchConfigurationsCommand({}));
      expect((lcs.LaunchConfigurations ?? []).map((l) => l.LaunchConfigurationName)).toEqual([stack.launchConfigurationName]);
      const lbs = await aws.elb.send(new DescribeLoadBalancersCommand({}));
      expect((lbs.LoadBalancerDescriptions ?? []).map((l) => l.LoadBalancerName)).toEqual([stack.loadBalancerName]);
      expect(await recordTarget(aws, stack)).toBe(await lbDns(aws, stack.loadBalancerName));
      const blueAfter = (await group(stack.groupName))!;
      expect([blueAfter.MinSize, blueAfter.MaxSize, blueAfter.DesiredCapacity]).toEqual([
        blueBefore!.MinSize,
        blueBefore!.MaxSize,
        blueBefore!.DesiredCapacity,
      ]);
      expect(await snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true })).toEqual(before);

      const j = await journal();
      expect(j.status).toBe('rolled-back');
      const outcomes = stepOf(j, 'run-commands').outputs.outcomes as Array<{ index: number; exitCode: number }>;
      expect(outcomes.map((o) => [o.index, o.exitCode])).toEqual([
        [0, 0],
        [1, 3],
      ]);
      // Output stays out of the journal; only the failing command's stderr tail is kept, in the error (by design).
      expect(await journalText()).not.toContain('stdout-42-marker');
      expect(j.error).toContain('exited 3');
      expect(j.error).toContain('broken-42-marker');
    });
  });
});
