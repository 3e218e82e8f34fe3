/**
 * swap-instances end to end: the built CLI against a moto server this file starts, with release
 * commands run by real OpenSSH servers (test/support/sshd.ts).
 *
 * moto gives the new instances random 10.0.x private addresses, so the ssh config cannot list them in
 * advance: one `Host 10.*` block maps every one of them to a single loopback sshd (its known_hosts line is
 * `[127.0.0.x]:port key`, which ssh looks up by HostName, so every alias is accepted), and the config ends
 * with a `Host *` catch-all to a closed loopback port, so nothing ever reaches a real 10.x address. The
 * commands record what ran per instance in `<runs>/<BLUEGREEN_INSTANCE_ID>.log`.
 *
 * moto has no time: instances are InService the moment they are attached, so the health gate is made to
 * fail by stopping a new instance (a classic ELB then reports it OutOfService) between a killed deploy and
 * its resume. Not here (moto cannot show it): slow draining or images, and SSM (DescribeInstanceInformation
 * is not implemented and SendCommand runs nothing); the unit tests cover those with fakes and a virtual clock.
 *
 * bake-image's CreateImage asks for the snapshots to be tagged, which moto 5.2.1 does not implement: the
 * server test/support/moto.ts starts fills that gap (as AWS behaves), so the snapshot tags are checked here.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
  type LaunchConfiguration,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  StopInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal, StepRecord } from '../../src/engine/types.js';
import type { StatusReport } from '../../src/operations.js';
import { buildBlueStack, clients, snapshotAws, type AwsClients, type BlueStack } from '../support/blue-stack.js';
import { jsonLines, runCli, runCliUntil } from '../support/cli.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';
import { sshdMissing, startSshd, type SshdFleet } from '../support/sshd.js';

const missing = sshdMissing();
if (missing) console.warn(`skipping the swap-instances tests: ${missing}`);
const runIt = !missing || Boolean(process.env.CI);

/** Every step of swap-instances, in order; the commands release adds three after wait-running. */
const IMAGE_STEPS = [
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
];
const COMMAND_STEPS = [...IMAGE_STEPS.slice(0, 3), 'wait-reachable', 'run-commands', 'bake-image', ...IMAGE_STEPS.slice(3)];

/** The processes swap-instances suspends while it works (src/strategies/swap-instances/names.ts). */
const SWAP_PROCESSES = ['AZRebalance', 'AlarmNotification', 'ScheduledActions', 'ReplaceUnhealthy'];

describe.runIf(runIt)('swap-instances through the CLI against moto, commands over real ssh', () => {
  let moto: Moto;
  let env: Record<string, string>;
  let aws: AwsClients;
  let fleet: SshdFleet;
  /** The ssh config: `Host 10.*` to the one sshd, everything else to a closed port. */
  let sshConfig: string;
  let stack: BlueStack;
  let dir: string;
  /** Where this test's commands record what ran (one file per instance id). */
  let runs: string;
  let testNo = 0;

  beforeAll(async () => {
    [moto, fleet] = await Promise.all([startMoto(), startSshd({ count: 1 })]);
    env = awsEnv(moto.endpoint);
    aws = clients(moto.endpoint);
    const sshd = fleet.instances[0]!;
    sshConfig = fleet.writeConfig('swap_ssh_config', [{ alias: '10.*', hostName: sshd.loopback, port: sshd.port }]);
  });
  afterAll(async () => {
    await Promise.all([moto?.stop(), fleet?.stop()]);
  });

  // ---------------------------------------------------------------- set-up

  interface Setup {
    release?: { image: string } | { commands: string[] };
    /** Processes suspended on the group before the deployment (the swap must leave them suspended). */
    suspended?: string[];
    /** The group's MaxSize (buildBlueStack: 4, room for 2 more); 2 makes raise-max-size raise it. */
    maxSize?: number;
    /** Another ssh config file than the one mapping 10.* to the sshd. */
    sshConfig?: string;
    connectTimeout?: string;
    healthTimeout?: string;
  }

  async function setUp(o: Setup = {}): Promise<void> {
    await moto.reset();
    stack = await buildBlueStack(moto.endpoint, { drainingSeconds: 1 });
    dir = await mkdtemp(join(tmpdir(), 'bluegreen-swap-'));
    runs = join(fleet.dir, `runs-${++testNo}`);
    mkdirSync(runs);
    if (o.maxSize !== undefined) {
      await aws.autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: stack.groupName, MaxSize: o.maxSize }));
    }
    if (o.suspended?.length) {
      await aws.autoscaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: stack.groupName, ScalingProcesses: o.suspended }));
    }
    const release = o.release ?? { image: stack.releaseImageId };
    const releaseYaml =
      'image' in release
        ? `  image: ${release.image}\n`
        : `  via: ssh\n  commands:\n${release.commands.map((c) => `    - ${JSON.stringify(c)}\n`).join('')}`;
    await writeFile(
      join(dir, 'bluegreen.yml'),
      `service: ${stack.service}
region: ${stack.region}
strategy: swap-instances
blue:
  autoScalingGroup: ${stack.groupName}
release:
${releaseYaml}health:
  timeout: ${o.healthTimeout ?? '30s'}
  interval: 1s
retire:
  after: 0s
ssh:
  configFile: ${o.sshConfig ?? sshConfig}
  connectTimeout: ${o.connectTimeout ?? '5s'}
  connectionAttempts: 2
  parallel: 10
`,
    );
  }

  async function tearDown(): Promise<void> {
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  const bg = (...args: string[]) => runCli([...args, '-c', 'bluegreen.yml'], { cwd: dir, env });
  const bgUntil = (args: string[], when: (e: Record<string, unknown>) => boolean) =>
    runCliUntil([...args, '-c', 'bluegreen.yml'], when, { cwd: dir, env });

  // ---------------------------------------------------------------- reading AWS and the journal back

  async function statusReport(): Promise<StatusReport> {
    const r = await bg('status', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    return jsonLines(r.stdout)[0] as unknown as StatusReport;
  }

  async function journalText(): Promise<string> {
    return readFile(join(dir, '.bluegreen', stack.service, 'journal.json'), 'utf8');
  }

  const stepOf = (journal: Journal | undefined, id: string): StepRecord => {
    const step = journal?.steps.find((s) => s.id === id);
    expect(step, `step ${id} in the journal`).toBeDefined();
    return step!;
  };

  async function group(): Promise<AutoScalingGroup> {
    const r = await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.groupName] }));
    return r.AutoScalingGroups![0]!;
  }

  const members = (g: AutoScalingGroup) => (g.Instances ?? []).map((i) => i.InstanceId!).sort();
  const sizes = (g: AutoScalingGroup) => ({ min: g.MinSize, max: g.MaxSize, desired: g.DesiredCapacity });
  const suspendedOf = (g: AutoScalingGroup) => (g.SuspendedProcesses ?? []).map((p) => p.ProcessName).sort();

  async function describeInstances(ids: string[]): Promise<Instance[]> {
    if (ids.length === 0) return [];
    const r = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
  }

  /** Instances tagged with the deployment that are not terminated (or terminating). */
  async function liveTagged(deploymentId: string): Promise<Instance[]> {
    const r = await aws.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:bluegreen:deployment', Values: [deploymentId] }] }));
    return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []).filter((i) => !['terminated', 'shutting-down'].includes(i.State?.Name ?? ''));
  }

  /**
   * The instances registered with blue's load balancer. moto keeps an instance the group registered and
   * one registered by RegisterInstancesWithLoadBalancer in two lists and describes both, so an instance
   * registered both ways (attach-instances does both; AWS keeps one registration) is listed twice: count
   * each once.
   */
  async function registered(): Promise<string[]> {
    const r = await aws.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: [stack.loadBalancerName] }));
    return [...new Set((r.LoadBalancerDescriptions![0]!.Instances ?? []).map((i) => i.InstanceId!))].sort();
  }

  async function launchConfiguration(name: string): Promise<LaunchConfiguration | undefined> {
    const r = await aws.autoscaling.send(new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: [name] }));
    return r.LaunchConfigurations?.[0];
  }

  /** What the release commands recorded: instance id -> its log lines. */
  function ranOn(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const f of readdirSync(runs).filter((n) => n.endsWith('.log'))) {
      out[f.replace(/\.log$/, '')] = readFileSync(join(runs, f), 'utf8').split('\n').filter(Boolean);
    }
    return out;
  }

  const snapshot = () => snapshotAws(moto.endpoint, { ignoreTerminatedInstances: true });
  const lastStatus = (stdout: string) => (jsonLines(stdout).at(-1) as { status?: string }).status;
  const succeeded = (stepId: string) => (e: Record<string, unknown>) => e.event === 'step.succeeded' && e.stepId === stepId;

  /** The old instances serve again, the new ones are gone, the group is as it was before the deploy. */
  async function expectBackOnOld(before: Record<string, unknown>, newIds: string[], maxSize: number): Promise<void> {
    const g = await group();
    expect(members(g)).toEqual([...stack.instanceIds].sort());
    expect(sizes(g)).toEqual({ min: 2, max: maxSize, desired: 2 });
    expect(g.LaunchConfigurationName).toBe(stack.launchConfigurationName);
    expect(await registered()).toEqual([...stack.instanceIds].sort());
    expect(newIds).toHaveLength(2);
    for (const i of await describeInstances(newIds)) {
      expect(['terminated', 'shutting-down'], `${i.InstanceId} is ${i.State?.Name}`).toContain(i.State?.Name);
    }
    // Everything else too: launch configurations, images, load balancers, processes, live instances.
    expect(await snapshot()).toEqual(before);
  }

  // ---------------------------------------------------------------- 1. release.image

  it('release.image: the group ends with 2 new instances from the image, same sizes and processes, a copied launch configuration', async () => {
    // MaxSize 2: no room for the new instances, so raise-max-size raises it to 4 and restore-group puts it back.
    await setUp({ suspended: ['AZRebalance'], maxSize: 2 });
    try {
      const before = await group();
      expect(sizes(before)).toEqual({ min: 2, max: 2, desired: 2 });
      expect(suspendedOf(before)).toEqual(['AZRebalance']);
      const oldIds = [...stack.instanceIds].sort();

      const r = await bg('deploy', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(lastStatus(r.stdout)).toBe('succeeded');
      const events = jsonLines(r.stdout);
      expect(events.filter((e) => e.event === 'step.started').map((e) => e.stepId)).toEqual(IMAGE_STEPS);

      const report = await statusReport();
      expect(report.journal?.status).toBe('succeeded');
      expect(report.liveColor).toBe('green');
      expect(report.lock).toBeUndefined();
      const deploymentId = report.journal!.deploymentId;
      // Only the processes that were running before were suspended, and those were resumed.
      expect(stepOf(report.journal, 'suspend-processes').outputs).toMatchObject({
        suspendedBefore: ['AZRebalance'],
        suspended: SWAP_PROCESSES.filter((p) => p !== 'AZRebalance'),
      });
      expect(stepOf(report.journal, 'raise-max-size').outputs).toMatchObject({
        original: { MinSize: 2, MaxSize: 2, DesiredCapacity: 2 },
        maxSize: 4,
      });

      const g = await group();
      const ids = members(g);
      expect(ids).toHaveLength(2);
      for (const id of ids) expect(oldIds).not.toContain(id);
      expect(sizes(g)).toEqual(sizes(before));
      expect(suspendedOf(g)).toEqual(['AZRebalance']);
      expect((g.Instances ?? []).map((i) => i.LifecycleState)).toEqual(['InService', 'InService']);
      expect(ids).toEqual([...(stepOf(report.journal, 'launch-instances').outputs.instanceIds as string[])].sort());

      // The new instances: the release image, launched like the group's (type, tags), running.
      const described = await describeInstances(ids);
      expect(described).toHaveLength(2);
      for (const i of described) {
        expect(i.ImageId).toBe(stack.releaseImageId);
        expect(i.State?.Name).toBe('running');
        expect(i.InstanceType).toBe('t3.micro');
        const tags = Object.fromEntries((i.Tags ?? []).map((t) => [t.Key, t.Value]));
        expect(tags).toMatchObject({ Name: 'shop-web', team: 'checkout', 'bluegreen:service': 'shop', 'bluegreen:deployment': deploymentId });
        expect(tags['cost-center']).toBeUndefined(); // not PropagateAtLaunch
        expect(i.KeyName).toBe(stack.keyName);
        // The launch configuration says AssociatePublicIpAddress (moto reports false when unset), so the
        // groups go on the primary network interface; moto lists them there and not on the instance.
        expect((i.NetworkInterfaces ?? []).map((n) => (n.Groups ?? []).map((sg) => sg.GroupId))).toEqual([[stack.securityGroupId]]);
        expect(i.IamInstanceProfile?.Arn).toMatch(new RegExp(`instance-profile/${stack.instanceProfile}$`));
        const userData = await aws.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: i.InstanceId!, Attribute: 'userData' }));
        expect(userData.UserData?.Value).toBe(stack.userData);
      }
      // Spread like the group: one per subnet (RunInstances, unlike moto's Auto Scaling, honours the subnet).
      expect(described.map((i) => i.SubnetId).sort()).toEqual([...stack.subnetIds].sort());
      // The old ones are gone; nothing of this deployment runs outside the group.
      for (const i of await describeInstances(oldIds)) expect(['terminated', 'shutting-down']).toContain(i.State?.Name);
      expect((await liveTagged(deploymentId)).map((i) => i.InstanceId).sort()).toEqual(ids);

      // The load balancer has exactly the new instances.
      expect(await registered()).toEqual(ids);

      // The launch configuration: a copy of blue's with the release image, every other field kept.
      expect(g.LaunchConfigurationName).toBe(`${stack.service}-swap-${deploymentId}`);
      const copy = (await launchConfiguration(g.LaunchConfigurationName!))!;
      const original = (await launchConfiguration(stack.launchConfigurationName))!;
      expect(copy.ImageId).toBe(stack.releaseImageId);
      expect(original.ImageId).toBe(stack.blueImageId);
      const rest = (lc: LaunchConfiguration) => {
        const { LaunchConfigurationName: _name, LaunchConfigurationARN: _arn, ImageId: _image, CreatedTime: _created, ...fields } = lc;
        return fields;
      };
      expect(rest(copy)).toEqual(rest(original));
      expect(Object.keys(rest(original))).toEqual(
        expect.arrayContaining([
          'InstanceType',
          'KeyName',
          'SecurityGroups',
          'IamInstanceProfile',
          'UserData',
          'BlockDeviceMappings',
          'MetadataOptions',
        ]),
      );

      // User data (where secrets live) reaches neither the events nor the journal.
      const journal = await journalText();
      for (const text of [r.stdout, r.stderr, journal]) {
        expect(text).not.toContain(stack.userData);
        expect(text).not.toContain('systemctl start shop');
      }
    } finally {
      await tearDown();
    }
  });

  it('rollback after a finished swap: refused with a clear message, the new instances keep serving', async () => {
    await setUp();
    try {
      const d = await bg('deploy', '--yes');
      expect(d.code, d.stderr).toBe(0);
      const g = await group();
      const newIds = members(g);
      const before = await snapshot();

      const r = await bg('rollback', '--yes');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('rollback cannot bring them back');
      for (const id of stack.instanceIds) expect(r.stderr).toContain(id);
      // Nothing was taken out of service.
      expect(await snapshot()).toEqual(before);
      expect(await registered()).toEqual(newIds);
    } finally {
      await tearDown();
    }
  });

  // A rollback that cannot finish is refused before it changes anything, so the journal stays `succeeded`
  // and the next deployment is not blocked by an "unfinished" one.
  it('after a refused rollback of a finished swap, the service can be deployed again', async () => {
    await setUp();
    try {
      const d = await bg('deploy', '--yes');
      expect(d.code, d.stderr).toBe(0);
      const r = await bg('rollback', '--yes');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/rollback of deployment \w+ is not possible: .*cannot bring them back.*Nothing was changed/);
      const again = await bg('deploy', '--yes', '--image', stack.blueImageId);
      expect(again.code, again.stderr).toBe(0);
      const g = await group();
      expect(members(g)).toHaveLength(2);
      for (const i of await describeInstances(members(g))) expect(i.ImageId).toBe(stack.blueImageId);
    } finally {
      await tearDown();
    }
  });

  // ---------------------------------------------------------------- 2. release.commands over ssh

  it('release.commands: each command runs once per new instance, in order, with its environment; an image is baked and used', async () => {
    // Output that the command text does not contain, so "no output in the journal" is a real check.
    const commands = [
      `echo "1 $BLUEGREEN_SERVICE $BLUEGREEN_DEPLOYMENT $BLUEGREEN_INSTANCE_ID" >> ${nextRuns()}/"$BLUEGREEN_INSTANCE_ID".log; echo "out-$((6*7))-one"; echo "err-$((6*7))-one" >&2`,
      `echo "2 $BLUEGREEN_INSTANCE_ID" >> ${nextRuns()}/"$BLUEGREEN_INSTANCE_ID".log; echo "out-$((6*7))-two"`,
    ];
    await setUp({ release: { commands } });
    try {
      const accepted = fleet.instances[0]!.accepted();
      const r = await bg('deploy', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(lastStatus(r.stdout)).toBe('succeeded');
      expect(
        jsonLines(r.stdout)
          .filter((e) => e.event === 'step.started')
          .map((e) => e.stepId),
      ).toEqual(COMMAND_STEPS);

      const report = await statusReport();
      const journal = report.journal!;
      expect(journal.status).toBe('succeeded');
      const deploymentId = journal.deploymentId;
      const newIds = [...(stepOf(journal, 'launch-instances').outputs.instanceIds as string[])].sort();
      expect(newIds).toHaveLength(2);

      // Each command once per new instance, in order, with the variables; on no other instance.
      expect(ranOn()).toEqual(Object.fromEntries(newIds.map((id) => [id, [`1 ${stack.service} ${deploymentId} ${id}`, `2 ${id}`]])));
      // Through the sshd (one connection per host, both hosts mapped by `Host 10.*`).
      expect(fleet.instances[0]!.accepted() - accepted).toBe(2);

      // The journal has every exit code, and none of the output.
      const outcomes = stepOf(journal, 'run-commands').outputs.outcomes as Array<{ instanceId: string; index: number; exitCode: number }>;
      expect(outcomes.map((o) => `${o.instanceId}#${o.index}=${o.exitCode}`).sort()).toEqual(
        newIds.flatMap((id) => [`${id}#0=0`, `${id}#1=0`]).sort(),
      );
      const text = await journalText();
      for (const t of [text, r.stdout]) {
        expect(t).not.toContain('out-42');
        expect(t).not.toContain('err-42');
      }

      // The baked image: named, tagged, available, from a new instance; the group's new launch uses it.
      const imageId = stepOf(journal, 'bake-image').outputs.imageId as string;
      expect(imageId).toMatch(/^ami-/);
      const images = (await aws.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images ?? [];
      expect(images).toHaveLength(1);
      const image = images[0]!;
      const name = `${stack.service}-swap-${deploymentId}`;
      expect(image.State).toBe('available');
      expect(image.Name).toBe(name);
      expect(image.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'Name', Value: name },
          { Key: 'bluegreen:deployment', Value: deploymentId },
        ]),
      );
      expect(newIds).toContain(stepOf(journal, 'bake-image').outputs.instanceId);
      const snapshotIds = (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
      expect(snapshotIds.length).toBeGreaterThan(0);
      const snapshots = (await aws.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }))).Snapshots ?? [];
      for (const snap of snapshots) expect(snap.Tags).toEqual(expect.arrayContaining([{ Key: 'Name', Value: name }]));
      const g = await group();
      expect(g.LaunchConfigurationName).toBe(name);
      expect((await launchConfiguration(name))!.ImageId).toBe(imageId);

      // The new instances started from blue's image (the commands made the release) and serve alone.
      expect(members(g)).toEqual(newIds);
      for (const i of await describeInstances(newIds)) expect(i.ImageId).toBe(stack.blueImageId);
      expect(await registered()).toEqual(newIds);
      expect(sizes(g)).toEqual({ min: 2, max: 4, desired: 2 });
    } finally {
      await tearDown();
    }
  });

  // ---------------------------------------------------------------- 3. one host fails

  it("one host's command fails: exit 1 naming it, rolled back, the old instances serve, the group as before", async () => {
    // The first host to get there fails (mkdir is atomic), the other succeeds: one failure, always.
    const commands = [
      `echo "1 $BLUEGREEN_INSTANCE_ID" >> ${nextRuns()}/"$BLUEGREEN_INSTANCE_ID".log; if mkdir ${nextRuns()}/failed 2>/dev/null; then echo "$BLUEGREEN_INSTANCE_ID" > ${nextRuns()}/failed/id; echo "update failed on purpose" >&2; exit 7; fi`,
      `echo "2 $BLUEGREEN_INSTANCE_ID" >> ${nextRuns()}/"$BLUEGREEN_INSTANCE_ID".log`,
    ];
    await setUp({ release: { commands }, suspended: ['AZRebalance'] });
    try {
      const before = await snapshot();
      const r = await bg('deploy', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(1);
      const failedId = readFileSync(join(runs, 'failed', 'id'), 'utf8').trim();
      expect(failedId).toMatch(/^i-/);
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stderr).toContain(failedId);
      expect(r.stderr).toContain('exited 7');
      expect(r.stderr).toContain('update failed on purpose');
      expect(r.stderr).toContain('Rolled back');
      expect(lastStatus(r.stdout)).toBe('rolled-back');

      const journal = (await statusReport()).journal!;
      expect(journal.status).toBe('rolled-back');
      const newIds = [...(stepOf(journal, 'launch-instances').outputs.instanceIds as string[])].sort();
      expect(newIds).toContain(failedId);
      // The failing host ran its first command and no other; the journal has its exit code.
      expect(ranOn()[failedId]).toEqual([`1 ${failedId}`]);
      const outcomes = stepOf(journal, 'run-commands').outputs.outcomes as Array<{ instanceId: string; index: number; exitCode: number }>;
      expect(outcomes).toContainEqual(expect.objectContaining({ instanceId: failedId, index: 0, exitCode: 7 }));
      expect(stepOf(journal, 'bake-image').state).toBe('pending');

      await expectBackOnOld(before, newIds, 4);
      expect(suspendedOf(await group())).toEqual(['AZRebalance']);
      expect(await liveTagged(journal.deploymentId)).toEqual([]);
    } finally {
      await tearDown();
    }
  });

  it('new instances unreachable over ssh: exit 1 naming the host and the cause, rolled back', async () => {
    const closed = fleet.writeConfig('swap_ssh_config_closed', [{ alias: '10.*', hostName: '127.0.0.1', port: await fleet.closedPort() }]);
    await setUp({ release: { commands: [`echo 1 >> ${nextRuns()}/"$BLUEGREEN_INSTANCE_ID".log`] }, sshConfig: closed, connectTimeout: '1s' });
    try {
      const before = await snapshot();
      const started = Date.now();
      const r = await bg('deploy', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/cannot reach i-[0-9a-f]+ \(10\.[0-9.]+\): refused/);
      expect(r.stderr).toContain('Rolled back');
      expect(lastStatus(r.stdout)).toBe('rolled-back');
      // 2 attempts of 1 s, plus the CLI's and the rollback's own time: not a 30 s default timeout.
      expect(Date.now() - started).toBeLessThan(30_000);
      const journal = (await statusReport()).journal!;
      expect(stepOf(journal, 'wait-reachable').state).toBe('undone');
      const newIds = [...(stepOf(journal, 'launch-instances').outputs.instanceIds as string[])].sort();
      await expectBackOnOld(before, newIds, 4);
      expect(ranOn()).toEqual({});
    } finally {
      await tearDown();
    }
  });

  // ---------------------------------------------------------------- 4. crashes

  it('SIGKILL after attach-instances, then resume: finishes with no duplicate instance', async () => {
    await setUp({ maxSize: 2 });
    try {
      const killed = await bgUntil(['deploy', '--yes', '--output', 'json'], succeeded('attach-instances'));
      expect(killed.killed, killed.stderr).toBe(true);
      expect(killed.signal).toBe('SIGKILL');
      const interrupted = (await statusReport()).journal!;
      expect(interrupted.status).toBe('running');
      expect(stepOf(interrupted, 'attach-instances').state).toBe('done');
      const newIds = [...(stepOf(interrupted, 'launch-instances').outputs.instanceIds as string[])].sort();
      // Killed with old and new in the group, MaxSize raised for them.
      expect(members(await group())).toEqual([...stack.instanceIds, ...newIds].sort());
      expect(sizes(await group())).toEqual({ min: 2, max: 4, desired: 4 });

      const r = await bg('resume', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('took over the lock');
      expect(lastStatus(r.stdout)).toBe('succeeded');
      const restarted = jsonLines(r.stdout)
        .filter((e) => e.event === 'step.started')
        .map((e) => e.stepId);
      expect(restarted).toEqual(IMAGE_STEPS.slice(IMAGE_STEPS.indexOf('wait-healthy')));

      const g = await group();
      expect(members(g)).toEqual(newIds);
      expect(sizes(g)).toEqual({ min: 2, max: 2, desired: 2 });
      expect(suspendedOf(g)).toEqual([]);
      expect(await registered()).toEqual(newIds);
      // No instance of this deployment runs outside the group.
      expect((await liveTagged(interrupted.deploymentId)).map((i) => i.InstanceId).sort()).toEqual(newIds);
      for (const i of await describeInstances(stack.instanceIds)) expect(['terminated', 'shutting-down']).toContain(i.State?.Name);
      expect((await statusReport()).journal?.status).toBe('succeeded');
    } finally {
      await tearDown();
    }
  });

  it('SIGKILL after attach-instances, then rollback: the old instances serve, the new ones are gone', async () => {
    await setUp({ suspended: ['AZRebalance'], maxSize: 2 });
    try {
      const before = await snapshot();
      const killed = await bgUntil(['deploy', '--yes', '--output', 'json'], succeeded('attach-instances'));
      expect(killed.killed, killed.stderr).toBe(true);
      const interrupted = (await statusReport()).journal!;
      const newIds = [...(stepOf(interrupted, 'launch-instances').outputs.instanceIds as string[])].sort();
      expect(sizes(await group())).toEqual({ min: 2, max: 4, desired: 4 });

      const r = await bg('rollback', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('took over the lock');
      expect(lastStatus(r.stdout)).toBe('rolled-back');

      await expectBackOnOld(before, newIds, 2);
      expect(suspendedOf(await group())).toEqual(['AZRebalance']);
      expect(await liveTagged(interrupted.deploymentId)).toEqual([]);
      const report = await statusReport();
      expect(report.journal?.status).toBe('rolled-back');
      expect(report.liveColor).toBe('blue');
      expect(report.lock).toBeUndefined();
    } finally {
      await tearDown();
    }
  });

  it('SIGKILL in launch-instances after its first RunInstances, then resume: 2 new instances in all, none outside the group', async () => {
    await setUp();
    try {
      // One RunInstances per subnet: the first progress event comes after the first call's instances are recorded.
      const killed = await bgUntil(
        ['deploy', '--yes', '--output', 'json'],
        (e) => e.event === 'step.progress' && e.stepId === 'launch-instances' && e.done === 1,
      );
      expect(killed.killed, killed.stderr).toBe(true);
      const interrupted = (await statusReport()).journal!;
      expect(stepOf(interrupted, 'launch-instances').state).toBe('running');

      const r = await bg('resume', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(lastStatus(r.stdout)).toBe('succeeded');
      const journal = (await statusReport()).journal!;
      const newIds = [...(stepOf(journal, 'launch-instances').outputs.instanceIds as string[])].sort();
      expect(newIds).toHaveLength(2);
      const g = await group();
      expect(members(g)).toEqual(newIds);
      expect(sizes(g)).toEqual({ min: 2, max: 4, desired: 2 });
      expect(await registered()).toEqual(newIds);
      expect((await liveTagged(journal.deploymentId)).map((i) => i.InstanceId).sort()).toEqual(newIds);
      // Spread like the group: one per subnet.
      expect(new Set((await describeInstances(newIds)).map((i) => i.SubnetId))).toEqual(new Set(stack.subnetIds));
    } finally {
      await tearDown();
    }
  });

  it('SIGKILL after run-commands, then resume: no command runs again, one image is baked', async () => {
    const commands = [
      `echo "1 $BLUEGREEN_INSTANCE_ID" >> ${nextRuns()}/"$BLUEGREEN_INSTANCE_ID".log`,
      `echo "2 $BLUEGREEN_INSTANCE_ID" >> ${nextRuns()}/"$BLUEGREEN_INSTANCE_ID".log`,
    ];
    await setUp({ release: { commands } });
    try {
      const killed = await bgUntil(['deploy', '--yes', '--output', 'json'], succeeded('run-commands'));
      expect(killed.killed, killed.stderr).toBe(true);
      const r = await bg('resume', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(lastStatus(r.stdout)).toBe('succeeded');
      const restarted = jsonLines(r.stdout)
        .filter((e) => e.event === 'step.started')
        .map((e) => e.stepId);
      expect(restarted).not.toContain('run-commands');

      const journal = (await statusReport()).journal!;
      const newIds = [...(stepOf(journal, 'launch-instances').outputs.instanceIds as string[])].sort();
      expect(ranOn()).toEqual(Object.fromEntries(newIds.map((id) => [id, [`1 ${id}`, `2 ${id}`]])));
      const name = `${stack.service}-swap-${journal.deploymentId}`;
      const images = (await aws.ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }))).Images ?? [];
      expect(images.map((i) => i.ImageId)).toEqual([stepOf(journal, 'bake-image').outputs.imageId]);
      expect((await launchConfiguration(name))!.ImageId).toBe(images[0]!.ImageId);
      expect(members(await group())).toEqual(newIds);
    } finally {
      await tearDown();
    }
  });

  it('a new instance out of service in the load balancer: wait-healthy times out, rolled back to the old instances', async () => {
    // moto has no time: an instance is InService once registered. A stopped one is OutOfService in a classic
    // ELB, so: kill the deploy once the new instances are attached, stop one, and resume into the health gate.
    await setUp({ healthTimeout: '3s', maxSize: 2, suspended: ['AZRebalance'] });
    try {
      const before = await snapshot();
      const killed = await bgUntil(['deploy', '--yes', '--output', 'json'], succeeded('attach-instances'));
      expect(killed.killed, killed.stderr).toBe(true);
      const newIds = [...(stepOf((await statusReport()).journal, 'launch-instances').outputs.instanceIds as string[])].sort();
      await aws.ec2.send(new StopInstancesCommand({ InstanceIds: [newIds[0]!] }));

      const r = await bg('resume', '--yes', '--output', 'json');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^error: step wait-healthy failed: .*Rolled back/m);
      expect(lastStatus(r.stdout)).toBe('rolled-back');
      const journal = (await statusReport()).journal!;
      expect(journal.status).toBe('rolled-back');
      expect(stepOf(journal, 'update-launch').state).toBe('pending');
      expect(stepOf(journal, 'deregister-old').state).toBe('pending');

      await expectBackOnOld(before, newIds, 2);
      expect(suspendedOf(await group())).toEqual(['AZRebalance']);
    } finally {
      await tearDown();
    }
  });

  // ---------------------------------------------------------------- 5. bad input

  it('a group with no instances: exit 2, nothing changed', async () => {
    await setUp();
    try {
      await aws.autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: stack.groupName, MinSize: 0, DesiredCapacity: 0 }));
      expect(members(await group())).toEqual([]);
      const before = await snapshot();
      const r = await bg('deploy', '--yes');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error: .*no InService instance/m);
      expect(await snapshot()).toEqual(before);
      expect((await statusReport()).journal).toBeUndefined();
    } finally {
      await tearDown();
    }
  });

  // ---------------------------------------------------------------- 6. plan

  it.each([
    ['image', IMAGE_STEPS],
    ['commands', COMMAND_STEPS],
  ] as const)('plan (release %s) lists the steps and changes nothing', async (kind, steps) => {
    await setUp(kind === 'image' ? {} : { release: { commands: [`echo x >> ${nextRuns()}/"$BLUEGREEN_INSTANCE_ID".log`] } });
    try {
      const before = await snapshot();
      const r = await bg('plan', '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      const plan = jsonLines(r.stdout)[0] as { steps: Array<{ id: string; kind: string; title: string }>; warnings: string[] };
      expect(plan.steps.map((s) => s.id)).toEqual(steps);
      expect(plan.steps.every((s) => s.kind === `swap-instances/${s.id}`)).toBe(true);
      const titles = plan.steps.map((s) => s.title).join('\n');
      expect(titles).toContain(stack.groupName);
      expect(titles).toContain(kind === 'image' ? stack.releaseImageId : stack.blueImageId);

      const text = await bg('plan');
      expect(text.code, text.stderr).toBe(0);
      expect(text.stderr).toContain('nothing was changed');

      expect(await snapshot()).toEqual(before);
      expect((await statusReport()).journal).toBeUndefined();
      expect(ranOn()).toEqual({});
    } finally {
      await tearDown();
    }
  });

  /** The runs dir the next setUp() makes: the commands name it, and setUp writes them into the config. */
  function nextRuns(): string {
    return join(fleet.dir, `runs-${testNo + 1}`);
  }
});
