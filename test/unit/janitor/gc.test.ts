/**
 * `gc` through the operations (config file, journal on disk, lock) with replica-dns on the in-memory AWS and
 * a virtual clock: three deployments in a row leave the first one's stack old; gc lists it and the hand-made
 * leftovers, keeps the live stack and the rollback target, changes nothing without `yes`, deletes in order
 * with it, and a second run finds nothing. Also: a deployment in progress, a held lock, a failed deletion.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeploymentError, EXIT, exitCodeOf, LockedError } from '../../../src/errors.js';
import { PORT_ACTIONS, type PortMethod } from '../../../src/iam/actions.js';
import { needsOf, policyFor } from '../../../src/iam/policy.js';
import type { Leftover } from '../../../src/janitor/plan.js';
import * as ops from '../../../src/operations.js';
import { FileLock } from '../../../src/state/file-store.js';
import { TAG } from '../../../src/strategies/common/names.js';
import { awsError } from '../../fakes/aws.js';
import { blueWorld, NEW_IMAGE, RECORD, ZONE, type World } from '../replica-dns/world.js';
import { swapWorld } from '../swap-instances/world.js';

let dir: string;
let configFile: string;
let world: World;

const CONFIG = `service: shop
strategy: replica-dns
blue: {autoScalingGroup: shop-web}
release: {image: ${NEW_IMAGE}}
dns: {hostedZoneId: ${ZONE}, name: ${RECORD}}
health: {timeout: 300s, interval: 10s}
retire: {after: 60s, action: scale-to-zero}
`;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bluegreen-gc-'));
  configFile = path.join(dir, 'bluegreen.yml');
  await writeFile(configFile, CONFIG);
  world = blueWorld();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = () => ({ configFile, ports: world.aws, clock: world.clock });
const HOUR = 3_600_000;

/** Deploys once (an hour after the last), returns the deployment id and its green group. */
async function deployOnce(): Promise<{ id: string; green: string; blue: string }> {
  world.clock.advance(HOUR);
  const journal = await ops.deploy(options());
  expect(journal?.status).toBe('succeeded');
  const summary = journal!.summary as { blue: { group: string }; green: { group: string } };
  return { id: journal!.deploymentId, green: summary.green.group, blue: summary.blue.group };
}

const names = (list: readonly Leftover[]) => list.map((r) => `${r.type} ${r.name}`);

async function recordTarget(): Promise<string | undefined> {
  return (await world.aws.dns.getRecord(ZONE, RECORD, 'A'))?.AliasTarget?.DNSName;
}

/** Leftovers made by hand the way a crashed release by commands leaves them: a builder and a baked image. */
function crashedBake(id: string, at: number): { builder: string; image: string } {
  const tags = [
    { Key: TAG.service, Value: 'shop' },
    { Key: TAG.deployment, Value: id },
    { Key: TAG.role, Value: 'builder' },
  ];
  const [builder] = world.aws.addInstances(1, { TagSpecifications: [{ ResourceType: 'instance', Tags: tags }] });
  const image = `ami-0${id}0000000000`;
  world.aws.state.images.set(image, { ImageId: image, Name: `shop-green-${id}`, State: 'available', Tags: tags.slice(0, 2) });
  world.aws.setBornAt('image', image, at);
  return { builder: builder!, image };
}

describe('gc after three deployments', () => {
  it('lists the oldest stack and the remains of a crashed bake, keeps the live stack and the rollback target; --yes deletes them; a second gc finds nothing', async () => {
    const first = await deployOnce();
    const second = await deployOnce();
    const third = await deployOnce();
    expect(second.blue).toBe(first.green);
    expect(third.blue).toBe(second.green);
    // A crash during an earlier release by commands, before the first deployment.
    const bake = crashedBake('zzzz9', world.clock.now() - 10 * HOUR);
    // Another service's builder is none of ours.
    world.aws.addInstances(1, {
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: TAG.service, Value: 'cart' },
            { Key: TAG.role, Value: 'builder' },
          ],
        },
      ],
    });
    const live = await recordTarget();
    const before = world.aws.snapshot();

    const listed = await ops.gc(options());
    expect(listed.deleted).toBe(0);
    expect(world.aws.snapshot()).toEqual(before); // without yes nothing changes
    expect(listed.deleteCommand).toBe(`bluegreen gc -c ${configFile} --yes`);
    const old = first.green;
    expect(names(listed.plan.remove)).toEqual([
      // Oldest first: the crashed bake (10 hours ago), then the first deployment's stack; users before what they use.
      `instance ${bake.builder}`,
      `image ${bake.image}`,
      `alarm ${old}-shop-web-cpu-high`,
      `auto-scaling-group ${old}`,
      `load-balancer ${old}`,
      `launch-configuration ${old}`,
    ]);
    expect(listed.plan.remove.every((r) => r.deploymentId === 'zzzz9' || r.deploymentId === first.id)).toBe(true);
    const kept = Object.fromEntries(listed.plan.keep.map((k) => [`${k.type} ${k.name}`, k.why]));
    expect(kept[`auto-scaling-group ${third.green}`]).toBe(`the live stack (${third.green})`);
    expect(kept[`auto-scaling-group ${second.green}`]).toBe(`rollback of deployment ${third.id} returns to it`);
    expect(kept[`load-balancer ${second.green}`]).toBe(`rollback of deployment ${third.id} returns to it (deployment ${second.id})`);
    expect(kept[`launch-configuration ${third.green}`]).toMatch(/the live stack/);

    const deletedInOrder: string[] = [];
    const done = await ops.gc({ ...options(), yes: true, onDeleted: (r) => deletedInOrder.push(`${r.type} ${r.name}`) });
    expect(done.deleted).toBe(6);
    expect(deletedInOrder).toEqual(names(listed.plan.remove));
    expect(world.aws.state.groups.has(old)).toBe(false);
    expect(world.aws.state.loadBalancers.has(old)).toBe(false);
    expect(world.aws.state.launchConfigurations.has(old)).toBe(false);
    expect(world.aws.state.alarms.has(`${old}-shop-web-cpu-high`)).toBe(false);
    expect(world.aws.state.images.has(bake.image)).toBe(false);
    expect(world.aws.instance(bake.builder)?.State?.Name).toMatch(/shutting-down|terminated/);
    // What stays: the live stack serving, the rollback target, blue's original stack (not ours).
    expect(await recordTarget()).toBe(live);
    for (const g of [third.green, second.green, 'shop-web']) expect(world.aws.state.groups.has(g), g).toBe(true);
    expect(world.aws.state.alarms.has('shop-web-cpu-high')).toBe(true);

    const again = await ops.gc({ ...options(), yes: true });
    expect(again.plan.remove).toEqual([]);
    expect(again.deleted).toBe(0);

    // And a rollback of the last deployment still works: its target was kept.
    const rolledBack = await ops.rollback(options());
    expect(rolledBack.status).toBe('rolled-back');
  });

  it('every AWS call gc makes is allowed by the policy generated for the config', async () => {
    await deployOnce();
    await deployOnce();
    await deployOnce();
    world.aws.calls.length = 0;
    await ops.gc({ ...options(), yes: true });
    const config = (await ops.plan(options())).config;
    const allowed = new Set(policyFor(needsOf(config)).Statement[0]!.Action as string[]);
    const called = [...new Set(world.aws.calls.map((c) => c.operation))];
    expect(called).toEqual(expect.arrayContaining(['tagging.resourcesTagged', 'groups.deleteGroup', 'classicLoadBalancers.delete']));
    const missing = called.flatMap((m) => (PORT_ACTIONS[m as PortMethod] ?? [`${m}: unknown`]).filter((a) => !allowed.has(a)));
    expect(missing).toEqual([]);
  });
});

describe('gc protects what is not finished and refuses what it cannot do', () => {
  it('a paused deployment keeps everything of it, and both its stacks', async () => {
    const first = await deployOnce();
    world.clock.advance(HOUR);
    const paused = await ops.deploy({ ...options(), pauseBeforeSwitch: true });
    expect(paused?.status).toBe('paused');
    const green = (paused!.summary as { green: { group: string } }).green.group;
    const { plan } = await ops.gc({ ...options(), yes: true });
    expect(plan.remove).toEqual([]);
    const kept = Object.fromEntries(plan.keep.map((k) => [`${k.type} ${k.name}`, k.why]));
    expect(kept[`auto-scaling-group ${green}`]).toBe(`deployment ${paused!.deploymentId} is paused: finish it with resume or rollback first`);
    expect(kept[`auto-scaling-group ${first.green}`]).toMatch(/the live stack/);
    expect(world.aws.state.groups.has(green)).toBe(true);
    // And promote still finishes it.
    expect((await ops.promote(options())).status).toBe('succeeded');
  });

  it('a rolled-back deployment leaves nothing to keep: what remains of it is removed', async () => {
    await deployOnce();
    const second = await deployOnce();
    world.clock.advance(HOUR);
    expect((await ops.rollback(options())).status).toBe('rolled-back');
    // Something the rollback did not remove (made by hand with the deployment's name).
    world.aws.addLaunchConfiguration({ LaunchConfigurationName: second.green, ImageId: NEW_IMAGE, InstanceType: 't3.small' });
    const { plan } = await ops.gc(options());
    expect(names(plan.remove)).toEqual([`launch-configuration ${second.green}`]);
  });

  it('refuses while another run holds the lock: LockedError, exit 3, nothing read', async () => {
    await deployOnce();
    const lock = new FileLock(path.join(dir, '.bluegreen'), 'shop', `bluegreen unlock -c ${configFile}`);
    await lock.acquire({ host: 'ci-7', pid: process.pid, since: new Date().toISOString(), command: 'bluegreen deploy' }, { takeOverDead: false });
    world.aws.calls.length = 0;
    const error = await ops.gc(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect(exitCodeOf(error)).toBe(EXIT.locked);
    expect(world.aws.calls).toEqual([]);
    await lock.release();
  });

  it('a failed deletion stops with a DeploymentError naming the resource; running gc again finishes', async () => {
    const first = await deployOnce();
    await deployOnce();
    await deployOnce();
    world.aws.failOn('classicLoadBalancers.delete', awsError('DeleteLoadBalancer', `load balancer ${first.green}`, 'Throttling', 'Rate exceeded'));
    const error = await ops.gc({ ...options(), yes: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    expect(exitCodeOf(error)).toBe(EXIT.failed);
    const message = (error as DeploymentError).message;
    expect(message).toContain(`gc stopped at load balancer ${first.green} (deployment ${first.id})`);
    expect(message).toContain('Rate exceeded');
    expect(message).toContain('2 of 4 resources were deleted before it');
    expect((error as DeploymentError).next).toBe(`bluegreen gc -c ${configFile} --yes`);
    expect(world.aws.state.groups.has(first.green)).toBe(false); // what came before it went
    expect(world.aws.state.loadBalancers.has(first.green)).toBe(true);

    const again = await ops.gc({ ...options(), yes: true });
    expect(names(again.plan.remove)).toEqual([`load-balancer ${first.green}`, `launch-configuration ${first.green}`]);
    expect(again.deleted).toBe(2);
    expect((await ops.gc(options())).plan.remove).toEqual([]);
  });
});

describe('gc with swap-instances', () => {
  it("keeps the launch and image the live group uses; an earlier deployment's launch goes (its rollback is no longer possible)", async () => {
    await writeFile(
      configFile,
      `service: shop\nstrategy: swap-instances\nblue: {autoScalingGroup: shop-web}\nrelease: {image: ${NEW_IMAGE}}\nhealth: {timeout: 300s, interval: 10s}\nretire: {after: 0s}\n`,
    );
    const swap = swapWorld();
    world = { ...world, aws: swap.aws, clock: swap.clock };
    const first = await deployOnce();
    const second = await deployOnce();
    const tags = (id: string) => [
      { Key: TAG.service, Value: 'shop' },
      { Key: TAG.deployment, Value: id },
    ];
    // Images baked by each (as a release by commands would): the first's is unused now.
    swap.aws.state.images.set('ami-0first', { ImageId: 'ami-0first', Name: `shop-swap-${first.id}`, State: 'available', Tags: tags(first.id) });
    swap.aws.state.images.set('ami-0second', { ImageId: 'ami-0second', Name: `shop-swap-${second.id}`, State: 'available', Tags: tags(second.id) });
    expect(swap.aws.state.groups.get('shop-web')?.group.LaunchConfigurationName).toBe(`shop-swap-${second.id}`);

    swap.aws.calls.length = 0;
    const { plan, config } = await ops.gc({ ...options(), yes: true });
    expect(names(plan.remove)).toEqual([`launch-configuration shop-swap-${first.id}`, 'image ami-0first']);
    // Every call it made is allowed by the policy generated for the swap-instances config.
    const allowed = new Set(policyFor(needsOf(config)).Statement[0]!.Action as string[]);
    const called = [...new Set(swap.aws.calls.map((c) => c.operation))];
    expect(called).toEqual(
      expect.arrayContaining(['inventory.launchConfigurationsByPrefix', 'launch.deleteLaunchConfiguration', 'images.deleteImage']),
    );
    expect(called.flatMap((m) => (PORT_ACTIONS[m as PortMethod] ?? [`${m}: unknown`]).filter((x) => !allowed.has(x)))).toEqual([]);
    const kept = Object.fromEntries(plan.keep.map((k) => [`${k.type} ${k.name}`, k.why]));
    expect(kept[`launch-configuration shop-swap-${second.id}`]).toBe('used by the live stack (shop-web)');
    expect(kept['image ami-0second']).toBe(`used by the live stack (shop-web) (deployment ${second.id})`);
    expect(swap.aws.state.launchConfigurations.has(`shop-swap-${first.id}`)).toBe(false);
    expect(swap.aws.state.launchConfigurations.has(`shop-swap-${second.id}`)).toBe(true);
    expect(swap.aws.state.launchConfigurations.has('shop-web-lc')).toBe(true); // not ours
  });
});

describe('gc finds by tag what no name would', () => {
  const tagged = (id: string) => [
    { Key: TAG.service, Value: 'shop' },
    { Key: TAG.deployment, Value: id },
  ];
  const alarmInput = (AlarmName: string, Tags: { Key: string; Value: string }[]) => ({
    AlarmName,
    MetricName: 'CPUUtilization',
    Namespace: 'AWS/EC2',
    Statistic: 'Average' as const,
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 90,
    ComparisonOperator: 'GreaterThanThreshold' as const,
    Tags,
  });

  it("a failed deployment's alarm, tagged for the service and a deployment no journal knows, named as no bluegreen copy is: listed, then deleted", async () => {
    await deployOnce();
    world.aws.addAlarm(alarmInput('checkout-latency-high', tagged('f4il0')));
    // Not ours: another service's (a value that only starts like ours), and an untagged one with our kind of name.
    world.aws.addAlarm(alarmInput('cart-latency-high', [{ Key: TAG.service, Value: 'shop-blue' }]));
    world.aws.addAlarm({ ...alarmInput('shop-green-f4il0-cpu', []), Tags: undefined });

    const listed = await ops.gc(options());
    expect(names(listed.plan.remove)).toEqual(['alarm checkout-latency-high']);
    expect(listed.plan.remove[0]).toMatchObject({ deploymentId: 'f4il0', foundBy: 'tag:GetResources' });
    expect(listed.found.map((r) => r.name)).not.toContain('cart-latency-high');
    expect(listed.found.map((r) => r.name)).not.toContain('shop-green-f4il0-cpu');
    expect(world.aws.state.alarms.has('checkout-latency-high')).toBe(true); // without yes nothing changes

    const done = await ops.gc({ ...options(), yes: true });
    expect(done.deleted).toBe(1);
    expect(world.aws.state.alarms.has('checkout-latency-high')).toBe(false);
    expect(world.aws.state.alarms.has('cart-latency-high')).toBe(true);
    expect(world.aws.state.alarms.has('shop-green-f4il0-cpu')).toBe(true);
  });

  it('whatever the strategy: a replica-listener target group and an orphan snapshot are found under a replica-dns config', async () => {
    await deployOnce();
    const arn = world.aws.addTargetGroup('shop-green-lstn1', [], {}, { tags: tagged('lstn1') });
    world.aws.state.snapshots.set('snap-0orphan', { SnapshotId: 'snap-0orphan', ImageId: 'ami-0deregistered', Tags: tagged('lstn1') });
    const { plan } = await ops.gc({ ...options(), yes: true });
    expect(names(plan.remove)).toEqual(['target-group shop-green-lstn1', 'snapshot snap-0orphan']);
    expect([...world.aws.state.targetGroups.keys()]).not.toContain(arn);
    expect(world.aws.state.snapshots.has('snap-0orphan')).toBe(false);
  });

  it('--older-than keeps the leftovers of recent deployments, by their journal time or their oldest resource', async () => {
    const first = await deployOnce();
    await deployOnce();
    await deployOnce();
    world.aws.addAlarm(alarmInput('checkout-latency-high', tagged('f4il0'))); // made now: young
    const week = { seconds: 7 * 86_400, label: '7d' };
    const { plan } = await ops.gc({ ...options(), olderThan: week });
    expect(plan.remove).toEqual([]);
    const why = Object.fromEntries(plan.keep.map((k) => [`${k.type} ${k.name}`, k.why]));
    expect(why[`auto-scaling-group ${first.green}`]).toMatch(
      new RegExp(`^younger than --older-than 7d: deployment ${first.id} started .* \\(by its journal\\) \\(deployment ${first.id}\\)$`),
    );
    expect(why['alarm checkout-latency-high']).toMatch(/^younger than --older-than 7d: deployment f4il0 started .* \(by its oldest resource\)/);

    world.clock.advance(8 * 24 * HOUR);
    const later = await ops.gc({ ...options(), olderThan: week });
    expect(names(later.plan.remove)).toEqual([
      `alarm ${first.green}-shop-web-cpu-high`,
      `auto-scaling-group ${first.green}`,
      `load-balancer ${first.green}`,
      `launch-configuration ${first.green}`,
      'alarm checkout-latency-high',
    ]);
  });
});

describe('gc with swap-instances keeps what is in a group', () => {
  it("an instance swap-instances launched and never attached goes; the ones it attached to the live group stay, with the group's reason", async () => {
    await writeFile(
      configFile,
      `service: shop\nstrategy: swap-instances\nblue: {autoScalingGroup: shop-web}\nrelease: {image: ${NEW_IMAGE}}\nhealth: {timeout: 300s, interval: 10s}\nretire: {after: 0s}\n`,
    );
    const swap = swapWorld();
    world = { ...world, aws: swap.aws, clock: swap.clock };
    const first = await deployOnce();
    // A crashed second deployment launched one and never attached it (its journal was lost).
    const [stray] = swap.aws.addInstances(1, {
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: TAG.service, Value: 'shop' },
            { Key: TAG.deployment, Value: 'l0st1' },
          ],
        },
      ],
    });
    const { plan } = await ops.gc({ ...options(), yes: true });
    expect(names(plan.remove)).toEqual([`instance ${stray}`]);
    const attached = plan.keep.filter((k) => k.type === 'instance');
    expect(attached.length).toBeGreaterThan(0);
    for (const k of attached) {
      expect(k.deploymentId).toBe(first.id);
      expect(k.why).toBe('in Auto Scaling group shop-web: an instance of a group goes with its group, never alone');
    }
    expect(swap.aws.instance(stray!)?.State?.Name).toMatch(/shutting-down|terminated/);
    for (const k of attached) expect(swap.aws.instance(k.name)?.State?.Name).toBe('running');
  });
});
