/**
 * The deployments whose journals are recorded (test/fixtures/compat/journals/<shape>-<stop>.json): per
 * shape a blue world in the in-memory AWS, built by the strategies' own test builders as
 * test/faults/scenarios.ts builds them, and the points where the recorded run stopped.
 */
import type { Config } from '../../../src/config/schema.js';
import type { StrategyServices } from '../../../src/strategies/types.js';
import type { FakeAws } from '../../fakes/aws.js';
import { FakeRemote } from '../../fakes/remote.js';
import type { VirtualClock } from '../../support/virtual-clock.js';
import { blueWorld, configFor as dnsConfig } from '../replica-dns/world.js';
import { configFor as listenerConfig, GATE_ALARM, listenerWorld } from '../replica-listener/world.js';
import { COMMANDS, commandsConfig, swapConfig } from '../swap-instances/fixtures.js';
import { swapWorld } from '../swap-instances/world.js';
import { addDnsGateAlarm, DNS_ALARM } from './shapes.js';

/**
 * Where the recorded run stopped:
 *  - failed: the `skip`+1-th call of `operation` answered an AWS error, and the run stopped at that step;
 *  - crashed: the process died right after the `skip`+1-th call of `operation` took effect (the journal
 *    as last saved: that step running, with what it recorded before the call);
 *  - paused: deploy --pause-before-switch (the journal's pauseBefore is the plan's pause point);
 *  - succeeded: the whole deployment.
 */
export type Stop = { name: 'failed' | 'crashed'; operation: string; skip?: number } | { name: 'paused' } | { name: 'succeeded' };

export interface JournalShape {
  name: string;
  stops: Stop[];
  build(): { aws: FakeAws; clock: VirtualClock; config: Config };
}

/** A new process's services: a fresh FakeRemote for release.commands, none for an image release. */
export function servicesFor(config: Config): StrategyServices {
  if (config.release.kind !== 'commands') {
    return {
      remote: () => {
        throw new Error('an image release asked for a remote-command runner');
      },
    };
  }
  const remote = new FakeRemote();
  return { remote: () => remote };
}

const paused: Stop = { name: 'paused' };
const succeeded: Stop = { name: 'succeeded' };

function dnsShape(name: string, overrides: Parameters<typeof dnsConfig>[0], stops: Stop[]): JournalShape {
  return {
    name,
    stops,
    build() {
      const { aws, clock } = blueWorld();
      const config = dnsConfig(overrides);
      if (config.release.kind === 'commands') {
        // As test/faults/scenarios.ts: a builder that takes time to run and an image that takes time to bake.
        aws.runningAfterSeconds = 20;
        aws.imageAvailableAfterSeconds = 120;
      }
      addDnsGateAlarm(aws);
      return { aws, clock, config };
    },
  };
}

function listenerShape(name: string, overrides: Parameters<typeof listenerConfig>[1], stops: Stop[]): JournalShape {
  return {
    name,
    stops,
    build() {
      const world = listenerWorld();
      return { aws: world.aws, clock: world.clock, config: listenerConfig(world, overrides) };
    },
  };
}

function swapShape(name: string, config: () => Config, stops: Stop[]): JournalShape {
  return {
    name,
    stops,
    build() {
      const { aws, clock } = swapWorld();
      return { aws, clock, config: config() };
    },
  };
}

export const JOURNAL_SHAPES: JournalShape[] = [
  dnsShape('replica-dns-image', { retire: { afterSeconds: 300, action: 'scale-to-zero' } }, [
    { name: 'failed', operation: 'groups.putPolicy', skip: 1 },
    { name: 'crashed', operation: 'groups.createGroup' },
    paused,
    succeeded,
  ]),
  dnsShape('replica-dns-retire-delete', { retire: { afterSeconds: 120, action: 'delete' } }, [
    { name: 'crashed', operation: 'dns.change' },
    succeeded,
  ]),
  dnsShape(
    'replica-dns-traffic',
    {
      traffic: { steps: [10, 50, 100], holdSeconds: 120 },
      gates: { alarms: [DNS_ALARM], http: [] },
      retire: { afterSeconds: 120, action: 'scale-to-zero' },
    },
    [{ name: 'failed', operation: 'dns.change', skip: 1 }, { name: 'crashed', operation: 'dns.change', skip: 2 }, paused, succeeded],
  ),
  dnsShape(
    'replica-dns-commands',
    { release: { kind: 'commands', commands: COMMANDS, via: 'ssh' }, retire: { afterSeconds: 120, action: 'scale-to-zero' } },
    [{ name: 'failed', operation: 'images.createImage' }, { name: 'crashed', operation: 'instances.terminate' }, paused, succeeded],
  ),
  listenerShape('replica-listener-switch', { retire: { afterSeconds: 60, action: 'scale-to-zero' } }, [
    { name: 'failed', operation: 'groups.putPolicy' },
    { name: 'crashed', operation: 'listeners.modify' },
    paused,
    succeeded,
  ]),
  listenerShape(
    'replica-listener-traffic',
    {
      traffic: { steps: [10, 50, 100], holdSeconds: 120 },
      gates: { alarms: [GATE_ALARM], http: [] },
      retire: { afterSeconds: 60, action: 'scale-to-zero' },
    },
    [{ name: 'failed', operation: 'listeners.modify', skip: 1 }, { name: 'crashed', operation: 'listeners.modifyRule', skip: 2 }, paused, succeeded],
  ),
  swapShape('swap-instances-image', () => swapConfig(), [
    { name: 'failed', operation: 'groups.attachInstances' },
    { name: 'crashed', operation: 'classicLoadBalancers.deregisterInstances' },
    paused,
    succeeded,
  ]),
  swapShape('swap-instances-commands', () => commandsConfig('ssh'), [
    { name: 'failed', operation: 'images.createImage' },
    { name: 'crashed', operation: 'instances.run' },
    paused,
    succeeded,
  ]),
];
