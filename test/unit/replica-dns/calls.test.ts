/**
 * The AWS calls of one replica-dns deploy, step by step, on the in-memory AWS: how many (port calls) and in
 * how many serial rounds (a round: calls sent while another is in flight count with it). Against AWS each
 * round is a round trip, so these are what a deploy waits for; a re-run step (its intent in the journal)
 * looks before it makes, a first attempt need not.
 */
import type { CreateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import type { CreateLoadBalancerCommandInput } from '@aws-sdk/client-elastic-load-balancing';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/engine/events.js';
import { runForward } from '../../../src/engine/runner.js';
import type { Journal, JsonObject } from '../../../src/engine/types.js';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { awsError, type FakeAws } from '../../fakes/aws.js';
import { blueWorld, configFor, engineRun, noRemote, type World } from './world.js';

interface StepCalls {
  calls: string[];
  rounds: number;
}

/** Records, per step (and "observe" before the first), the port calls made and their serial rounds. */
function callsByStep(aws: FakeAws, emit: (e: EngineEvent) => void): { byStep: Record<string, StepCalls>; emit: (e: EngineEvent) => void } {
  const byStep: Record<string, StepCalls> = {};
  let current = 'observe';
  let inFlight = 0;
  const entry = () => (byStep[current] ??= { calls: [], rounds: 0 });
  aws.observers.push({
    before(operation) {
      if (inFlight === 0) entry().rounds++;
      inFlight++;
      entry().calls.push(operation);
    },
    after() {
      inFlight--;
    },
  });
  return {
    byStep,
    emit(e) {
      if (e.event === 'step.started') current = e.stepId;
      emit(e);
    },
  };
}

interface Green {
  launch: string;
  loadBalancer: string;
  group: string;
  /** The create requests of the plan (CreateLoadBalancer, CreateAutoScalingGroup). */
  inputs: { loadBalancer: JsonObject; group: JsonObject };
}

async function deploy(world: World, before: (green: Green) => void = () => {}) {
  const config = configFor({ retire: { afterSeconds: 0, action: 'scale-to-zero' } });
  const recorder = callsByStep(world.aws, () => {});
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  const params = (id: string) => plan.steps.find((s) => s.id === id)?.params as JsonObject;
  before({
    launch: params('create-launch').name as string,
    loadBalancer: params('create-load-balancer').name as string,
    group: params('create-group').name as string,
    inputs: { loadBalancer: params('create-load-balancer').input as JsonObject, group: params('create-group').input as JsonObject },
  });
  const run = engineRun(world, config, plan, replicaDns.handlers(world.aws, noRemote));
  run.options.emit = recorder.emit;
  const done = await runForward(run.journal, run.options, 'deploy').catch(async () => (await run.store.current()) as Journal);
  return { done, byStep: recorder.byStep, run };
}

const OURS = [
  { Key: 'bluegreen:service', Value: 'shop' },
  { Key: 'bluegreen:deployment', Value: 'k3x9a' },
];

const count = (s: StepCalls | undefined) => ({ calls: s?.calls.length ?? 0, rounds: s?.rounds ?? 0 });

describe('the calls of a first-attempt replica-dns deploy', () => {
  it("switch-dns reads together and uses the capacity check's descriptions: 8 calls in 4 rounds", async () => {
    const world = blueWorld({ inServiceAfterSeconds: 0 });
    const { done, byStep } = await deploy(world);
    expect(done.status).toBe('succeeded');
    // Green's health with its group and blue's group; then InService, the load balancer and the record; the change; INSYNC.
    expect(byStep['switch-dns']?.calls).toEqual([
      'groups.describeGroup',
      'classicLoadBalancers.instanceHealth',
      'groups.describeGroup',
      'classicLoadBalancers.instanceHealth',
      'classicLoadBalancers.describe',
      'dns.getRecord',
      'dns.change',
      'dns.waitInSync',
    ]);
    expect(count(byStep['switch-dns'])).toEqual({ calls: 8, rounds: 4 });
  });

  it('the creates do not look first: create-launch 2 calls, create-load-balancer 5, create-group 5', async () => {
    const world = blueWorld({ inServiceAfterSeconds: 0 });
    const { done, byStep } = await deploy(world);
    expect(done.status).toBe('succeeded');
    expect(byStep['create-launch']?.calls).toEqual(['launch.describeLaunchConfiguration', 'launch.createLaunchConfiguration']);
    // The create, the health check and the attributes, then blue's policies.
    expect(byStep['create-load-balancer']?.calls).toEqual([
      'classicLoadBalancers.create',
      'classicLoadBalancers.configureHealthCheck',
      'classicLoadBalancers.modifyAttributes',
      'classicLoadBalancers.createPolicy',
      'classicLoadBalancers.setListenerPolicies',
    ]);
    expect(count(byStep['create-load-balancer'])).toEqual({ calls: 5, rounds: 5 });
    // Blue's sizes, the create, then what the create request cannot carry.
    expect(byStep['create-group']?.calls).toEqual([
      'groups.describeGroup',
      'groups.createGroup',
      'groups.suspendProcesses',
      'groups.enableMetrics',
      'groups.describeLifecycleHooks',
    ]);
  });

  it('retire-blue reads blue and its policies together: 4 calls in 3 rounds', async () => {
    const world = blueWorld({ inServiceAfterSeconds: 0 });
    const { done, byStep } = await deploy(world);
    expect(done.status).toBe('succeeded');
    expect(byStep['retire-blue']?.calls).toEqual([
      'groups.describeGroup',
      'groups.describePolicies',
      'groups.suspendProcesses',
      'groups.updateGroup',
    ]);
    expect(count(byStep['retire-blue'])).toEqual({ calls: 4, rounds: 3 });
  });

  it("a first attempt whose create answers AlreadyExists adopts a group tagged as this deployment's (an SDK retry after AWS made it), else stops", async () => {
    for (const [tags, status] of [
      [undefined, 'succeeded'],
      [[{ Key: 'team', Value: 'web', PropagateAtLaunch: false }], 'failed'],
    ] as const) {
      const world = blueWorld({ inServiceAfterSeconds: 0 });
      // AWS makes the group of the create's request (with its tags, or another's), then the create answers AlreadyExists.
      world.aws.beforeMutation = (operation, args) => {
        if (operation !== 'groups.createGroup') return;
        world.aws.beforeMutation = undefined;
        const input = args[0] as CreateAutoScalingGroupCommandInput;
        world.aws.addGroup({ ...input, ...(tags ? { Tags: [...tags] } : {}) });
      };
      const { done } = await deploy(world);
      expect(done.status).toBe(status);
      expect(world.aws.callsTo('groups.createGroup')).toHaveLength(1);
      if (status === 'failed') expect(done.error).toMatch(/step create-group failed: .*AlreadyExists/);
    }
  });

  it("a first attempt whose load balancer name is taken (DuplicateLoadBalancerName) adopts it when tagged as this deployment's, else stops", async () => {
    for (const [tags, status] of [
      [OURS, 'succeeded'],
      [[{ Key: 'team', Value: 'web' }], 'failed'],
    ] as const) {
      const world = blueWorld({ inServiceAfterSeconds: 0 });
      const { done } = await deploy(world, (green) => {
        const input = green.inputs.loadBalancer as unknown as CreateLoadBalancerCommandInput;
        world.aws.addLoadBalancer({ ...input, Tags: [...tags] });
        // moto refuses a taken name (AWS when the listeners differ): DuplicateLoadBalancerName.
        world.aws.failOn('classicLoadBalancers.create', awsError('CreateLoadBalancer', green.loadBalancer, 'DuplicateLoadBalancerName', 'taken'));
      });
      expect(done.status).toBe(status);
      if (status === 'failed') expect(done.error).toMatch(/step create-load-balancer failed: .*DuplicateLoadBalancerName/);
    }
  });

  it("a first attempt whose launch configuration name is taken adopts it (launch configurations have no tags; the name is this deployment's)", async () => {
    const world = blueWorld({ inServiceAfterSeconds: 0 });
    const { done } = await deploy(world, (names) =>
      world.aws.addLaunchConfiguration({ LaunchConfigurationName: names.launch, ImageId: 'ami-0bbbbbbbbbbbbbbb2', InstanceType: 't3.small' }),
    );
    expect(done.status).toBe('succeeded');
    expect(world.aws.callsTo('launch.createLaunchConfiguration')).toHaveLength(1);
  });

  it('a re-run looks before it makes: a step that failed after its create adopts on resume and creates nothing twice', async () => {
    for (const [after, create, describe] of [
      ['classicLoadBalancers.configureHealthCheck', 'classicLoadBalancers.create', 'classicLoadBalancers.describe'],
      ['groups.suspendProcesses', 'groups.createGroup', 'groups.describeGroup'],
    ] as const) {
      const world = blueWorld({ inServiceAfterSeconds: 0 });
      world.aws.failOn(after);
      let green = '';
      const { done, run } = await deploy(world, (names) => (green = describe === 'groups.describeGroup' ? names.group : names.loadBalancer));
      expect(done.status).toBe('failed');
      const looked = () => world.aws.callsTo(describe).filter(([name]) => JSON.stringify(name).includes(green)).length;
      expect(looked()).toBe(0);
      const resumed = await runForward(done, run.options, 'resume');
      expect(resumed.status).toBe('succeeded');
      expect(world.aws.callsTo(create)).toHaveLength(1);
      expect(looked()).toBeGreaterThan(0);
    }
  });
});
