/** ListenersPort on Elastic Load Balancing v2 (ALB/NLB listeners, rules and load balancers, SDK v3). */
import type { Action, Listener, LoadBalancer, Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ListenersPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { allPages, awsCall } from './call.js';

/** The wire codes and the SDK's exception names. */
export const LISTENER_MISSING = ['ListenerNotFound', 'ListenerNotFoundException'] as const;
export const LOAD_BALANCER_V2_MISSING = ['LoadBalancerNotFound', 'LoadBalancerNotFoundException'] as const;

/** DescribeListeners answers at most 400 listeners a page (an ALB has at most 50 by default). */
export const LISTENERS_PER_PAGE = 400;

/** DescribeRules answers at most 400 rules a page (an ALB listener has at most 100 rules by default). */
export const RULES_PER_PAGE = 400;

const listener = (arn: string) => `listener ${shortArn(arn)}`;
const rule = (arn: string) => `listener rule ${shortArn(arn)}`;
const alb = (arn: string) => `load balancer ${shortArn(arn)}`;

export class SdkListeners implements ListenersPort {
  constructor(private readonly clients: AwsClients) {}

  async describe(listenerArn: string): Promise<Listener | undefined> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    const out = await awsCall(
      'DescribeListeners',
      listener(listenerArn),
      () => client.send(new elbv2.DescribeListenersCommand({ ListenerArns: [listenerArn] })),
      { missing: LISTENER_MISSING },
    );
    return out?.Listeners?.find((l) => l.ListenerArn === listenerArn) ?? out?.Listeners?.[0];
  }

  /** All pages; a load balancer that is gone (LoadBalancerNotFound) has no listeners. */
  async ofLoadBalancer(loadBalancerArn: string): Promise<Listener[]> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    const found = await awsCall(
      'DescribeListeners',
      `listeners of ${alb(loadBalancerArn)}`,
      () =>
        allPages(
          elbv2.paginateDescribeListeners({ client }, { LoadBalancerArn: loadBalancerArn, PageSize: LISTENERS_PER_PAGE }),
          (page) => page.Listeners,
        ),
      { missing: LOAD_BALANCER_V2_MISSING },
    );
    return found ?? [];
  }

  async rules(listenerArn: string): Promise<Rule[]> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    return awsCall('DescribeRules', `rules of ${listener(listenerArn)}`, () =>
      allPages(
        // The SDK's DescribeRules paginator has no page-size token (config.pageSize is ignored): PageSize goes in the input.
        elbv2.paginateDescribeRules({ client }, { ListenerArn: listenerArn, PageSize: RULES_PER_PAGE }),
        (page) => page.Rules,
      ),
    );
  }

  async modify(listenerArn: string, defaultActions: Action[]): Promise<void> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    await awsCall('ModifyListener', listener(listenerArn), () =>
      client.send(new elbv2.ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: defaultActions })),
    );
  }

  async modifyRule(ruleArn: string, actions: Action[]): Promise<void> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    await awsCall('ModifyRule', rule(ruleArn), () => client.send(new elbv2.ModifyRuleCommand({ RuleArn: ruleArn, Actions: actions })));
  }

  async loadBalancer(arn: string): Promise<LoadBalancer | undefined> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    const out = await awsCall(
      'DescribeLoadBalancers',
      alb(arn),
      () => client.send(new elbv2.DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })),
      { missing: LOAD_BALANCER_V2_MISSING },
    );
    return out?.LoadBalancers?.find((lb) => lb.LoadBalancerArn === arn) ?? out?.LoadBalancers?.[0];
  }
}

/**
 * "app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2" from a listener, rule or load balancer ARN (what follows
 * the resource type), for messages.
 */
export function shortArn(arn: string): string {
  const match = /:(?:listener-rule|listener|loadbalancer)\/(.+)$/.exec(arn);
  return match?.[1] ?? arn;
}
