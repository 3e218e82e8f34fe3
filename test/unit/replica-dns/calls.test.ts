/**
 * The AWS calls of one replica-dns deploy, step by step, on the in-memory AWS: how many (port calls) and in
 * how many serial rounds (a round: calls sent while another is in flight count with it). Against AWS each
 * round is a round trip, so these are what a deploy waits for; a re-run step (its intent in the journal)
 * looks before it makes, a first attempt need not.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/engine/events.js';
import { runForward } from '../../../src/engine/runner.js';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import type { FakeAws } from '../../fakes/aws.js';
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

async function deploy(world: World) {
  const config = configFor({ retire: { afterSeconds: 0, action: 'scale-to-zero' } });
  const recorder = callsByStep(world.aws, () => {});
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  const run = engineRun(world, config, plan, replicaDns.handlers(world.aws, noRemote));
  run.options.emit = recorder.emit;
  const done = await runForward(run.journal, run.options, 'deploy');
  return { done, byStep: recorder.byStep, run };
}

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
});
