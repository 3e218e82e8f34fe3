/**
 * replica-listener against moto when more than listener.arn forwards to blue's target group: a second
 * listener of the same ALB (port 8081: its default action and a /v2/* rule forward to blue, a /static/* rule
 * answers itself) and a listener of another ALB. deploy moves every one of them in the same step, rollback
 * puts each back exactly; weighted steps carry target group stickiness because blue's target group is sticky;
 * a blue group also in another target group is refused by plan unless listener.alsoAttached names it.
 *
 * On AWS a target group serves one load balancer (quota "Load balancers per target group": 1), so the other
 * listeners are the same ALB's; moto lets a second ALB forward to it too, and the strategy finds that one the
 * same way (blue's target group's LoadBalancerArns), so it is here as well.
 */
import { rm } from 'node:fs/promises';
import { AttachLoadBalancerTargetGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../support/cli.js';
import {
  allTargetGroups,
  buildListenerStack,
  forwardsInCall,
  forwardsOf,
  listenerClients,
  snapshotListenerAws,
  startCallRecorder,
  writeListenerConfig,
  type CallRecorder,
  type ListenerAwsClients,
  type ListenerConfigOverrides,
  type ListenerStack,
} from '../support/listener-stack.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let recorder: CallRecorder;
let env: Record<string, string>;
let aws: ListenerAwsClients;
let stack: ListenerStack;
let extra: { sameLbListener: string; v2Rule: string; otherLbListener: string };
let dir: string | undefined;

beforeAll(async () => {
  moto = await startMoto();
  recorder = await startCallRecorder(moto.endpoint);
  env = awsEnv(recorder.endpoint);
  aws = listenerClients(moto.endpoint);
});
afterAll(async () => {
  await recorder?.stop();
  await moto?.stop();
});
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The stack, plus a second listener of its ALB and a listener of another ALB, all forwarding to blue. */
async function setUp(config: ListenerConfigOverrides = {}): Promise<void> {
  await moto.reset();
  stack = await buildListenerStack(moto.endpoint, { deregistrationDelaySeconds: 1 });
  const blue = [{ Type: 'forward' as const, TargetGroupArn: stack.targetGroupArn }];
  const sameLbListener = (
    await aws.elbv2.send(new CreateListenerCommand({ LoadBalancerArn: stack.loadBalancerArn, Protocol: 'HTTP', Port: 8081, DefaultActions: blue }))
  ).Listeners![0]!.ListenerArn!;
  const v2Rule = (
    await aws.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: sameLbListener,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v2/*'] } }],
        Actions: blue,
      }),
    )
  ).Rules![0]!.RuleArn!;
  await aws.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: sameLbListener,
      Priority: 20,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/static/*'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'none' } }],
    }),
  );
  const otherLb = (
    await aws.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: `${stack.service}-internal`,
        Type: 'application',
        Scheme: 'internal',
        Subnets: stack.subnetIds,
        SecurityGroups: [stack.securityGroupId],
      }),
    )
  ).LoadBalancers![0]!.LoadBalancerArn!;
  const otherLbListener = (
    await aws.elbv2.send(new CreateListenerCommand({ LoadBalancerArn: otherLb, Protocol: 'HTTP', Port: 80, DefaultActions: blue }))
  ).Listeners![0]!.ListenerArn!;
  extra = { sameLbListener, v2Rule, otherLbListener };
  dir = (await writeListenerConfig(stack, { retireAction: 'keep', ...config })).dir;
  recorder.calls.length = 0;
}

const bg = (...args: string[]) => runCli([...args, '-c', 'bluegreen.yml'], { cwd: dir, env });

/** Where every listener (and rule) of every ALB forwards now, by target group name: "shop:80" -> { default, <priority>: ... }. */
async function routing(): Promise<Record<string, Record<string, string[]>>> {
  const nameOf = new Map((await allTargetGroups(aws)).map((t) => [t.TargetGroupArn!, t.TargetGroupName!]));
  const names = (actions: Parameters<typeof forwardsOf>[0]) => forwardsOf(actions).map((f) => `${nameOf.get(f.targetGroupArn)}:${f.weight}`);
  const out: Record<string, Record<string, string[]>> = {};
  for (const [lb, arn] of [
    ['shop', stack.listenerArn],
    ['shop', extra.sameLbListener],
    ['shop-internal', extra.otherLbListener],
  ] as const) {
    const listener = (await aws.elbv2.send(new DescribeListenersCommand({ ListenerArns: [arn] }))).Listeners![0]!;
    const rules = (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: arn }))).Rules ?? [];
    out[`${lb}:${listener.Port}`] = Object.fromEntries([
      ['default', names(listener.DefaultActions)],
      ...rules.filter((r) => !r.IsDefault).map((r) => [r.Priority!, names(r.Actions)]),
    ]);
  }
  return out;
}

/** Every forward to blue's target group, as the stack and setUp made them. */
const ORIGINAL = {
  'shop:80': { default: ['shop-blue:1'], '10': ['shop-blue:1'] },
  'shop:8081': { default: ['shop-blue:1'], '10': ['shop-blue:1'], '20': [] },
  'shop-internal:80': { default: ['shop-blue:1'] },
};

const allOn = (green: string) => ({
  'shop:80': { default: [`${green}:1`], '10': [`${green}:1`] },
  'shop:8081': { default: [`${green}:1`], '10': [`${green}:1`], '20': [] },
  'shop-internal:80': { default: [`${green}:1`] },
});

/** The recorded ModifyListener/ModifyRule calls: which resource, where it forwards, its target group stickiness. */
function modifications() {
  return recorder.calls
    .filter((c) => c.action === 'ModifyListener' || c.action === 'ModifyRule')
    .map((c) => {
      const params = new URLSearchParams(c.body);
      const key = c.action === 'ModifyListener' ? 'DefaultActions' : 'Actions';
      const enabled = params.get(`${key}.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled`);
      const duration = params.get(`${key}.member.1.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds`);
      return {
        arn: params.get('ListenerArn') ?? params.get('RuleArn'),
        forwards: forwardsInCall(c).map((f) => f.weight),
        sticky: enabled === null ? null : { enabled, duration },
      };
    });
}

const greenName = async () => (await allTargetGroups(aws)).map((t) => t.TargetGroupName!).find((n) => n !== stack.targetGroupName)!;

describe('replica-listener moves every listener that forwards to blue', () => {
  it('deploy moves all three listeners and both rules in the one switch step; rollback puts each back exactly', async () => {
    await setUp();
    const before = await snapshotListenerAws(moto.endpoint, { ignoreTerminatedInstances: true });
    expect(await routing()).toEqual(ORIGINAL);

    const plan = await bg('plan', '--output', 'json');
    expect(plan.code, plan.stderr).toBe(0);
    const planned = jsonLines(plan.stdout)[0] as { steps: { id: string; title: string; params: Record<string, unknown> }[] };
    const sw = planned.steps.find((s) => s.id === 'switch-listener')!;
    expect(sw.title).toMatch(/^Forward listeners shop:80, shop:8081, shop-internal:80 and 2 rules to /);
    expect((sw.params.others as string[]).sort()).toEqual([extra.sameLbListener, extra.otherLbListener].sort());

    const d = await bg('deploy', '--yes', '--output', 'json');
    expect(d.code, d.stderr).toBe(0);
    const green = await greenName();
    expect(await routing()).toEqual(allOn(green));
    // One call per listener and per moved rule, nothing for the /static/* rule.
    expect(
      modifications()
        .map((m) => m.arn)
        .sort(),
    ).toEqual([stack.listenerArn, stack.apiRuleArn, extra.sameLbListener, extra.v2Rule, extra.otherLbListener].sort());

    recorder.calls.length = 0;
    const r = await bg('rollback', '--yes', '--output', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ status: 'rolled-back' });
    expect(await routing()).toEqual(ORIGINAL);
    expect(modifications()).toHaveLength(5);
    expect(await snapshotListenerAws(moto.endpoint, { ignoreTerminatedInstances: true })).toEqual(before);
  });

  it("weighted steps weigh every listener together, sticky for blue's cookie duration (3600s), or traffic.stickiness.duration", async () => {
    await setUp({ traffic: { steps: [50, 100], hold: '0s' } });
    const before = await snapshotListenerAws(moto.endpoint, { ignoreTerminatedInstances: true });
    const d = await bg('deploy', '--yes', '--output', 'json');
    expect(d.code, d.stderr).toBe(0);
    const calls = modifications();
    const half = calls.filter((m) => m.forwards.length === 2);
    // traffic-50: three listeners and two rules, each 50/50 and sticky for blue's lb_cookie duration.
    expect(half.map((m) => m.arn).sort()).toEqual(
      [stack.listenerArn, stack.apiRuleArn, extra.sameLbListener, extra.v2Rule, extra.otherLbListener].sort(),
    );
    for (const m of half) expect(m).toMatchObject({ forwards: [50, 50], sticky: { enabled: 'true', duration: '3600' } });
    expect(await routing()).toEqual(allOn(await greenName()));

    const r = await bg('rollback', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(await routing()).toEqual(ORIGINAL);
    expect(await snapshotListenerAws(moto.endpoint, { ignoreTerminatedInstances: true })).toEqual(before);

    dir = (await writeListenerConfig(stack, { retireAction: 'keep', traffic: { steps: [50, 100], hold: '0s', stickiness: '15m' } }, dir)).dir;
    recorder.calls.length = 0;
    const again = await bg('deploy', '--yes');
    expect(again.code, again.stderr).toBe(0);
    for (const m of modifications().filter((x) => x.forwards.length === 2)) expect(m.sticky).toEqual({ enabled: 'true', duration: '900' });
  });
});

describe('replica-listener and a blue group in another target group', () => {
  it('plan refuses it (exit 2, nothing changed) unless listener.alsoAttached names it; named, plan says it stays as it is', async () => {
    await setUp();
    const admin = (
      await aws.elbv2.send(
        new CreateTargetGroupCommand({ Name: 'shop-admin', Protocol: 'HTTP', Port: 9090, VpcId: stack.vpcId, TargetType: 'instance' }),
      )
    ).TargetGroups![0]!.TargetGroupArn!;
    await aws.autoscaling.send(new AttachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: stack.groupName, TargetGroupARNs: [admin] }));
    const before = await snapshotListenerAws(moto.endpoint, { ignoreTerminatedInstances: true });

    const refused = await bg('plan');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`group ${stack.groupName} is also in target group shop-admin (${admin})`);
    expect(refused.stderr).toContain('listener.alsoAttached');
    const deploy = await bg('deploy', '--yes');
    expect(deploy.code).toBe(2);
    expect(await snapshotListenerAws(moto.endpoint, { ignoreTerminatedInstances: true })).toEqual(before);

    dir = (await writeListenerConfig(stack, { retireAction: 'keep', alsoAttached: ['shop-admin'] }, dir)).dir;
    const named = await bg('plan', '--output', 'json');
    expect(named.code, named.stderr).toBe(0);
    expect((jsonLines(named.stdout)[0] as { warnings: string[] }).warnings).toContain(
      `${stack.groupName} is also in target group shop-admin (listener.alsoAttached): green is not registered with it, and it keeps blue's instances until blue is retired`,
    );
  });
});
