import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  ModifyRuleCommand,
  RuleNotFoundException,
  type Action,
  type DescribeListenersCommandInput,
  type DescribeRulesCommandInput,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { LISTENERS_PER_PAGE, RULES_PER_PAGE, SdkListeners, shortArn } from '../../../src/aws/sdk/listeners.js';
import { awsError } from './aws-error.js';

const elbv2 = mockClient(ElasticLoadBalancingV2Client);
let listeners: SdkListeners;

const prefix = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const lbArn = `${prefix}:loadbalancer/app/shop/50dc6c495c0c9188`;
const listenerArn = `${prefix}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const ruleArn = (id: string) => `${prefix}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/${id}`;
const tg = (name: string) => `${prefix}:targetgroup/${name}/0123456789abcdef`;
const weighted = (blue: number, green: number): Action[] => [
  {
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: [
        { TargetGroupArn: tg('blue'), Weight: blue },
        { TargetGroupArn: tg('green'), Weight: green },
      ],
    },
  },
];

beforeEach(() => {
  elbv2.reset();
  listeners = new SdkListeners(new AwsClients({ region: 'us-east-1' }));
});

describe('describe', () => {
  it('asks for the one listener', async () => {
    elbv2.on(DescribeListenersCommand).resolves({ Listeners: [{ ListenerArn: listenerArn, LoadBalancerArn: lbArn, Port: 443 }] });
    expect((await listeners.describe(listenerArn))?.LoadBalancerArn).toBe(lbArn);
    expect(elbv2.commandCalls(DescribeListenersCommand).map((c) => c.args[0].input)).toEqual([{ ListenerArns: [listenerArn] }]);
  });

  it('a missing listener is undefined; other failures name it', async () => {
    elbv2
      .on(DescribeListenersCommand)
      .rejectsOnce(new ListenerNotFoundException({ message: 'The specified listener does not exist.', $metadata: {} }));
    expect(await listeners.describe(listenerArn)).toBeUndefined();
    elbv2.on(DescribeListenersCommand).rejects(awsError('AccessDenied', 'not authorized'));
    await expect(listeners.describe(listenerArn)).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'DescribeListeners',
      resource: 'listener app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
      code: 'AccessDenied',
    });
  });
});

describe('ofLoadBalancer', () => {
  it('every listener of the load balancer, over every page', async () => {
    const sent: DescribeListenersCommandInput[] = [];
    elbv2.on(DescribeListenersCommand).callsFake((input: DescribeListenersCommandInput) => {
      sent.push({ ...input });
      return input.Marker
        ? { Listeners: [{ ListenerArn: `${listenerArn}2`, Port: 443 }] }
        : { Listeners: [{ ListenerArn: listenerArn, Port: 80 }], NextMarker: 'm1' };
    });
    expect((await listeners.ofLoadBalancer(lbArn)).map((l) => l.Port)).toEqual([80, 443]);
    expect(sent).toEqual([
      { LoadBalancerArn: lbArn, PageSize: LISTENERS_PER_PAGE, Marker: undefined },
      { LoadBalancerArn: lbArn, PageSize: LISTENERS_PER_PAGE, Marker: 'm1' },
    ]);
  });

  it('a load balancer that is gone has none; other failures name it', async () => {
    elbv2
      .on(DescribeListenersCommand)
      .rejectsOnce(new LoadBalancerNotFoundException({ message: 'One or more load balancers not found', $metadata: {} }))
      .rejects(awsError('AccessDenied', 'not authorized'));
    expect(await listeners.ofLoadBalancer(lbArn)).toEqual([]);
    await expect(listeners.ofLoadBalancer(lbArn)).rejects.toMatchObject({
      operation: 'DescribeListeners',
      resource: 'listeners of load balancer app/shop/50dc6c495c0c9188',
      code: 'AccessDenied',
    });
  });
});

describe('rules', () => {
  it('follows every page (PageSize in the input: the SDK paginator has no page-size token)', async () => {
    const pages: Record<string, { Rules: Rule[]; NextMarker?: string }> = {
      first: { Rules: [{ RuleArn: ruleArn('1'), Priority: '1' }], NextMarker: 'm1' },
      m1: { Rules: [{ RuleArn: ruleArn('2'), Priority: '2' }], NextMarker: 'm2' },
      m2: { Rules: [{ RuleArn: ruleArn('default'), Priority: 'default', IsDefault: true }] },
    };
    const sent: DescribeRulesCommandInput[] = []; // copies: the paginator reuses (and mutates) one input object
    elbv2.on(DescribeRulesCommand).callsFake((input: DescribeRulesCommandInput) => {
      sent.push({ ...input });
      return pages[input.Marker ?? 'first'];
    });
    const rules = await listeners.rules(listenerArn);
    expect(rules.map((r) => r.Priority)).toEqual(['1', '2', 'default']);
    expect(sent).toEqual([
      { ListenerArn: listenerArn, PageSize: RULES_PER_PAGE, Marker: undefined },
      { ListenerArn: listenerArn, PageSize: RULES_PER_PAGE, Marker: 'm1' },
      { ListenerArn: listenerArn, PageSize: RULES_PER_PAGE, Marker: 'm2' },
    ]);
  });

  it('a missing listener is an error here, naming it', async () => {
    elbv2.on(DescribeRulesCommand).rejects(new ListenerNotFoundException({ message: 'The specified listener does not exist.', $metadata: {} }));
    await expect(listeners.rules(listenerArn)).rejects.toMatchObject({
      operation: 'DescribeRules',
      resource: 'rules of listener app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
      code: 'ListenerNotFoundException',
    });
  });
});

describe('modify and modifyRule', () => {
  it('modify sends the default actions in one call (a weighted forward here)', async () => {
    elbv2.on(ModifyListenerCommand).resolves({});
    await listeners.modify(listenerArn, weighted(90, 10));
    expect(elbv2.commandCalls(ModifyListenerCommand).map((c) => c.args[0].input)).toEqual([
      { ListenerArn: listenerArn, DefaultActions: weighted(90, 10) },
    ]);
  });

  it('modify sends a weighted forward with its target group stickiness as given', async () => {
    elbv2.on(ModifyListenerCommand).resolves({});
    const sticky: Action[] = [
      {
        Type: 'forward',
        ForwardConfig: { ...weighted(90, 10)[0]!.ForwardConfig, TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 } },
      },
    ];
    await listeners.modify(listenerArn, sticky);
    expect(elbv2.commandCalls(ModifyListenerCommand)[0]?.args[0].input.DefaultActions?.[0]?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({
      Enabled: true,
      DurationSeconds: 3600,
    });
  });

  it('modifyRule sends only the actions (the conditions stay)', async () => {
    elbv2.on(ModifyRuleCommand).resolves({});
    await listeners.modifyRule(ruleArn('7'), weighted(50, 50));
    expect(elbv2.commandCalls(ModifyRuleCommand).map((c) => c.args[0].input)).toEqual([{ RuleArn: ruleArn('7'), Actions: weighted(50, 50) }]);
  });

  it('failures name the listener or the rule', async () => {
    elbv2.on(ModifyListenerCommand).rejects(awsError('TargetGroupNotFound', 'One or more target groups not found'));
    elbv2.on(ModifyRuleCommand).rejects(new RuleNotFoundException({ message: 'One or more rules not found', $metadata: {} }));
    await expect(listeners.modify(listenerArn, weighted(0, 100))).rejects.toMatchObject({
      operation: 'ModifyListener',
      resource: 'listener app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
      code: 'TargetGroupNotFound',
    });
    await expect(listeners.modifyRule(ruleArn('7'), weighted(0, 100))).rejects.toMatchObject({
      operation: 'ModifyRule',
      resource: 'listener rule app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/7',
      code: 'RuleNotFoundException',
    });
  });
});

describe('loadBalancer', () => {
  it('gives the load balancer (DNS name, ARN); a missing one is undefined', async () => {
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolvesOnce({ LoadBalancers: [{ LoadBalancerArn: lbArn, DNSName: 'shop-1.us-east-1.elb.amazonaws.com' }] })
      .rejectsOnce(new LoadBalancerNotFoundException({ message: 'One or more load balancers not found', $metadata: {} }));
    expect((await listeners.loadBalancer(lbArn))?.DNSName).toBe('shop-1.us-east-1.elb.amazonaws.com');
    expect(await listeners.loadBalancer(lbArn)).toBeUndefined();
    expect(elbv2.commandCalls(DescribeLoadBalancersCommand).map((c) => c.args[0].input)).toEqual([
      { LoadBalancerArns: [lbArn] },
      { LoadBalancerArns: [lbArn] },
    ]);
  });

  it('wraps other failures naming the load balancer', async () => {
    elbv2.on(DescribeLoadBalancersCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(listeners.loadBalancer(lbArn)).rejects.toMatchObject({
      operation: 'DescribeLoadBalancers',
      resource: 'load balancer app/shop/50dc6c495c0c9188',
    });
  });
});

it('shortArn keeps what follows the resource type', () => {
  expect(shortArn(lbArn)).toBe('app/shop/50dc6c495c0c9188');
  expect(shortArn(listenerArn)).toBe('app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2');
  expect(shortArn(ruleArn('9'))).toBe('app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9');
  expect(shortArn('not-an-arn')).toBe('not-an-arn');
});
