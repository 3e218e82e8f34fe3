import { describe, expect, it } from 'vitest';
import { STEP, swapInstances } from '../../../src/strategies/swap-instances/index.js';
import { commandsConfig, COMMANDS, GROUP, NEW_IMAGE, OLD_IMAGE, observedFixture, swapConfig, TG_ARN, USER_DATA } from './fixtures.js';

const byId = (plan: { steps: { id: string; params: unknown }[] }) => Object.fromEntries(plan.steps.map((s) => [s.id, s]));

describe('swap-instances plan', () => {
  it('lists the steps of an image release in order, with stable ids and kinds', () => {
    const plan = swapInstances.plan(swapConfig(), observedFixture(), 'k3x9a');
    expect(plan.deploymentId).toBe('k3x9a');
    expect(plan.steps.map((s) => [s.id, s.kind])).toEqual(
      [
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
      ].map((id) => [id, `swap-instances/${id}`]),
    );
    expect(plan.steps.map((s) => s.title)).toEqual([
      `Suspend AZRebalance, AlarmNotification, ScheduledActions, ReplaceUnhealthy of ${GROUP}`,
      `Launch 3 instances like ${GROUP}'s launch configuration shop-web-lc with image ${NEW_IMAGE}`,
      'Wait until the 3 instances are running',
      `Raise MaxSize of ${GROUP} to 6`,
      `Attach the new instances to ${GROUP} and register them with shop-web-elb, shop-web`,
      `Wait until the new instances are InService in ${GROUP} and shop-web-elb, shop-web`,
      `Point ${GROUP} at launch configuration shop-swap-k3x9a (a copy of shop-web-lc with image ${NEW_IMAGE})`,
      'Wait 120s with old and new instances serving together',
      'Deregister the old instances from shop-web-elb, shop-web',
      "Wait 120s for the old instances' connections to drain",
      `Terminate the old instances in ${GROUP}, decrementing its desired capacity`,
      `Restore ${GROUP} to min 2, max 4, desired 3 and resume the processes this deployment suspended`,
    ]);
  });

  it('a commands release launches with the group image, probes, runs the commands and bakes an image', () => {
    const plan = swapInstances.plan(commandsConfig(), observedFixture(), 'k3x9a');
    expect(plan.steps.map((s) => s.id)).toEqual([
      'suspend-processes',
      'launch-instances',
      'wait-running',
      'wait-reachable',
      'run-commands',
      'bake-image',
      'raise-max-size',
      'attach-instances',
      'wait-healthy',
      'update-launch',
      'wait-retire',
      'deregister-old',
      'wait-draining',
      'terminate-old',
      'restore-group',
    ]);
    const by = byId(plan);
    // The observed image is the group's own for a commands release (observe reads it from the launch).
    expect(by[STEP.launchInstances]?.params).toMatchObject({ image: NEW_IMAGE });
    expect(by[STEP.waitReachable]?.params).toEqual({ via: 'ssh', address: 'private', connectTimeoutSeconds: 10, attempts: 3, parallel: 4 });
    expect(by[STEP.runCommands]?.params).toEqual({
      via: 'ssh',
      address: 'private',
      commands: COMMANDS,
      env: { BLUEGREEN_SERVICE: 'shop', BLUEGREEN_DEPLOYMENT: 'k3x9a' },
      parallel: 4,
    });
    expect(by[STEP.bakeImage]?.params).toEqual({
      name: 'shop-swap-k3x9a',
      reboot: true,
      description: `bluegreen k3x9a: shop baked from a new instance of ${GROUP}`,
      tags: [
        { Key: 'Name', Value: 'shop-swap-k3x9a' },
        { Key: 'bluegreen:service', Value: 'shop' },
        { Key: 'bluegreen:deployment', Value: 'k3x9a' },
      ],
      timeoutSeconds: 3600,
      intervalSeconds: 15,
    });
    // The launch copy takes the baked image, known only when bake-image has run.
    expect(by[STEP.updateLaunch]?.params).toMatchObject({ image: null, name: 'shop-swap-k3x9a' });
    expect(plan.summary).toMatchObject({ release: 'commands', image: 'shop-swap-k3x9a' });
  });

  it('puts every decision in JSON params: counts, placements, tokens, tags, sizes, draining; no secrets', () => {
    const plan = swapInstances.plan(swapConfig({ health: { timeoutSeconds: 240, intervalSeconds: 5 } }), observedFixture(), 'k3x9a');
    for (const s of plan.steps) expect(JSON.parse(JSON.stringify(s.params))).toEqual(s.params);
    expect(JSON.stringify(plan)).not.toContain(USER_DATA);
    const by = byId(plan);
    expect(by[STEP.suspendProcesses]?.params).toEqual({
      group: GROUP,
      processes: ['AZRebalance', 'AlarmNotification', 'ScheduledActions', 'ReplaceUnhealthy'],
    });
    expect(by[STEP.launchInstances]?.params).toEqual({
      group: GROUP,
      count: 3,
      image: NEW_IMAGE,
      launch: { kind: 'configuration', name: 'shop-web-lc' },
      placements: [
        { subnetId: 'subnet-a', count: 2, clientToken: 'bluegreen-shop-k3x9a-0' },
        { subnetId: 'subnet-b', count: 1, clientToken: 'bluegreen-shop-k3x9a-1' },
      ],
      tags: [
        { Key: 'Name', Value: 'shop-web' },
        { Key: 'bluegreen:service', Value: 'shop' },
        { Key: 'bluegreen:deployment', Value: 'k3x9a' },
      ],
    });
    expect(by[STEP.waitRunning]?.params).toEqual({ timeoutSeconds: 600, intervalSeconds: 5 });
    expect(by[STEP.raiseMaxSize]?.params).toEqual({ group: GROUP, count: 3, planned: { MinSize: 2, MaxSize: 4, DesiredCapacity: 3 }, maxSize: 6 });
    expect(by[STEP.attachInstances]?.params).toEqual({
      group: GROUP,
      loadBalancers: ['shop-web-elb'],
      targetGroups: [TG_ARN],
      drainingSeconds: 120,
      intervalSeconds: 5,
    });
    expect(by[STEP.waitHealthy]?.params).toEqual({
      group: GROUP,
      loadBalancers: ['shop-web-elb'],
      targetGroups: [TG_ARN],
      timeoutSeconds: 240,
      intervalSeconds: 5,
    });
    expect(by[STEP.updateLaunch]?.params).toEqual({
      kind: 'configuration',
      group: GROUP,
      name: 'shop-swap-k3x9a',
      source: 'shop-web-lc',
      image: NEW_IMAGE,
      tags: [
        { Key: 'bluegreen:service', Value: 'shop' },
        { Key: 'bluegreen:deployment', Value: 'k3x9a' },
      ],
    });
    expect(by[STEP.waitRetire]?.params).toEqual({ seconds: 120, intervalSeconds: 30 });
    expect(by[STEP.deregisterOld]?.params).toEqual({
      group: GROUP,
      loadBalancers: ['shop-web-elb'],
      targetGroups: [TG_ARN],
      planned: ['i-0old1', 'i-0old2', 'i-0old3'],
      timeoutSeconds: 240,
      intervalSeconds: 5,
    });
    expect(by[STEP.waitDraining]?.params).toEqual({
      seconds: 120,
      intervalSeconds: 30,
      reasons: ['shop-web-elb: connection draining 120s', 'shop-web: deregistration delay 45s'],
    });
    expect(by[STEP.terminateOld]?.params).toEqual({ group: GROUP, timeoutSeconds: 900, intervalSeconds: 5 });
    expect(by[STEP.restoreGroup]?.params).toEqual({ group: GROUP, sizes: { MinSize: 2, MaxSize: 4, DesiredCapacity: 3 } });
  });

  it('raises MaxSize to max(MaxSize, DesiredCapacity + InService), and only when needed', () => {
    const raise = (o: ReturnType<typeof observedFixture>) => byId(swapInstances.plan(swapConfig(), o, 'k3x9a'))[STEP.raiseMaxSize];
    expect(raise(observedFixture({ maxSize: 4 }))?.params).toMatchObject({ maxSize: 6 });
    // desired 4 with 3 InService: attaching 3 makes desired 7.
    expect(raise(observedFixture({ maxSize: 5, desired: 4 }))?.params).toMatchObject({ count: 3, maxSize: 7 });
    const roomy = swapInstances.plan(swapConfig(), observedFixture({ maxSize: 10 }), 'k3x9a').steps.find((s) => s.id === STEP.raiseMaxSize);
    expect(roomy?.params).toMatchObject({ maxSize: 10 });
    expect(roomy?.title).toBe(`Check MaxSize of ${GROUP} (10) leaves room for 3 instances`);
    expect(roomy?.changes).toBeUndefined();
    expect(swapInstances.plan(swapConfig(), observedFixture({ maxSize: 4 }), 'k3x9a').steps.find((s) => s.id === STEP.raiseMaxSize)?.changes).toEqual(
      [{ what: `MaxSize of ${GROUP}`, from: '4', to: '6' }],
    );
  });

  it('says what each step creates, changes and waits for', () => {
    const plan = swapInstances.plan(swapConfig(), observedFixture(), 'k3x9a');
    const by = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
    expect(by[STEP.launchInstances]?.creates).toEqual([{ type: 'instances', name: '3 instances tagged bluegreen:deployment=k3x9a' }]);
    expect(by[STEP.updateLaunch]?.creates).toEqual([{ type: 'launch-configuration', name: 'shop-swap-k3x9a' }]);
    expect(by[STEP.attachInstances]?.changes).toEqual([
      { what: `capacity of ${GROUP}`, from: 'min 2, max 4, desired 3', to: 'min 2, max 6, desired 6' },
    ]);
    expect(by[STEP.waitHealthy]?.waits).toBe('until 3 of 3 new instances are InService (timeout 300s, every 10s)');
    expect(by[STEP.waitDraining]?.waits).toBe('120s (shop-web-elb: connection draining 120s; shop-web: deregistration delay 45s)');
    expect(by[STEP.terminateOld]?.changes).toEqual([{ what: `instances of ${GROUP}`, from: 'i-0old1, i-0old2, i-0old3', to: 'terminated' }]);
    expect(by[STEP.restoreGroup]?.changes).toEqual([
      { what: `capacity of ${GROUP}`, from: 'min 2, max 6, desired 3', to: 'min 2, max 4, desired 3' },
    ]);
    expect(plan.summary).toEqual({
      trafficStep: 'deregister-old',
      blue: { color: 'blue', group: GROUP, instances: ['i-0old1', 'i-0old2', 'i-0old3'], launch: 'shop-web-lc' },
      green: { color: 'green', group: GROUP, instances: 3, launch: 'shop-swap-k3x9a' },
      release: 'image',
      image: NEW_IMAGE,
      sizes: { MinSize: 2, MaxSize: 4, DesiredCapacity: 3 },
    });
  });

  it('warns that rollback cannot bring the old instances back after terminate-old, and about launch configurations', () => {
    const plan = swapInstances.plan(swapConfig(), observedFixture(), 'k3x9a');
    expect(plan.warnings).toEqual([
      `${GROUP} uses launch configuration shop-web-lc; AWS no longer lets new accounts create launch configurations, so consider moving the group to a launch template`,
      'after the terminate-old step, rollback cannot bring the old instances (i-0old1, i-0old2, i-0old3) back; until then it re-registers them and removes the new ones',
    ]);
  });

  it('pins a launch template: the new instances use the resolved version, the group moves to its own copy', () => {
    const plan = swapInstances.plan(
      commandsConfig('ssm'),
      { ...observedFixture({ template: true }), image: { ImageId: OLD_IMAGE, State: 'available' } },
      'k3x9a',
    );
    const by = byId(plan);
    expect(by[STEP.launchInstances]?.params).toMatchObject({ image: OLD_IMAGE, launch: { kind: 'template', id: 'lt-0123', version: 2 } });
    expect(by[STEP.updateLaunch]?.params).toMatchObject({
      kind: 'template',
      name: 'shop-swap-k3x9a',
      source: { id: 'lt-0123', version: 2 },
      image: null,
    });
    expect(plan.warnings[0]).toBe(
      `${GROUP} uses launch template shop-web-lt as $Latest; the new instances use version 2, and the group moves to its own template shop-swap-k3x9a version 1`,
    );
    expect(by[STEP.waitReachable]?.params).toMatchObject({ via: 'ssm' });
  });

  it('with no load balancer: no draining, and a warning', () => {
    const o = { ...observedFixture(), loadBalancers: [], targetGroups: [] };
    const plan = swapInstances.plan(swapConfig(), o, 'k3x9a');
    const by = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
    expect(by[STEP.waitDraining]?.params).toEqual({ seconds: 0, intervalSeconds: 1, reasons: [] });
    expect(by[STEP.waitDraining]?.title).toBe('No draining to wait for');
    expect(plan.warnings).toContain(
      `${GROUP} has no load balancer or target group: health is the group's InService state only, and nothing drains before termination`,
    );
  });

  it('refuses a deployment id that names could not hold', () => {
    expect(() => swapInstances.plan(swapConfig(), observedFixture(), 'BAD')).toThrow(/deployment id/);
  });
});
