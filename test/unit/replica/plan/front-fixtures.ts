/** Exact observed states of both fronts, over the blue stack of fixtures.ts. */
import type { ReplicaListenerConfig } from '../../../../src/config/schema.js';
import type { Observed as DnsObserved } from '../../../../src/strategies/replica-dns/index.js';
import type { Observed as ListenerObserved } from '../../../../src/strategies/replica-listener/index.js';
import { config, observed } from './fixtures.js';

export const BLUE_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/0123456789abcdef';
export const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
export const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';

export function dnsObserved(): DnsObserved {
  const base = observed();
  return {
    ...base,
    zone: { Id: 'Z1', Name: 'example.com.', CallerReference: 'x' },
    record: {
      Name: 'shop.example.com.',
      Type: 'A',
      AliasTarget: { DNSName: 'shop-web-1.us-east-1.elb.amazonaws.com', HostedZoneId: 'Z35SXDOTRQ7X7K', EvaluateTargetHealth: true },
    },
    blue: {
      ...base.blue,
      loadBalancer: {
        description: {
          LoadBalancerName: 'shop-web',
          DNSName: 'shop-web-1.us-east-1.elb.amazonaws.com',
          ListenerDescriptions: [{ Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 } }],
          Subnets: ['subnet-a'],
          SecurityGroups: ['sg-1'],
          HealthCheck: { Target: 'HTTP:8080/health', Interval: 10, Timeout: 5, HealthyThreshold: 2, UnhealthyThreshold: 2 },
        },
        attributes: { ConnectionDraining: { Enabled: true, Timeout: 60 } },
        tags: [{ Key: 'team', Value: 'web' }],
        policies: [],
      },
    },
  };
}

export function listenerConfig(overrides: Partial<ReplicaListenerConfig> = {}): ReplicaListenerConfig {
  const { dns: _dns, strategy: _s, ...rest } = config();
  return { ...rest, strategy: 'replica-listener', listener: { arn: LISTENER, alsoAttached: ['old-classic'] }, ...overrides };
}

export function listenerObserved(options: { network?: boolean } = {}): ListenerObserved {
  const base = observed();
  return {
    ...base,
    listener: { ListenerArn: LISTENER, Port: 443, Protocol: 'HTTPS', DefaultActions: [{ Type: 'forward', TargetGroupArn: BLUE_TG }] },
    loadBalancer: {
      LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
      LoadBalancerName: 'shop',
    },
    network: options.network ?? false,
    rules: [{ RuleArn: RULE, Priority: '10', Actions: [{ Type: 'forward', TargetGroupArn: BLUE_TG }] }],
    others: [],
    alsoAttached: { targetGroups: [], classic: ['old-classic'] },
    blue: {
      ...base.blue,
      group: { ...base.blue.group, LoadBalancerNames: ['old-classic'], TargetGroupARNs: [BLUE_TG] },
      targetGroup: {
        description: {
          TargetGroupArn: BLUE_TG,
          TargetGroupName: 'shop-web',
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: 'vpc-1',
          TargetType: 'instance',
          HealthCheckPath: '/health',
        },
        attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '400' }],
        tags: [],
      },
    },
  };
}
