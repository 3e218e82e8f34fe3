import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { DeploymentError, VerificationError } from '../../../src/errors.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { awsError } from '../../fakes/aws.js';
import { FakeJournal } from '../../support/virtual-clock.js';
import { blueWorld, configFor, NEW_IMAGE, noRemote, RECORD, SNS, USER_DATA, ZONE, type World } from './world.js';

const GREEN = 'shop-green-k3x9a';

async function planned(world: World, config: Config = configFor()) {
  const observed = await replicaDns.observe(config, world.aws);
  const plan = replicaDns.plan(config, observed, 'k3x9a');
  return { plan, steps: plan.steps, registry: replicaDns.handlers(world.aws, noRemote) };
}

const upTo = (steps: StepDescriptor[], id: string) => steps.slice(0, steps.findIndex((s) => s.id === id) + 1);
const step = (steps: StepDescriptor[], id: string) => steps.find((s) => s.id === id) as StepDescriptor;

/** Fails the test if a resource is created or a value changed before the journal says so. */
function journalFirst(world: World) {
  world.aws.beforeMutation = (operation, args) => {
    const stepId = world.journal.current;
    if (!stepId) return;
    const outputs = JSON.stringify(world.journal.outputs[stepId] ?? {});
    const input = args[0] as Record<string, string>;
    const expected: Record<string, string | undefined> = {
      'launch.createLaunchConfiguration': input.LaunchConfigurationName,
      'launch.createLaunchTemplate': input.LaunchTemplateName,
      'classicLoadBalancers.create': input.LoadBalancerName,
      'groups.createGroup': input.AutoScalingGroupName,
      'groups.putPolicy': input.PolicyName,
      'alarms.putAlarm': input.AlarmName,
    };
    if (operation in expected) {
      expect(outputs, `${operation} before the journal names it`).toContain(`"${expected[operation]}"`);
    }
    if (operation === 'dns.change' && stepId === STEP.switchDns && !world.journal.outputs[stepId]?.restoreChangeId) {
      expect(world.journal.outputs[stepId]).toHaveProperty('previous');
    }
    if (operation === 'groups.updateGroup' && stepId === STEP.retireBlue) {
      expect(world.journal.outputs[stepId]).toHaveProperty('blueSizes');
    }
    if (operation === 'groups.suspendProcesses' && stepId === STEP.retireBlue) {
      expect(world.journal.outputs[stepId]?.suspended).toEqual(args[1]);
    }
  };
}

describe('replica-dns handlers against the in-memory AWS', () => {
  it('deploys green, switches the record, and undo puts every resource back as it was', async () => {
    const world = blueWorld();
    const start = world.aws.snapshot();
    const { steps, registry, plan } = await planned(world, configFor({ retire: { afterSeconds: 300, action: 'keep' } }));
    journalFirst(world);

    await world.journal.applyAll(registry, steps);

    const { aws } = world;
    const green = await aws.groups.describeGroup(GREEN);
    expect(green?.LaunchConfigurationName).toBe(GREEN);
    expect(green?.LoadBalancerNames).toEqual([GREEN]);
    expect(green?.Instances?.filter((i) => i.LifecycleState === 'InService')).toHaveLength(2);
    expect(green?.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(['AZRebalance']);
    expect(green?.EnabledMetrics).toEqual([{ Metric: 'GroupInServiceInstances', Granularity: '1Minute' }]);
    expect((await aws.groups.describeLifecycleHooks(GREEN)).map((h) => h.LifecycleHookName)).toEqual(['drain']);
    expect(green?.Tags?.map((t) => [t.Key, t.Value, t.PropagateAtLaunch])).toEqual([
      ['Name', 'shop-web', true],
      ['bluegreen:service', 'shop', true],
      ['bluegreen:deployment', 'k3x9a', true],
      ['bluegreen:color', 'green', true],
    ]);
    const lc = await aws.launch.describeLaunchConfiguration(GREEN);
    expect(lc).toMatchObject({ ImageId: NEW_IMAGE, UserData: USER_DATA, InstanceType: 't3.small', KeyName: 'ops' });
    const [lb] = await aws.classicLoadBalancers.describe([GREEN]);
    expect(lb?.HealthCheck?.Target).toBe('HTTP:8080/up');
    expect((await aws.classicLoadBalancers.describeAttributes(GREEN)).ConnectionDraining).toEqual({ Enabled: true, Timeout: 120 });

    const policies = await aws.groups.describePolicies(GREEN);
    expect(policies.map((p) => p.PolicyName).sort()).toEqual(['cpu-50', 'scale-up']);
    const up = policies.find((p) => p.PolicyName === 'scale-up');
    const [alarm] = await aws.alarms.describeAlarms(['shop-green-k3x9a-shop-web-cpu-high']);
    expect(alarm?.AlarmActions).toEqual([up?.PolicyARN, SNS]);
    expect(alarm?.Dimensions).toEqual([{ Name: 'AutoScalingGroupName', Value: GREEN }]);
    expect(world.journal.outputs[STEP.copyScalingPolicies]?.policyArns).toMatchObject({ 'scale-up': up?.PolicyARN });

    const record = await aws.dns.getRecord(ZONE, RECORD, 'A');
    expect(record?.AliasTarget).toEqual({ HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: lb?.DNSName, EvaluateTargetHealth: true });
    expect(world.journal.outputs[STEP.switchDns]?.previous).toMatchObject({ AliasTarget: { DNSName: `dualstack.${world.blueLbDns}.` } });

    // Secrets never reach the journal.
    expect(JSON.stringify(world.journal.outputs)).not.toContain(USER_DATA);
    expect(JSON.stringify(plan)).not.toContain(USER_DATA);

    await world.journal.undoAll(registry, steps);
    expect(aws.snapshot()).toEqual(start);
  });

  it('copies a launch template version pinned by number, and undo deletes the copy', async () => {
    const world = blueWorld({ launch: 'template' });
    const start = world.aws.snapshot();
    const { steps, registry } = await planned(world, configFor({ retire: { afterSeconds: 0, action: 'keep' } }));
    journalFirst(world);
    await world.journal.applyAll(registry, steps);

    const version = await world.aws.launch.describeLaunchTemplateVersion({ name: GREEN }, '1');
    expect(version?.LaunchTemplateData).toEqual({
      ImageId: NEW_IMAGE,
      InstanceType: 't3.small',
      UserData: USER_DATA,
      SecurityGroupIds: ['sg-0123'],
      MetadataOptions: { HttpTokens: 'required' },
    });
    expect((await world.aws.groups.describeGroup(GREEN))?.LaunchTemplate).toEqual({ LaunchTemplateName: GREEN, Version: '1' });
    expect(world.aws.state.templates.get(GREEN)?.tags.map((t) => t.Key)).toEqual(['bluegreen:service', 'bluegreen:deployment', 'bluegreen:color']);

    await world.journal.undoAll(registry, steps);
    expect(world.aws.snapshot()).toEqual(start);
  });

  it('applying every step twice creates nothing twice', async () => {
    const once = blueWorld();
    const p1 = await planned(once);
    await once.journal.applyAll(p1.registry, p1.steps);

    const twice = blueWorld();
    const p2 = await planned(twice);
    for (const s of p2.steps) {
      await twice.journal.apply(p2.registry, s);
      await twice.journal.apply(p2.registry, s);
    }
    for (const op of ['launch.createLaunchConfiguration', 'classicLoadBalancers.create', 'groups.createGroup', 'groups.putLifecycleHook']) {
      expect(twice.aws.callsTo(op), op).toHaveLength(op === 'groups.putLifecycleHook' ? 0 : 1);
    }
    expect(twice.aws.snapshot()).toEqual(once.aws.snapshot());
    expect(twice.aws.state.alarms.size).toBe(once.aws.state.alarms.size);
  });

  it('undo is idempotent and tolerates resources that are already gone', async () => {
    const world = blueWorld();
    const start = world.aws.snapshot();
    const { steps, registry } = await planned(world, configFor({ retire: { afterSeconds: 0, action: 'keep' } }));
    await world.journal.applyAll(registry, steps);
    await world.aws.groups.deleteGroup(GREEN); // someone removed it by hand
    await world.journal.undoAll(registry, steps);
    await world.journal.undoAll(registry, steps);
    expect(world.aws.snapshot()).toEqual(start);
  });

  it('waits for health with "n of m" progress and fails with VerificationError after exactly the timeout', async () => {
    const world = blueWorld({ inServiceAfterSeconds: null });
    const start = world.aws.snapshot();
    const { steps, registry } = await planned(world);
    const before = upTo(steps, STEP.copyAlarms);
    await world.journal.applyAll(registry, before);

    const t0 = world.clock.now();
    const wait = world.journal.apply(registry, step(steps, STEP.waitHealthy));
    await expect(wait).rejects.toBeInstanceOf(VerificationError);
    await expect(wait).rejects.toThrow(
      /timed out after 300s waiting for shop-green-k3x9a.*last seen: 0 of 2 instances InService in shop-green-k3x9a/,
    );
    expect(world.clock.now() - t0).toBe(300_000);
    const progress = world.journal.progressOf(STEP.waitHealthy);
    expect(progress).toHaveLength(31); // t = 0, 10, ..., 300
    expect(new Set(progress)).toEqual(new Set([`0 of 2 instances InService in ${GREEN}`]));

    // The engine would now roll back: every started step undone, newest first.
    await world.journal.undoAll(registry, upTo(steps, STEP.waitHealthy));
    expect(world.aws.snapshot()).toEqual(start);
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toMatchObject({ AliasTarget: { DNSName: `dualstack.${world.blueLbDns}.` } });
  });

  it('reports progress as instances come into service', async () => {
    const world = blueWorld({ inServiceAfterSeconds: 25 });
    const { steps, registry } = await planned(world);
    await world.journal.applyAll(registry, upTo(steps, STEP.waitHealthy));
    expect(world.journal.progressOf(STEP.waitHealthy)).toEqual([
      `0 of 2 instances InService in ${GREEN}`,
      `0 of 2 instances InService in ${GREEN}`,
      `0 of 2 instances InService in ${GREEN}`,
      `2 of 2 instances InService in ${GREEN}`,
    ]);
  });

  it("switch-dns refuses to point the record at green short of blue's capacity (here none InService)", async () => {
    const world = blueWorld({ inServiceAfterSeconds: null });
    const { steps, registry } = await planned(world);
    await world.journal.applyAll(registry, upTo(steps, STEP.copyAlarms));
    await expect(world.journal.apply(registry, step(steps, STEP.switchDns))).rejects.toThrow(
      new VerificationError(`refusing to move traffic to ${GREEN}: 0 of 2 instances InService in ${GREEN}; 2 needed (shop-web's DesiredCapacity)`),
    );
    expect(world.aws.callsTo('dns.change')).toHaveLength(0);
    expect(world.journal.outputs[STEP.switchDns]).toBeUndefined();
    // Undo of a switch that never happened touches nothing.
    await world.journal.undo(registry, step(steps, STEP.switchDns));
    expect(world.aws.callsTo('dns.change')).toHaveLength(0);
  });

  it('switch-dns uses the published zone id when the description lacks one (moto) and undo restores the record', async () => {
    const world = blueWorld({ omitCanonicalZone: true });
    const { steps, registry } = await planned(world);
    const previous = await world.aws.dns.getRecord(ZONE, RECORD, 'A');
    await world.journal.applyAll(registry, upTo(steps, STEP.switchDns));
    expect((await world.aws.dns.getRecord(ZONE, RECORD, 'A'))?.AliasTarget?.HostedZoneId).toBe('Z35SXDOTRQ7X7K');
    await world.journal.undo(registry, step(steps, STEP.switchDns));
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toEqual(previous);
  });

  it('undo of switch-dns leaves the record alone when it no longer points at green', async () => {
    const world = blueWorld();
    const { steps, registry } = await planned(world);
    await world.journal.applyAll(registry, upTo(steps, STEP.switchDns));
    const elsewhere: ResourceRecordSet = {
      Name: `${RECORD}.`,
      Type: 'A',
      AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'other-1.us-east-1.elb.amazonaws.com', EvaluateTargetHealth: false },
    };
    world.aws.putRecord(ZONE, elsewhere);
    await world.journal.undo(registry, step(steps, STEP.switchDns));
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toEqual(elsewhere);
  });

  it('wait-retire records its end once, so a resumed wait waits only what remains', async () => {
    const world = blueWorld();
    const { steps, registry } = await planned(world);
    const wait = step(steps, STEP.waitRetire);
    world.journal.controller.abort(new Error('interrupted'));
    await expect(world.journal.apply(registry, wait)).rejects.toThrow('interrupted');
    const until = world.journal.outputs[STEP.waitRetire]?.until as number;
    expect(until).toBe(world.clock.now() + 300_000);

    // The process died; 125 s later the deployment is resumed with a new signal.
    world.clock.advance(125_000);
    const resumed = new FakeJournal(world.clock);
    Object.assign(resumed.outputs, world.journal.outputs);
    const t0 = world.clock.now();
    await resumed.apply(registry, wait);
    expect(world.clock.now() - t0).toBe(175_000);
    expect(world.clock.now()).toBe(until);
    const progress = resumed.progressOf(STEP.waitRetire);
    expect(progress[0]).toBe('175s left before retiring blue');
    expect(progress.at(-1)).toBe('no time left before retiring blue');
  });

  it('retire-blue scale-to-zero sets every size to 0 and suspends what would scale blue up; undo restores them and waits for blue', async () => {
    const world = blueWorld();
    const { steps, registry } = await planned(world);
    journalFirst(world);
    await world.journal.applyAll(registry, steps);
    const blue = await world.aws.groups.describeGroup('shop-web');
    expect([blue?.MinSize, blue?.MaxSize, blue?.DesiredCapacity]).toEqual([0, 0, 0]);
    // blue's termination hook (drain, 60s) holds its instances a while
    expect(blue?.Instances?.map((i) => i.LifecycleState)).toEqual(['Terminating:Wait', 'Terminating:Wait']);
    expect(world.journal.outputs[STEP.retireBlue]).toEqual({
      blueSizes: { MinSize: 2, MaxSize: 4, DesiredCapacity: 2 },
      suspended: ['AlarmNotification', 'ScheduledActions'],
      forecastOnly: [],
    });

    const t0 = world.clock.now();
    await world.journal.undo(registry, step(steps, STEP.retireBlue));
    const restored = await world.aws.groups.describeGroup('shop-web');
    expect([restored?.MinSize, restored?.MaxSize, restored?.DesiredCapacity]).toEqual([2, 4, 2]);
    expect(restored?.Instances?.filter((i) => i.LifecycleState === 'InService')).toHaveLength(2);
    expect(world.clock.now() - t0).toBe(30_000);
    expect(world.journal.progressOf(STEP.retireBlue).at(-1)).toBe('2 of 2 instances InService in shop-web-elb');

    await world.journal.undoAll(registry, steps.slice(0, -1));
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toMatchObject({ AliasTarget: { DNSName: `dualstack.${world.blueLbDns}.` } });
    expect(await world.aws.groups.describeGroup(GREEN)).toBeUndefined();
  });

  it('retire-blue delete removes blue but not a launch configuration bluegreen did not make; undo refuses', async () => {
    const world = blueWorld();
    const { steps, registry } = await planned(world, configFor({ retire: { afterSeconds: 300, action: 'delete' } }));
    await world.journal.applyAll(registry, steps);
    expect(await world.aws.groups.describeGroup('shop-web')).toBeUndefined();
    expect(await world.aws.classicLoadBalancers.describe(['shop-web-elb'])).toEqual([]);
    // The alarm also notifies SNS: kept with that action, without blue's policy.
    expect((await world.aws.alarms.describeAlarms(['shop-web-cpu-high']))[0]?.AlarmActions).toEqual([SNS]);
    expect([...world.aws.state.alarms.keys()].filter((n) => /^(TargetTracking-)?shop-web-/.test(n))).toEqual(['shop-web-cpu-high']);
    expect(await world.aws.launch.describeLaunchConfiguration('shop-web-lc')).toBeDefined();
    await expect(world.journal.undo(registry, step(steps, STEP.retireBlue))).rejects.toBeInstanceOf(DeploymentError);
  });

  it('retire-blue keep changes nothing', async () => {
    const world = blueWorld();
    const { steps, registry } = await planned(world, configFor({ retire: { afterSeconds: 0, action: 'keep' } }));
    await world.journal.applyAll(registry, steps.slice(0, -1));
    const before = world.aws.snapshot();
    await world.journal.apply(registry, step(steps, STEP.retireBlue));
    await world.journal.undo(registry, step(steps, STEP.retireBlue));
    expect(world.aws.snapshot()).toEqual(before);
  });

  // A failure at each step, in the middle of it where possible: undo cleans up, or resume finishes.
  const failures: [string, string, { skip?: number }][] = [
    [STEP.createLaunch, 'launch.createLaunchConfiguration', {}],
    [STEP.createLoadBalancer, 'classicLoadBalancers.modifyAttributes', {}],
    [STEP.createGroup, 'groups.enableMetrics', {}],
    [STEP.copyScalingPolicies, 'groups.putPolicy', { skip: 1 }],
    [STEP.copyAlarms, 'alarms.putAlarm', {}],
    [STEP.waitHealthy, 'classicLoadBalancers.instanceHealth', {}],
    [STEP.switchDns, 'dns.waitInSync', {}],
    [STEP.retireBlue, 'groups.updateGroup', {}],
  ];

  describe.each(failures)('a failure in %s (%s)', (id, operation, options) => {
    it('is cleaned up by undoing every started step', async () => {
      const world = blueWorld();
      const start = world.aws.snapshot();
      const { steps, registry } = await planned(world);
      journalFirst(world);
      const started = upTo(steps, id);
      await world.journal.applyAll(registry, started.slice(0, -1));
      world.aws.failOn(operation, awsError(operation), options);
      await expect(world.journal.apply(registry, started.at(-1) as StepDescriptor)).rejects.toThrow(/injected failure/);
      await world.journal.undoAll(registry, started);
      expect(world.aws.snapshot()).toEqual(start);
    });

    it('is finished by running the step again (resume)', async () => {
      const world = blueWorld();
      const { steps, registry } = await planned(world);
      const started = upTo(steps, id);
      await world.journal.applyAll(registry, started.slice(0, -1));
      world.aws.failOn(operation, awsError(operation), options);
      await expect(world.journal.apply(registry, started.at(-1) as StepDescriptor)).rejects.toThrow(/injected failure/);
      await world.journal.applyAll(registry, steps.slice(started.length - 1));

      const clean = blueWorld();
      const p = await planned(clean);
      await clean.journal.applyAll(p.registry, p.steps);
      const names = (w: World) => ({
        groups: [...w.aws.state.groups.keys()].sort(),
        lbs: [...w.aws.state.loadBalancers.keys()].sort(),
        lcs: [...w.aws.state.launchConfigurations.keys()].sort(),
        alarms: [...w.aws.state.alarms.keys()].filter((n) => !n.startsWith('TargetTracking-')).sort(),
        alarmCount: w.aws.state.alarms.size,
        policies: [...(w.aws.state.groups.get(GREEN)?.policies.keys() ?? [])].sort(),
        record: w.aws.state.zones.get(ZONE)?.records,
        blue: w.aws.state.groups.get('shop-web')?.group.DesiredCapacity,
      });
      expect(names(world)).toEqual(names(clean));
    });
  });
});
