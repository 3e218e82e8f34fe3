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
import { allNeeds, DOCUMENTED_STATE, needsOf, policyFor, policyNotes, portMethodsFor, type PolicyNeeds } from '../../../src/iam/policy.js';
import { PARAMETER_ACTIONS, PORT_ACTIONS, rolesPassedToAutoScaling, volumeKeysOf } from '../../../src/iam/actions.js';
import { SsmRunner } from '../../../src/remote/ssm.js';
import type { StrategyServices } from '../../../src/strategies/types.js';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { swapInstances } from '../../../src/strategies/swap-instances/index.js';
import { awsError, type FakeAws } from '../../fakes/aws.js';
import { FakeRemote } from '../../fakes/remote.js';
import type { VirtualClock } from '../../support/virtual-clock.js';
import { addFiveXxAlarm, blueWorld, configFor, engineRun } from '../replica-dns/world.js';
import { commandsConfig as swapCommands, swapConfig } from '../swap-instances/fixtures.js';
import { swapWorld } from '../swap-instances/world.js';

const ROOT = new URL('../../../', import.meta.url);
const COMMANDS = ['sudo systemctl stop shop', 'sudo /opt/shop/update.sh 42', 'sudo systemctl start shop'];

/** ssh through the fake remote runner; ssm through the real SSM runner on the fake's SSM port. */
function services(aws: FakeAws, clock: VirtualClock): StrategyServices {
  const remote = new FakeRemote();
  return { remote: (via) => (via === 'ssm' ? new SsmRunner(aws.ssm, clock) : remote) };
}

/** The calls of the last world run, with their arguments, for the parameter checks. */
let lastCalls: Call[] = [];

function calledMethods(aws: FakeAws): string[] {
  lastCalls = [...lastCalls, ...aws.calls];
  return [...new Set(aws.calls.map((c) => c.operation))].sort();
}

type Call = { operation: string; args: unknown[] };

/** Whether a statement of the policy allows the action on the resource (`*` or the exact ARN). */
function allows(policy: ReturnType<typeof policyFor>, action: string, resource: string): boolean {
  return policy.Statement.some((st) => {
    const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
    const resources = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
    return actions.includes(action) && (resources.includes('*') || resources.includes(resource));
  });
}

/**
 * What a call needs because of the parameters it was given (src/iam/actions.ts PARAMETER_ACTIONS) that the
 * policy does not allow: tags at creation on every resource, roles passed to Auto Scaling on that role,
 * KMS actions on the key the volumes name. The instance profile is passed to EC2 as the placeholder role.
 */
function uncoveredParameters(calls: readonly Call[], policy: ReturnType<typeof policyFor>): string[] {
  const problems = new Set<string>();
  for (const call of calls) {
    for (const rule of PARAMETER_ACTIONS.filter((r) => r.method === call.operation && r.applies(call.args))) {
      for (const action of rule.actions) {
        const resources =
          action === 'iam:PassRole'
            ? rule.parameter === 'IamInstanceProfile'
              ? ['arn:aws:iam::ACCOUNT_ID:role/INSTANCE_ROLE_NAME']
              : rolesPassedToAutoScaling(rule.method, call.args)
            : action.startsWith('kms:')
              ? volumeKeysOf(call.args)
              : ['*'];
        for (const r of resources) if (!allows(policy, action, r)) problems.add(`${call.operation} with ${rule.parameter}: ${action} on ${r}`);
      }
    }
  }
  return [...problems].sort();
}

/** Port methods called that the table does not know, or whose actions the generated policy lacks. */
function uncovered(called: string[], config: Config): string[] {
  const allowed = new Set(policyFor(needsOf(config)).Statement[0]!.Action as string[]);
  const problems: string[] = [];
  for (const method of called) {
    const actions = (PORT_ACTIONS as Record<string, readonly string[] | undefined>)[method];
    if (!actions) problems.push(`${method}: no entry in src/iam/actions.ts`);
    else
      for (const a of actions)
        if (!allowed.has(a)) problems.push(`${method}: ${a} is not in the policy for ${needsOf(config).strategy} ${needsOf(config).release}`);
  }
  return problems;
}

async function replicaDnsRun(config: ReplicaDnsConfig, launch: 'configuration' | 'template', rollback: boolean): Promise<string[]> {
  const world = blueWorld({ launch });
  for (const name of config.gates?.alarms ?? []) {
    addFiveXxAlarm(world.aws, { AlarmName: name });
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
        lastCalls = [];
        const config = configFor({ release });
        const called = [
          ...(await replicaDnsRun(config, launch, true)),
          ...(await replicaDnsRun(configFor({ release, retire: { afterSeconds: 300, action: 'delete' } }), launch, false)),
        ];
        if (release.kind === 'commands' && release.via === 'ssm') expect(called).toContain('ssm.sendShellCommand');
        expect(uncovered([...new Set(called)], config)).toEqual([]);
        expect(uncoveredParameters(lastCalls, policyFor(needsOf(config)))).toEqual([]);
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
        lastCalls = [];
        const called = [...(await swapRun(config, launch)), ...(await swapRun(config, launch, 'classicLoadBalancers.deregisterInstances'))];
        expect(called).toEqual(
          expect.arrayContaining(['groups.terminateInstanceInGroup', 'classicLoadBalancers.registerInstances', 'groups.detachInstances']),
        );
        expect(uncovered([...new Set(called)], config)).toEqual([]);
        expect(uncoveredParameters(lastCalls, policyFor(needsOf(config)))).toEqual([]);
      });
    }
  }

  it('replica-dns with gates.alarms: the alarms are read, and the policy allows it', async () => {
    const config = configFor({ gates: { alarms: ['shop-5xx'], http: [] } });
    const called = await replicaDnsRun(config, 'configuration', true);
    expect(called).toContain('alarms.states');
    expect(uncovered(called, config)).toEqual([]);
  });

  it('replica-dns with hooks.launching complete: the launch hooks are completed, and the policy allows it', async () => {
    const config = configFor({ hooks: { launching: 'complete' } });
    const world = blueWorld();
    await world.aws.groups.putLifecycleHook({
      AutoScalingGroupName: 'shop-web',
      LifecycleHookName: 'warmup',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    });
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    const { journal, options } = engineRun(world, config, plan, replicaDns.handlers(world.aws, services(world.aws, world.clock)));
    expect((await runForward(journal, options, 'deploy')).status).toBe('succeeded');
    const called = calledMethods(world.aws);
    expect(called).toContain('groups.completeLifecycleAction');
    expect(uncovered(called, config)).toEqual([]);
    expect(uncovered(['groups.completeLifecycleAction'], configFor())).toEqual([
      'groups.completeLifecycleAction: autoscaling:CompleteLifecycleAction is not in the policy for replica-dns image',
    ]);
  });

  it('the check fails for a call the policy does not allow, and for a method the table does not know', () => {
    expect(uncovered(['dns.change'], swapConfig())).toEqual([
      'dns.change: route53:ChangeResourceRecordSets is not in the policy for swap-instances image',
    ]);
    expect(uncovered(['dns.teleport'], swapConfig())).toEqual(['dns.teleport: no entry in src/iam/actions.ts']);
  });
});

/** A role ARN and a KMS key of blue's, as an operator's account would have them. */
const HOOK_ROLE = 'arn:aws:iam::123456789012:role/shop-hook-publisher';
const SERVICE_ROLE = 'arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_shop';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('what a call is given can need more than its own action (PARAMETER_ACTIONS)', () => {
  it('replica-dns copies alarms with tags, hooks with a role and a custom service-linked role: the policy from --observe allows each', async () => {
    const world = blueWorld({ launch: 'template' });
    const group = world.aws.state.groups.get('shop-web')!;
    group.hooks = group.hooks.map((h) => ({ ...h, RoleARN: HOOK_ROLE, NotificationTargetARN: 'arn:aws:sns:us-east-1:123456789012:drain' }));
    group.group.ServiceLinkedRoleARN = SERVICE_ROLE;
    const config = configFor();
    const observed = await replicaDns.observe(config, world.aws);
    const plan = replicaDns.plan(config, observed, 'k3x9a');
    const { journal, options } = engineRun(world, config, plan, replicaDns.handlers(world.aws, services(world.aws, world.clock)));
    expect((await runForward(journal, options, 'deploy')).status).toBe('succeeded');

    const calls = world.aws.calls;
    expect(calls.some((c) => c.operation === 'alarms.putAlarm')).toBe(true);
    const observedPolicy = policyFor(needsOf(config, replicaDns.liveStack(observed)));
    expect(uncoveredParameters(calls, observedPolicy)).toEqual([]);
    // Read from the config only, the policy cannot know blue's roles: the check names them.
    expect(uncoveredParameters(calls, policyFor(needsOf(config)))).toEqual([
      `groups.createGroup with LifecycleHookSpecificationList[].RoleARN / ServiceLinkedRoleARN: iam:PassRole on ${SERVICE_ROLE}`,
      `groups.createGroup with LifecycleHookSpecificationList[].RoleARN / ServiceLinkedRoleARN: iam:PassRole on ${HOOK_ROLE}`,
    ]);
    expect(observedPolicy.Statement.filter((st) => st.Sid.startsWith('PassRoleToAutoScaling'))).toEqual(
      [HOOK_ROLE, SERVICE_ROLE].sort().map((role, i) => ({
        Sid: `PassRoleToAutoScaling${i + 1}`,
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: role,
        Condition: { StringEquals: { 'iam:PassedToService': 'autoscaling.amazonaws.com' } },
      })),
    );
  });

  it('every tagged alarm copy needs cloudwatch:TagResource, in every policy that copies alarms', () => {
    const rule = PARAMETER_ACTIONS.find((r) => r.method === 'alarms.putAlarm' && r.parameter === 'Tags')!;
    expect(rule.applies([{ AlarmName: 'a', Tags: [{ Key: 'bluegreen:service', Value: 'shop' }] }])).toBe(true);
    expect(rule.applies([{ AlarmName: 'a' }])).toBe(false);
    for (const needs of allNeeds()) {
      const policy = policyFor(needs);
      const copiesAlarms = portMethodsFor(needs).includes('alarms.putAlarm');
      expect(allows(policy, 'cloudwatch:TagResource', '*'), JSON.stringify(needs)).toBe(copiesAlarms);
    }
  });

  it('volumes encrypted with a customer managed key: kms actions on that key when bluegreen launches or bakes itself, a key-policy note otherwise', async () => {
    const world = swapWorld({ launch: 'template' });
    const seeded = world.aws.state.groups.get('shop-web')?.group.LaunchTemplate;
    if (seeded) seeded.LaunchTemplateId = world.aws.state.templates.get('shop-web-lt')?.id;
    for (const data of world.aws.state.templates.get('shop-web-lt')!.versions.values()) {
      data.BlockDeviceMappings = [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8, Encrypted: true, KmsKeyId: KEY } }];
    }
    const swap = swapConfig();
    const live = swapInstances.liveStack(await swapInstances.observe(swap, world.aws));
    expect(live.volumeKeys).toEqual([KEY]);
    const kms = policyFor(needsOf(swap, live)).Statement.find((st) => st.Sid === 'UseTheVolumeKeys');
    expect(kms).toEqual({
      Sid: 'UseTheVolumeKeys',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
      Resource: KEY,
    });
    // A call that names the key itself is checked against that statement.
    const run = {
      operation: 'instances.run',
      args: [{ ImageId: 'ami-1', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { KmsKeyId: KEY } }] }],
    };
    expect(uncoveredParameters([run], policyFor(needsOf(swap, live)))).toEqual([]);
    expect(uncoveredParameters([run], policyFor(needsOf(swap)))).toEqual(
      ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'].map(
        (a) => `instances.run with BlockDeviceMappings[].Ebs.KmsKeyId: ${a} on ${KEY}`,
      ),
    );
    // replica-dns with an image release: Auto Scaling launches green with its own role; the key policy must allow it.
    const replicaNeeds = needsOf(configFor(), { group: 'shop-web', volumeKeys: [KEY] });
    expect(policyFor(replicaNeeds).Statement.some((st) => st.Sid === 'UseTheVolumeKeys')).toBe(false);
    expect(policyNotes(replicaNeeds).some((n) => n.includes(KEY) && n.includes('AWSServiceRoleForAutoScaling'))).toBe(true);
    expect(policyNotes(needsOf(configFor())).some((n) => n.includes('--observe'))).toBe(true);
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
      expect(actions(needs).includes('ec2:RunInstances'), JSON.stringify(needs)).toBe(
        needs.release === 'commands' || needs.strategy === 'swap-instances',
      );
    }
  });

  it('Route 53 only for replica-dns, listeners only for replica-listener, target groups made only by replica-listener', () => {
    for (const needs of allNeeds()) {
      const a = actions(needs);
      expect(
        a.some((x) => x.startsWith('route53:')),
        JSON.stringify(needs),
      ).toBe(needs.strategy === 'replica-dns');
      expect(a.includes('elasticloadbalancing:ModifyListener'), JSON.stringify(needs)).toBe(needs.strategy === 'replica-listener');
      expect(a.includes('elasticloadbalancing:CreateTargetGroup'), JSON.stringify(needs)).toBe(needs.strategy === 'replica-listener');
      // gc reads and deletes what any strategy made, whatever the config's strategy is now.
      for (const gc of [
        'tag:GetResources',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:DeleteLoadBalancer',
        'cloudwatch:DeleteAlarms',
      ]) {
        expect(a, `${gc} ${JSON.stringify(needs)}`).toContain(gc);
      }
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
      for (const m of methods) expect(PORT_ACTIONS[m]).toBeDefined();
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
    const missing = Object.values(PORT_ACTIONS)
      .flat()
      .filter((a) => !documentedAll.has(a));
    expect(missing).toEqual([]);
  });
});
