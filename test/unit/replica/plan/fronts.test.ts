/** The step planners and facts of both fronts, each with exact inputs (front-fixtures.ts) and exact outputs. */
import { describe, expect, it } from 'vitest';
import { dnsClassicElbFront } from '../../../../src/strategies/replica/fronts/dns-classic-elb/index.js';
import {
  planCreateLoadBalancer,
  planSwitchDns,
  planTrafficSteps,
  trafficChanges,
} from '../../../../src/strategies/replica/fronts/dns-classic-elb/plan.js';
import { listenerTargetGroupFront } from '../../../../src/strategies/replica/fronts/listener-target-group/index.js';
import { planCreateTargetGroup, planTraffic } from '../../../../src/strategies/replica/fronts/listener-target-group/plan.js';
import { planContext } from '../../../../src/strategies/replica/plan/context.js';
import { config } from './fixtures.js';
import { dnsObserved, listenerConfig, listenerObserved } from './front-fixtures.js';

const dns = () => planContext(dnsClassicElbFront, config(), dnsObserved(), 'k3x9a');
const dnsTraffic = () =>
  planContext(
    dnsClassicElbFront,
    config({
      traffic: { steps: [10, 100], holdSeconds: 30 },
      gates: { alarms: ['5xx'], http: [] },
      retire: { afterSeconds: 30, action: 'delete', untilRequestsBelow: 2 },
    }),
    dnsObserved(),
    'k3x9a',
  );
const listener = () => planContext(listenerTargetGroupFront, listenerConfig(), listenerObserved(), 'k3x9a');
const listenerTraffic = () =>
  planContext(
    listenerTargetGroupFront,
    listenerConfig({
      traffic: { steps: [25, 100], holdSeconds: 60 },
      gates: { alarms: ['5xx'], http: [] },
      retire: { afterSeconds: 60, action: 'delete', untilRequestsBelow: 3 },
    }),
    listenerObserved(),
    'k3x9a',
  );
const nlb = () =>
  planContext(
    listenerTargetGroupFront,
    listenerConfig({ retire: { afterSeconds: 600, action: 'keep', untilRequestsBelow: 3 } }),
    listenerObserved({ network: true }),
    'k3x9a',
  );

describe('dns-classic-elb front planners', () => {
  it("the facts: green's load balancer first in params, blue's retired with blue, the record in the summary", () => {
    expect(dns().front).toEqual({
      blue: 'shop-web',
      lead: {
        loadBalancer: 'shop-green-k3x9a',
      },
      tail: {},
      group: {
        loadBalancer: 'shop-green-k3x9a',
        input: {},
        title: '',
        warnings: [],
      },
      rewrite: {},
      dimensions: [{ name: 'LoadBalancerName', from: 'shop-web', to: 'shop-green-k3x9a' }],
      healthy: 'InService',
      http: {
        what: 'shop-green-k3x9a',
        on: '',
      },
      firstTraffic: {
        step: 'switch-dns',
        without: 'the switch',
      },
      wait: {
        seconds: 300,
        warnings: [],
        drain: {
          loadBalancer: 'shop-web',
        },
        metricName: 'RequestCount',
        unit: 'requests',
      },
      retire: {
        params: {
          loadBalancer: 'shop-web',
        },
        deletes: ['load balancer shop-web'],
        warnings: [],
      },
      summary: {
        blue: {
          loadBalancer: 'shop-web',
        },
        green: {
          loadBalancer: 'shop-green-k3x9a',
        },
        rest: {
          record: {
            zone: 'Z1',
            name: 'shop.example.com',
          },
        },
      },
    });
  });

  it("with traffic.steps: the first traffic step, the summary's traffic, the short retire.after warned of", () => {
    expect(dnsTraffic().front).toEqual({
      ...dns().front,
      firstTraffic: {
        step: 'traffic-10',
        without: 'the switch',
      },
      wait: {
        seconds: 30,
        warnings: [],
        drain: {
          loadBalancer: 'shop-web',
        },
        metricName: 'RequestCount',
        unit: 'requests',
      },
      retire: {
        params: {
          loadBalancer: 'shop-web',
        },
        deletes: ['load balancer shop-web'],
        warnings: [
          'retire.after is 30s: clients cache alias records to load balancers for 60s and many resolvers longer, so blue may still get traffic when it is retired',
        ],
      },
      summary: {
        blue: {
          loadBalancer: 'shop-web',
        },
        green: {
          loadBalancer: 'shop-green-k3x9a',
        },
        rest: {
          record: {
            zone: 'Z1',
            name: 'shop.example.com',
          },
          traffic: {
            steps: [10, 100],
            holdSeconds: 30,
          },
          trafficStep: 'traffic-100',
        },
      },
    });
  });

  it("create-load-balancer: a copy of blue's listeners, subnets, groups, tags, health check and attributes", () => {
    expect(planCreateLoadBalancer(dns())).toEqual({
      steps: [
        {
          id: 'create-load-balancer',
          kind: 'replica-dns/create-load-balancer',
          title: 'Create classic load balancer shop-green-k3x9a like shop-web',
          params: {
            name: 'shop-green-k3x9a',
            input: {
              LoadBalancerName: 'shop-green-k3x9a',
              Listeners: [
                {
                  Protocol: 'HTTP',
                  LoadBalancerPort: 80,
                  InstanceProtocol: 'HTTP',
                  InstancePort: 8080,
                },
              ],
              Subnets: ['subnet-a'],
              SecurityGroups: ['sg-1'],
              Tags: [
                {
                  Key: 'team',
                  Value: 'web',
                },
                {
                  Key: 'bluegreen:service',
                  Value: 'shop',
                },
                {
                  Key: 'bluegreen:deployment',
                  Value: 'k3x9a',
                },
                {
                  Key: 'bluegreen:color',
                  Value: 'green',
                },
              ],
            },
            healthCheck: {
              Target: 'HTTP:8080/health',
              Interval: 10,
              Timeout: 5,
              HealthyThreshold: 2,
              UnhealthyThreshold: 2,
            },
            attributes: {
              ConnectionDraining: {
                Enabled: true,
                Timeout: 60,
              },
            },
            policies: { policies: [], listeners: [], backends: [] },
          },
          creates: [
            {
              type: 'load-balancer',
              name: 'shop-green-k3x9a',
            },
          ],
        },
      ],
      warnings: [],
    });
  });

  it("create-load-balancer with blue's policies: TLS by its reference policy alone, stickiness, proxy protocol, backend authentication; an unlisted name warned of", () => {
    const ctx = dns();
    const lb = ctx.observed.blue.loadBalancer;
    const attrs = (pairs: [string, string][]) => pairs.map(([AttributeName, AttributeValue]) => ({ AttributeName, AttributeValue }));
    lb.description.ListenerDescriptions = [
      { Listener: { Protocol: 'HTTPS', LoadBalancerPort: 443, InstanceProtocol: 'HTTP', InstancePort: 8080 }, PolicyNames: ['tls-1-2', 'sticky'] },
      { Listener: { Protocol: 'TCP', LoadBalancerPort: 8443, InstanceProtocol: 'TCP', InstancePort: 9443 }, PolicyNames: [] },
      { Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 }, PolicyNames: ['made-by-hand'] },
    ];
    lb.description.BackendServerDescriptions = [{ InstancePort: 9443, PolicyNames: ['pp', 'backend-auth'] }];
    lb.policies = [
      {
        PolicyName: 'tls-1-2',
        PolicyTypeName: 'SSLNegotiationPolicyType',
        PolicyAttributeDescriptions: attrs([
          ['Reference-Security-Policy', 'ELBSecurityPolicy-TLS-1-2-2017-01'],
          ['Protocol-TLSv1', 'false'],
          ['Protocol-TLSv1.2', 'true'],
        ]),
      },
      {
        PolicyName: 'sticky',
        PolicyTypeName: 'LBCookieStickinessPolicyType',
        PolicyAttributeDescriptions: attrs([['CookieExpirationPeriod', '600']]),
      },
      { PolicyName: 'pp', PolicyTypeName: 'ProxyProtocolPolicyType', PolicyAttributeDescriptions: attrs([['ProxyProtocol', 'true']]) },
      {
        PolicyName: 'backend-auth',
        PolicyTypeName: 'BackendServerAuthenticationPolicyType',
        PolicyAttributeDescriptions: attrs([['PublicKeyPolicyName', 'key']]),
      },
      { PolicyName: 'key', PolicyTypeName: 'PublicKeyPolicyType', PolicyAttributeDescriptions: attrs([['PublicKey', 'MIIB...']]) },
    ];
    const planned = planCreateLoadBalancer(ctx);
    expect(planned.steps[0]?.params.policies).toEqual({
      policies: [
        { PolicyName: 'key', PolicyTypeName: 'PublicKeyPolicyType', PolicyAttributeDescriptions: attrs([['PublicKey', 'MIIB...']]) },
        {
          PolicyName: 'tls-1-2',
          PolicyTypeName: 'SSLNegotiationPolicyType',
          PolicyAttributeDescriptions: attrs([['Reference-Security-Policy', 'ELBSecurityPolicy-TLS-1-2-2017-01']]),
        },
        {
          PolicyName: 'sticky',
          PolicyTypeName: 'LBCookieStickinessPolicyType',
          PolicyAttributeDescriptions: attrs([['CookieExpirationPeriod', '600']]),
        },
        { PolicyName: 'pp', PolicyTypeName: 'ProxyProtocolPolicyType', PolicyAttributeDescriptions: attrs([['ProxyProtocol', 'true']]) },
        {
          PolicyName: 'backend-auth',
          PolicyTypeName: 'BackendServerAuthenticationPolicyType',
          PolicyAttributeDescriptions: attrs([['PublicKeyPolicyName', 'key']]),
        },
      ],
      listeners: [{ port: 443, policyNames: ['tls-1-2', 'sticky'] }],
      backends: [{ port: 9443, policyNames: ['pp', 'backend-auth'] }],
    });
    expect(planned.warnings).toEqual([
      'listener 80 of shop-web uses policy made-by-hand, which DescribeLoadBalancerPolicies does not list: not copied to green',
    ]);
  });

  it("switch-dns: the pause point, the record from blue's load balancer to green's", () => {
    expect(planSwitchDns(dns())).toEqual({
      steps: [
        {
          id: 'switch-dns',
          kind: 'replica-dns/switch-dns',
          title: 'Point shop.example.com at shop-green-k3x9a',
          params: {
            zoneId: 'Z1',
            recordName: 'shop.example.com',
            loadBalancer: 'shop-green-k3x9a',
            from: 'shop-web-1.us-east-1.elb.amazonaws.com',
            region: null,
            evaluateTargetHealth: true,
            syncTimeoutSeconds: 300,
            blueLoadBalancer: 'shop-web',
            clientSeconds: 120,
            rollbackWaitSeconds: 300,
          },
          changes: [
            {
              what: 'DNS record shop.example.com',
              from: 'shop-web-1.us-east-1.elb.amazonaws.com',
              to: 'shop-green-k3x9a',
            },
          ],
          waits: 'until the change is INSYNC (timeout 300s)',
          pausePoint: true,
        },
      ],
      warnings: [],
    });
  });

  it('switch-dns with a gate alarm: it is first in the params and named in the title', () => {
    const [plain] = planSwitchDns(dns()).steps;
    expect(planSwitchDns(dnsTraffic())).toEqual({
      steps: [
        {
          ...plain,
          title: 'Point shop.example.com at shop-green-k3x9a unless alarm 5xx is in ALARM',
          params: { alarms: ['5xx'], ...plain?.params, rollbackWaitSeconds: 30 },
        },
      ],
      warnings: [],
    });
  });

  it('traffic 10/100 held 30s with a gate alarm: weighted records, then simple again; a hold shorter than alias caching warned of', () => {
    expect(planTrafficSteps(dnsTraffic())).toEqual({
      steps: [
        {
          id: 'traffic-10',
          kind: 'replica-dns/shift-traffic',
          title: 'Send 10% of requests to green (shop-green-k3x9a) and hold 30s, watching alarm 5xx',
          params: {
            percent: 10,
            fromPercent: 0,
            holdSeconds: 30,
            intervalSeconds: 10,
            alarms: ['5xx'],
            firstStep: 'traffic-10',
            sets: {
              blue: 'blue',
              green: 'green',
            },
            zoneId: 'Z1',
            recordName: 'shop.example.com',
            loadBalancer: 'shop-green-k3x9a',
            from: 'shop-web-1.us-east-1.elb.amazonaws.com',
            region: null,
            evaluateTargetHealth: true,
            syncTimeoutSeconds: 300,
            blueLoadBalancer: 'shop-web',
            clientSeconds: 120,
            rollbackWaitSeconds: 30,
          },
          changes: [
            {
              what: 'DNS record shop.example.com',
              from: 'alias to shop-web-1.us-east-1.elb.amazonaws.com',
              to: 'weighted alias records blue (shop-web-1.us-east-1.elb.amazonaws.com) and green (shop-green-k3x9a)',
            },
            {
              what: 'weights of shop.example.com',
              from: 'blue 100 / green 0',
              to: 'blue 90 / green 10',
            },
          ],
          waits: 'until the change is INSYNC (timeout 300s), then 30s, watching alarm 5xx',
          pausePoint: true,
        },
        {
          id: 'traffic-100',
          kind: 'replica-dns/shift-traffic',
          title: 'Send all requests to green (shop-green-k3x9a): shop.example.com points at it alone unless alarm 5xx is in ALARM',
          params: {
            percent: 100,
            fromPercent: 10,
            holdSeconds: 0,
            intervalSeconds: 1,
            alarms: ['5xx'],
            firstStep: 'traffic-10',
            sets: {
              blue: 'blue',
              green: 'green',
            },
            zoneId: 'Z1',
            recordName: 'shop.example.com',
            loadBalancer: 'shop-green-k3x9a',
            from: 'shop-web-1.us-east-1.elb.amazonaws.com',
            region: null,
            evaluateTargetHealth: true,
            syncTimeoutSeconds: 300,
            blueLoadBalancer: 'shop-web',
            clientSeconds: 120,
            rollbackWaitSeconds: 30,
          },
          changes: [
            {
              what: 'weights of shop.example.com',
              from: 'blue 90 / green 10',
              to: 'blue 0 / green 100',
            },
            {
              what: 'DNS record shop.example.com',
              from: 'weighted alias records blue and green',
              to: 'alias to shop-green-k3x9a',
            },
          ],
          waits: 'until the change is INSYNC (timeout 300s)',
        },
      ],
      warnings: [
        "traffic.hold is 30s: clients cache alias records to load balancers for 60s and many resolvers longer, so green may get less than each step's share of requests before the hold ends",
      ],
    });
  });

  it('a lone 100 step changes the record in one line', () => {
    expect(trafficChanges(dns(), { percent: 100, fromPercent: 0 }, true)).toEqual([
      {
        what: 'DNS record shop.example.com',
        from: 'shop-web-1.us-east-1.elb.amazonaws.com',
        to: 'shop-green-k3x9a',
      },
    ]);
  });
});

describe('listener-target-group front planners', () => {
  it("the facts: green's target group last in params (the step that makes it), the deregistration delay as the floor, the classic load balancer listener.alsoAttached leaves warned of", () => {
    expect(listener().front).toEqual({
      blue: 'shop-web',
      lead: {},
      tail: {
        targetGroupStep: 'create-target-group',
        targetGroup: 'shop-green-k3x9a',
      },
      group: {
        input: {
          TargetGroupARNs: [],
        },
        title: ', in target group shop-green-k3x9a',
        warnings: [
          "shop-web is also in classic load balancer old-classic (listener.alsoAttached): green is not registered with it, and it keeps blue's instances until blue is retired",
        ],
      },
      rewrite: {
        blueTargetGroupDimension: 'targetgroup/shop-web/0123456789abcdef',
      },
      healthy: 'InService and healthy',
      http: {
        what: 'each healthy target of shop-green-k3x9a',
        on: ' on each target as {green.target}',
      },
      firstTraffic: {
        step: 'switch-listener',
        without: 'moving traffic',
      },
      wait: {
        seconds: 400,
        warnings: ['retire.after is 300s, less than the deregistration delay of shop-web (400s): blue is retired after 400s'],
        drain: {
          namespace: 'AWS/ApplicationELB',
          metricName: 'RequestCount',
          dimensions: [
            {
              name: 'LoadBalancer',
              value: 'app/shop/50dc6c495c0c9188',
            },
            {
              name: 'TargetGroup',
              value: 'targetgroup/shop-web/0123456789abcdef',
            },
          ],
          label: 'shop-web',
        },
        metricName: 'RequestCount',
        unit: 'requests',
      },
      retire: {
        params: {
          listener: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
          targetGroup: {
            arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/0123456789abcdef',
            name: 'shop-web',
            own: false,
          },
        },
        deletes: [],
        warnings: [],
      },
      summary: {
        blue: {
          targetGroup: 'shop-web',
        },
        green: {
          targetGroup: 'shop-green-k3x9a',
        },
        rest: {
          listener: {
            arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
            rules: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee'],
          },
          trafficStep: 'switch-listener',
        },
      },
    });
  });

  it("with traffic.steps and delete: the first traffic step, the summary's traffic, blue's target group kept", () => {
    expect(listenerTraffic().front).toEqual({
      ...listener().front,
      firstTraffic: {
        step: 'traffic-25',
        without: 'moving traffic',
      },
      wait: {
        seconds: 400,
        warnings: ['retire.after is 60s, less than the deregistration delay of shop-web (400s): blue is retired after 400s'],
        drain: {
          namespace: 'AWS/ApplicationELB',
          metricName: 'RequestCount',
          dimensions: [
            {
              name: 'LoadBalancer',
              value: 'app/shop/50dc6c495c0c9188',
            },
            {
              name: 'TargetGroup',
              value: 'targetgroup/shop-web/0123456789abcdef',
            },
          ],
          label: 'shop-web',
        },
        metricName: 'RequestCount',
        unit: 'requests',
      },
      retire: {
        params: {
          listener: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
          targetGroup: {
            arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/0123456789abcdef',
            name: 'shop-web',
            own: false,
          },
        },
        deletes: [],
        warnings: ["retire.action delete keeps blue's target group shop-web: bluegreen did not create it"],
      },
      summary: {
        blue: {
          targetGroup: 'shop-web',
        },
        green: {
          targetGroup: 'shop-green-k3x9a',
        },
        rest: {
          listener: {
            arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
            rules: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee'],
          },
          traffic: {
            steps: [25, 100],
            holdSeconds: 60,
          },
          trafficStep: 'traffic-100',
        },
      },
    });
  });

  it('an NLB: new flows of AWS/NetworkELB are the drain', () => {
    expect(nlb().front).toEqual({
      ...listener().front,
      wait: {
        seconds: 600,
        warnings: [],
        drain: {
          namespace: 'AWS/NetworkELB',
          metricName: 'NewFlowCount',
          dimensions: [
            {
              name: 'LoadBalancer',
              value: 'app/shop/50dc6c495c0c9188',
            },
            {
              name: 'TargetGroup',
              value: 'targetgroup/shop-web/0123456789abcdef',
            },
          ],
          label: 'shop-web',
        },
        metricName: 'NewFlowCount',
        unit: 'new connections',
      },
    });
  });

  it("create-target-group: a copy of blue's protocol, port, VPC, health check, tags and attributes", () => {
    expect(planCreateTargetGroup(listener())).toEqual({
      steps: [
        {
          id: 'create-target-group',
          kind: 'replica-listener/create-target-group',
          title: 'Create target group shop-green-k3x9a like shop-web',
          params: {
            name: 'shop-green-k3x9a',
            input: {
              Name: 'shop-green-k3x9a',
              Protocol: 'HTTP',
              Port: 8080,
              VpcId: 'vpc-1',
              TargetType: 'instance',
              HealthCheckPath: '/health',
              Tags: [
                {
                  Key: 'bluegreen:service',
                  Value: 'shop',
                },
                {
                  Key: 'bluegreen:deployment',
                  Value: 'k3x9a',
                },
                {
                  Key: 'bluegreen:color',
                  Value: 'green',
                },
              ],
            },
            attributes: [
              {
                Key: 'deregistration_delay.timeout_seconds',
                Value: '400',
              },
            ],
          },
          creates: [
            {
              type: 'target-group',
              name: 'shop-green-k3x9a',
            },
          ],
        },
      ],
      warnings: [],
    });
  });

  it('switch-listener: the default action and the rule at once, the pause point', () => {
    expect(planTraffic(listener())).toEqual({
      steps: [
        {
          id: 'switch-listener',
          kind: 'replica-listener/switch-listener',
          title: 'Forward listener shop:443 and 1 rule to shop-green-k3x9a',
          params: {
            percent: 100,
            holdSeconds: 0,
            intervalSeconds: 10,
            alarms: [],
            listener: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
            blueTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/0123456789abcdef',
            firstStep: 'switch-listener',
            first: true,
            targetGroupStep: 'create-target-group',
            targetGroup: 'shop-green-k3x9a',
          },
          changes: [
            {
              what: 'forward of listener shop:443 and 1 rule',
              from: 'blue shop-web',
              to: 'green shop-green-k3x9a',
            },
          ],
          pausePoint: true,
        },
      ],
      warnings: [],
    });
  });

  it('traffic 25/100 held 60s with a gate alarm: one shift-traffic step per percent', () => {
    expect(planTraffic(listenerTraffic())).toEqual({
      steps: [
        {
          id: 'traffic-25',
          kind: 'replica-listener/shift-traffic',
          title: 'Send 25% of requests to green (shop-green-k3x9a) and hold 1m, watching alarm 5xx',
          params: {
            percent: 25,
            holdSeconds: 60,
            intervalSeconds: 10,
            alarms: ['5xx'],
            listener: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
            blueTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/0123456789abcdef',
            firstStep: 'traffic-25',
            first: true,
            targetGroupStep: 'create-target-group',
            targetGroup: 'shop-green-k3x9a',
          },
          changes: [
            {
              what: 'forward of listener shop:443 and 1 rule',
              from: 'blue shop-web',
              to: '75% blue, 25% green',
            },
          ],
          waits: '60s, watching alarm 5xx',
          pausePoint: true,
        },
        {
          id: 'traffic-100',
          kind: 'replica-listener/shift-traffic',
          title: 'Send 100% of requests to green (shop-green-k3x9a), watching alarm 5xx',
          params: {
            percent: 100,
            holdSeconds: 0,
            intervalSeconds: 10,
            alarms: ['5xx'],
            listener: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
            blueTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/0123456789abcdef',
            firstStep: 'traffic-25',
            first: false,
            targetGroupStep: 'create-target-group',
            targetGroup: 'shop-green-k3x9a',
          },
          changes: [
            {
              what: 'forward of listener shop:443 and 1 rule',
              from: '75% blue, 25% green',
              to: 'green shop-green-k3x9a',
            },
          ],
        },
      ],
      warnings: [],
    });
  });
});
