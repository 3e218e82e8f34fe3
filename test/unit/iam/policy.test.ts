/**
 * The generated IAM policies (src/iam/policy.ts) against what the code really calls: each built strategy's
 * full deploy and rollback (and its retire variants) run on the in-memory AWS, whose call log names every
 * port method called; each method maps to IAM actions through src/iam/actions.ts, and every one must be in
 * the policy generated for that config. And the union of all generated policies is docs/iam-policy.json's
 * first statement, so the documented full policy and the generator cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Config, ReplicaDnsConfig, SwapInstancesConfig } from '../../../src/config/schema.js';
import { runForward, runRollback } from '../../../src/engine/runner.js';
import type { Journal } from '../../../src/engine/types.js';
import { allNeeds, DOCUMENTED_STATE, needsOf, policyFor, portMethodsFor, type PolicyNeeds } from '../../../src/iam/policy.js';
import { PORT_ACTIONS, type PortMethod } from '../../../src/iam/actions.js';
import { SsmRunner } from '../../../src/remote/ssm.js';
import type { StrategyServices } from '../../../src/strategies/types.js';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { swapInstances } from '../../../src/strategies/swap-instances/index.js';
import { awsError, type FakeAws } from '../../fakes/aws.js';
import { FakeRemote } from '../../fakes/remote.js';
import type { VirtualClock } from '../../support/virtual-clock.js';
import { blueWorld, configFor, engineRun } from '../replica-dns/world.js';
import { commandsConfig as swapCommands, swapConfig } from '../swap-instances/fixtures.js';
import { swapWorld } from '../swap-instances/world.js';

const ROOT = new URL('../../../', import.meta.url);
const COMMANDS = ['sudo systemctl stop shop', 'sudo /opt/shop/update.sh 42', 'sudo systemctl start shop'];

/** ssh through the fake remote runner; ssm through the real SSM runner on the fake's SSM port. */
function services(aws: FakeAws, clock: VirtualClock): StrategyServices {
  const remote = new FakeRemote();
  return { remote: (via) => (via === 'ssm' ? new SsmRunner(aws.ssm, clock) : remote) };
}

function calledMethods(aws: FakeAws): string[] {
  return [...new Set(aws.calls.map((c) => c.operation))].sort();
}

/** Port methods called that the table does not know, or whose actions the generated policy lacks. */
function uncovered(called: string[], config: Config): string[] {
  const allowed = new Set(policyFor(needsOf(config)).Statement[0]!.Action as string[]);
  const problems: string[] = [];
  for (const method of called) {
    const actions = (PORT_ACTIONS as Record<string, readonly string[] | undefined>)[method];
    if (!actions) problems.push(`${method}: no entry in src/iam/actions.ts`);
    else for (const a of actions) if (!allowed.has(a)) problems.push(`${method}: ${a} is not in the policy for ${needsOf(config).strategy} ${needsOf(config).release}`);
  }
  return problems;
}

async function replicaDnsRun(config: ReplicaDnsConfig, launch: 'configuration' | 'template', rollback: boolean): Promise<string[]> {
  const world = blueWorld({ launch });
  for (const name of config.gates?.alarms ?? []) {
    world.aws.addAlarm({ AlarmName: name, MetricName: 'HTTPCode_Backend_5XX', Namespace: 'AWS/ELB', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' });
  }
  world.aws.runningAfterSeconds = 20;
  world.aws.imageAvailableAfterSeconds = 120;
  const observed = await replicaDns.observe(config, world.aws);
  const plan = replicaDns.plan(config, observed, 'k3x9a');
  const registry = replicaDns.handlers(world.aws, services(world.aws, world.clock));
  const { journal, options } = engineRun(world, config, plan, registry);
  const done = await runForward(journal, options, 'deploy');
  expect(done.status).toBe('succeeded');
  if (rollback) expect((await runRollback(done, options)).status).toBe('rolled-back');
  return calledMethods(world.aws);
}

async function swapRun(config: SwapInstancesConfig, launch: 'configuration' | 'template', failAt?: string): Promise<string[]> {
  const world = swapWorld({ launch });
  // AWS describes a group's launch template by id and name; the world seeds the name alone.
  const seeded = world.aws.state.groups.get('shop-web')?.group.LaunchTemplate;
  if (seeded) seeded.LaunchTemplateId = world.aws.state.templates.get('shop-web-lt')?.id;
  const observed = await swapInstances.observe(config, world.aws);
  const plan = swapInstances.plan(config, observed, 'k3x9a');
  const registry = swapInstances.handlers(world.aws, services(world.aws, world.clock));
  const { journal, options, store } = engineRun(world, config, plan, registry);
  if (failAt) {
    // A late step fails and stops; then rollback runs every undo before it.
    world.aws.failOn(failAt, awsError('elb', 'shop-web-elb', 'InternalFailure'));
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/stopped at step/);
    const stopped = (await store.current()) as Journal;
    expect((await runRollback(stopped, options)).status).toBe('rolled-back');
  } else {
    expect((await runForward(journal, options, 'deploy')).status).toBe('succeeded');
  }
  return calledMethods(world.aws);
}

const replicaReleases: Array<[string, ReplicaDnsConfig['release']]> = [
  ['image', configFor().release],
  ['commands via ssh', { kind: 'commands', commands: COMMANDS, via: 'ssh' }],
  ['commands via ssm', { kind: 'commands', commands: COMMANDS, via: 'ssm' }],
];

describe('the policy generated for each strategy and release allows every call its deploy and rollback make', () => {
  for (const [name, release] of replicaReleases) {
    for (const launch of ['configuration', 'template'] as const) {
      it(`replica-dns, release ${name}, blue on a launch ${launch}: deploy, rollback; deploy with retire delete`, async () => {
        const config = configFor({ release });
        const called = [
          ...(await replicaDnsRun(config, launch, true)),
          ...(await replicaDnsRun(configFor({ release, retire: { afterSeconds: 300, action: 'delete' } }), launch, false)),
        ];
        if (release.kind === 'commands' && release.via === 'ssm') expect(called).toContain('ssm.sendShellCommand');
        expect(uncovered([...new Set(called)], config)).toEqual([]);
      });
    }
  }

  for (const [name, config] of [
    ['image', swapConfig()],
    ['commands via ssh', swapCommands('ssh')],
    ['commands via ssm', swapCommands('ssm')],
  ] as const) {
    for (const launch of ['configuration', 'template'] as const) {
      it(`swap-instances, release ${name}, group on a launch ${launch}: deploy; deploy that rolls itself back`, async () => {
        const called = [
          ...(await swapRun(config, launch)),
          ...(await swapRun(config, launch, 'classicLoadBalancers.deregisterInstances')),
        ];
        expect(called).toEqual(expect.arrayContaining(['groups.terminateInstanceInGroup', 'classicLoadBalancers.registerInstances', 'groups.detachInstances']));
        expect(uncovered([...new Set(called)], config)).toEqual([]);
      });
    }
  }

  it('replica-dns with gates.alarms: the alarms are read, and the policy allows it', async () => {
    const config = configFor({ gates: { alarms: ['shop-5xx'], http: [] } });
    const called = await replicaDnsRun(config, 'configuration', true);
    expect(called).toContain('alarms.states');
    expect(uncovered(called, config)).toEqual([]);
  });

  it('the check fails for a call the policy does not allow, and for a method the table does not know', () => {
    expect(uncovered(['dns.change'], swapConfig())).toEqual(['dns.change: route53:ChangeResourceRecordSets is not in the policy for swap-instances image']);
    expect(uncovered(['dns.teleport'], swapConfig())).toEqual(['dns.teleport: no entry in src/iam/actions.ts']);
  });
});

describe('least privilege: each part only where the config uses it', () => {
  const actions = (needs: PolicyNeeds) => policyFor(needs).Statement[0]!.Action as string[];
  const base = { alarmGates: false, requestCount: false } as const;

  it('SSM only with release commands via ssm', () => {
    for (const needs of allNeeds()) {
      const ssm = actions(needs).filter((a) => a.startsWith('ssm:'));
      expect(ssm.length > 0, JSON.stringify(needs)).toBe(needs.via === 'ssm');
    }
  });

  it('CreateImage only with release commands; RunInstances called only with commands or swap-instances', () => {
    for (const needs of allNeeds()) {
      expect(actions(needs).includes('ec2:CreateImage'), JSON.stringify(needs)).toBe(needs.release === 'commands');
      expect(actions(needs).includes('ec2:RunInstances'), JSON.stringify(needs)).toBe(needs.release === 'commands' || needs.strategy === 'swap-instances');
    }
  });

  it('Route 53 only for replica-dns, listeners only for replica-listener, target groups not for replica-dns', () => {
    for (const needs of allNeeds()) {
      const a = actions(needs);
      expect(a.some((x) => x.startsWith('route53:')), JSON.stringify(needs)).toBe(needs.strategy === 'replica-dns');
      expect(a.includes('elasticloadbalancing:ModifyListener'), JSON.stringify(needs)).toBe(needs.strategy === 'replica-listener');
      expect(a.includes('elasticloadbalancing:DescribeTargetGroups'), JSON.stringify(needs)).toBe(needs.strategy !== 'replica-dns');
    }
  });

  it('GetMetricStatistics only with retire.untilRequestsBelow', () => {
    expect(actions({ strategy: 'replica-dns', release: 'image', ...base })).not.toContain('cloudwatch:GetMetricStatistics');
    expect(actions({ strategy: 'replica-dns', release: 'image', ...base, requestCount: true })).toContain('cloudwatch:GetMetricStatistics');
  });

  it('keeps iam:PassRole to EC2 and the permissions AWS checks on behalf of the calls', () => {
    for (const needs of allNeeds()) {
      const [, onBehalf, pass] = policyFor(needs).Statement;
      expect(pass).toMatchObject({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } });
      expect(onBehalf!.Action).toContain('ec2:CreateTags');
      expect([...actions(needs), ...(onBehalf!.Action as string[])]).toContain('ec2:RunInstances');
    }
  });

  it('lists no port method twice and only methods the table knows', () => {
    for (const needs of allNeeds()) {
      const methods = portMethodsFor(needs);
      expect(new Set(methods).size).toBe(methods.length);
      for (const m of methods) expect(PORT_ACTIONS[m as PortMethod]).toBeDefined();
    }
  });
});

describe('docs/iam-policy.json', () => {
  const documented = JSON.parse(readFileSync(new URL('docs/iam-policy.json', ROOT), 'utf8')) as {
    Statement: Array<{ Sid: string; Action: string | string[] }>;
  };

  it('its first statement is the union of every generated policy', () => {
    const union = new Set(allNeeds().flatMap((n) => policyFor(n).Statement[0]!.Action as string[]));
    expect([...union].sort()).toEqual([...(documented.Statement[0]!.Action as string[])].sort());
  });

  it('its other statements hold what the generated ones do', () => {
    const onBehalf = new Set(allNeeds().flatMap((n) => policyFor(n).Statement[1]!.Action as string[]));
    const documentedAll = new Set(documented.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
    for (const a of onBehalf) expect(documentedAll.has(a), a).toBe(true);
    // The documented policy holds the state statements too, for state.s3 (with a placeholder bucket).
    expect(documented.Statement).toEqual(expect.arrayContaining(policyFor({ ...allNeeds()[0]!, state: DOCUMENTED_STATE }).Statement.slice(3)));
    expect(documented.Statement.map((s) => s.Sid)).toEqual(policyFor({ ...allNeeds()[0]!, state: DOCUMENTED_STATE }).Statement.map((s) => s.Sid));
  });

  it('every action of the table is in it (no port method maps to an undocumented action)', () => {
    const documentedAll = new Set(documented.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
    const missing = Object.values(PORT_ACTIONS).flat().filter((a) => !documentedAll.has(a));
    expect(missing).toEqual([]);
  });
});
