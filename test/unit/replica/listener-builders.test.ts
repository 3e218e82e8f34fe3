/** The pure builders of replica-listener: exact inputs and outputs. */
import type { Action, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import {
  deregistrationDelaySeconds,
  forwardsTo,
  liveTargetGroups,
  loadBalancerDimension,
  sameTraffic,
  swapTargetGroupDimension,
  targetGroupAttributesCopy,
  targetGroupCopy,
  targetGroupDimension,
  targetStickiness,
  trafficActions,
} from '../../../src/strategies/replica/fronts/listener-target-group/builders.js';
import { isOwnTargetGroup, targetGroupName } from '../../../src/strategies/replica/fronts/listener-target-group/names.js';

const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/0123456789abcdef';
const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-green-k3x9a/fedcba9876543210';
const OTHER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-admin/00000000000000aa';
const TAGS = { service: 'shop', deploymentId: 'k3x9a', color: 'green' as const };

describe('targetGroupCopy', () => {
  it("copies protocol, version, port, VPC, target type, health check and matcher; blue's tags without ours, then ours", () => {
    const blue: TargetGroup = {
      TargetGroupArn: BLUE,
      TargetGroupName: 'shop-web',
      Protocol: 'HTTPS',
      ProtocolVersion: 'HTTP2',
      Port: 8443,
      VpcId: 'vpc-0abc',
      TargetType: 'instance',
      IpAddressType: 'ipv4',
      HealthCheckProtocol: 'HTTPS',
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckPath: '/up',
      HealthCheckIntervalSeconds: 15,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200-299' },
      LoadBalancerArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/1'],
    };
    const tags = [
      { Key: 'team', Value: 'web' },
      { Key: 'bluegreen:color', Value: 'blue' },
      { Key: 'aws:cloudformation:stack-name', Value: 'shop' },
    ];
    expect(targetGroupCopy(blue, tags, 'shop-green-k3x9a', TAGS)).toEqual({
      Name: 'shop-green-k3x9a',
      Protocol: 'HTTPS',
      ProtocolVersion: 'HTTP2',
      Port: 8443,
      VpcId: 'vpc-0abc',
      TargetType: 'instance',
      IpAddressType: 'ipv4',
      HealthCheckProtocol: 'HTTPS',
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckPath: '/up',
      HealthCheckIntervalSeconds: 15,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200-299' },
      Tags: [
        { Key: 'team', Value: 'web' },
        { Key: 'bluegreen:service', Value: 'shop' },
        { Key: 'bluegreen:deployment', Value: 'k3x9a' },
        { Key: 'bluegreen:color', Value: 'green' },
      ],
    });
  });

  it('leaves out what an NLB TCP group does not have (no path, no matcher)', () => {
    const input = targetGroupCopy(
      { Protocol: 'TCP', Port: 80, VpcId: 'vpc-1', TargetType: 'instance', HealthCheckProtocol: 'TCP', HealthCheckPath: '', Matcher: {} },
      [],
      'n',
      TAGS,
    );
    expect(input).toEqual({
      Name: 'n',
      Protocol: 'TCP',
      Port: 80,
      VpcId: 'vpc-1',
      TargetType: 'instance',
      HealthCheckProtocol: 'TCP',
      Tags: expect.any(Array),
    });
  });

  it("copies every attribute with a value, and reads the deregistration delay (AWS's 300 when absent)", () => {
    const attributes = [
      { Key: 'deregistration_delay.timeout_seconds', Value: '45' },
      { Key: 'stickiness.enabled', Value: 'true' },
      { Key: 'slow_start.duration_seconds', Value: '30' },
      { Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' },
      { Key: 'stickiness.app_cookie.cookie_name' },
    ];
    expect(targetGroupAttributesCopy(attributes)).toEqual(attributes.slice(0, 4));
    expect(deregistrationDelaySeconds(attributes)).toBe(45);
    expect(deregistrationDelaySeconds([])).toBe(300);
  });
});

describe('names', () => {
  it('a target group name is at most 32 characters of [A-Za-z0-9-], keeping color and id', () => {
    expect(targetGroupName('shop', 'green', 'k3x9a')).toBe('shop-green-k3x9a');
    const longest = targetGroupName('a-service-of-twenty', 'green', 'k3x9a');
    expect(longest).toBe('a-service-of-twenty-green-k3x9a');
    expect(longest.length).toBeLessThanOrEqual(32);
    // A longer service (not one the config admits) is cut, without leaving a hyphen before the color.
    expect(targetGroupName('abcdefghij-klmnopqrstuvw', 'green', 'k3x9a')).toBe('abcdefghij-klmnopqrs-green-k3x9a');
    expect(targetGroupName('abcdefghijklmnopqrs-xyz', 'green', 'k3x9a')).toBe('abcdefghijklmnopqrs-green-k3x9a');
  });

  it('a target group is ours only with our name and our service tag', () => {
    const tagged = [{ Key: 'bluegreen:service', Value: 'shop' }];
    expect(isOwnTargetGroup('shop', 'shop-green-k3x9a', tagged)).toBe(true);
    expect(isOwnTargetGroup('shop', 'shop-green-k3x9a', [])).toBe(false);
    expect(isOwnTargetGroup('shop', 'shop-web', tagged)).toBe(false);
    expect(isOwnTargetGroup('shop', 'shop-green-k3x9a', [{ Key: 'bluegreen:service', Value: 'cart' }])).toBe(false);
  });
});

describe('CloudWatch dimensions', () => {
  it('of a load balancer, a listener and a target group; a resource label swapped to green', () => {
    expect(loadBalancerDimension('arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/shop/50dc6c495c0c9188')).toBe(
      'app/shop/50dc6c495c0c9188',
    );
    expect(loadBalancerDimension('arn:aws:elasticloadbalancing:us-east-1:1:listener/net/shop/50dc6c495c0c9188/f2f7dc8efc522ab2')).toBe(
      'net/shop/50dc6c495c0c9188',
    );
    expect(targetGroupDimension(BLUE)).toBe('targetgroup/shop-web/0123456789abcdef');
    const policy = {
      PolicyName: 'rpt',
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: 'app/shop/50dc/targetgroup/shop-web/0123456789abcdef',
        },
      },
      Dimensions: [
        { Name: 'TargetGroup', Value: 'targetgroup/shop-web/0123456789abcdef' },
        { Name: 'LoadBalancer', Value: 'app/shop/50dc' },
      ],
    };
    expect(swapTargetGroupDimension(policy, 'targetgroup/shop-web/0123456789abcdef', 'targetgroup/shop-green-k3x9a/fedcba9876543210')).toEqual({
      PolicyName: 'rpt',
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: 'app/shop/50dc/targetgroup/shop-green-k3x9a/fedcba9876543210',
        },
      },
      Dimensions: [
        { Name: 'TargetGroup', Value: 'targetgroup/shop-green-k3x9a/fedcba9876543210' },
        { Name: 'LoadBalancer', Value: 'app/shop/50dc' },
      ],
    });
  });
});

describe('forward actions', () => {
  const described: Action[] = [
    {
      Type: 'authenticate-oidc',
      Order: 1,
      AuthenticateOidcConfig: { Issuer: 'https://id', AuthorizationEndpoint: 'a', TokenEndpoint: 't', UserInfoEndpoint: 'u', ClientId: 'c' },
    },
    {
      Type: 'forward',
      Order: 2,
      TargetGroupArn: BLUE,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 600 } },
    },
  ];

  it('a step below 100 weighs blue and green, keeping the stickiness; other actions kept, an OIDC one keeping its secret', () => {
    expect(trafficActions(described, BLUE, GREEN, 10)).toEqual([
      { ...described[0], AuthenticateOidcConfig: { ...described[0]?.AuthenticateOidcConfig, UseExistingClientSecret: true } },
      {
        Type: 'forward',
        Order: 2,
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: BLUE, Weight: 90 },
            { TargetGroupArn: GREEN, Weight: 10 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 600 },
        },
      },
    ]);
  });

  it('a weighted forward without stickiness of its own gets target group stickiness for stickinessSeconds; its own enabled one wins', () => {
    const plain: Action[] = [{ Type: 'forward', TargetGroupArn: BLUE }];
    const [forward] = trafficActions(plain, BLUE, GREEN, 10, 3600);
    expect(forward?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 3600 });
    // As AWS describes a forward without it: { Enabled: false }, which is none.
    const disabled: Action[] = [
      { ...plain[0]!, ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE }], TargetGroupStickinessConfig: { Enabled: false } } },
    ];
    expect(trafficActions(disabled, BLUE, GREEN, 10, 3600)[0]?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({
      Enabled: true,
      DurationSeconds: 3600,
    });
    expect(trafficActions(disabled, BLUE, GREEN, 10)[0]?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({ Enabled: false });
    expect(trafficActions(described, BLUE, GREEN, 10, 3600)[1]?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({
      Enabled: true,
      DurationSeconds: 600,
    });
    expect(trafficActions(plain, BLUE, GREEN, 100, 3600)).toEqual([{ Type: 'forward', TargetGroupArn: GREEN }]);
  });

  it("blue's stickiness from its target group attributes: the cookie type's duration, AWS's 1 day when absent", () => {
    const attributes = (pairs: Record<string, string>) => Object.entries(pairs).map(([Key, Value]) => ({ Key, Value }));
    expect(targetStickiness(attributes({ 'stickiness.enabled': 'false', 'stickiness.lb_cookie.duration_seconds': '60' }))).toBeUndefined();
    expect(targetStickiness(attributes({ 'stickiness.enabled': 'true' }))).toEqual({ type: 'lb_cookie', seconds: 86400 });
    expect(targetStickiness(attributes({ 'stickiness.enabled': 'true', 'stickiness.lb_cookie.duration_seconds': '60' }))).toEqual({
      type: 'lb_cookie',
      seconds: 60,
    });
    expect(
      targetStickiness(
        attributes({
          'stickiness.enabled': 'true',
          'stickiness.type': 'app_cookie',
          'stickiness.app_cookie.duration_seconds': '120',
          'stickiness.lb_cookie.duration_seconds': '60',
        }),
      ),
    ).toEqual({ type: 'app_cookie', seconds: 120 });
  });

  it('an enabled target group stickiness is part of where requests go (a resumed step adds a missing one)', () => {
    const weighted = trafficActions([{ Type: 'forward', TargetGroupArn: BLUE }], BLUE, GREEN, 10);
    expect(sameTraffic(weighted, trafficActions([{ Type: 'forward', TargetGroupArn: BLUE }], BLUE, GREEN, 10, 3600))).toBe(false);
    expect(
      sameTraffic(
        trafficActions([{ Type: 'forward', TargetGroupArn: BLUE }], BLUE, GREEN, 10, 3600),
        trafficActions([{ Type: 'forward', TargetGroupArn: BLUE }], BLUE, GREEN, 10, 3600),
      ),
    ).toBe(true);
    const off = [{ ...weighted[0]!, ForwardConfig: { ...weighted[0]!.ForwardConfig, TargetGroupStickinessConfig: { Enabled: false } } }];
    expect(sameTraffic(weighted, off)).toBe(true);
  });

  it('100 (and the single switch) forwards to green alone', () => {
    expect(trafficActions([{ Type: 'forward', TargetGroupArn: BLUE }], BLUE, GREEN, 100)).toEqual([{ Type: 'forward', TargetGroupArn: GREEN }]);
  });

  it('leaves forwards to other target groups and non-forward actions alone', () => {
    const other: Action[] = [
      { Type: 'forward', TargetGroupArn: OTHER },
      { Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301', Protocol: 'HTTPS' } },
    ];
    expect(trafficActions(other, BLUE, GREEN, 50)).toEqual(other);
  });

  it('tells where requests go (weight above 0), whatever the describe shape', () => {
    expect(liveTargetGroups(described)).toEqual([BLUE]);
    expect(
      liveTargetGroups([
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: BLUE, Weight: 0 },
              { TargetGroupArn: GREEN, Weight: 5 },
            ],
          },
        },
      ]),
    ).toEqual([GREEN]);
    expect(forwardsTo(described, BLUE)).toBe(true);
    expect(forwardsTo(described, GREEN)).toBe(false);
    expect(
      sameTraffic(
        [{ Type: 'forward', TargetGroupArn: GREEN }],
        [{ Type: 'forward', TargetGroupArn: GREEN, ForwardConfig: { TargetGroups: [{ TargetGroupArn: GREEN, Weight: 1 }] } }],
      ),
    ).toBe(true);
    const weighted = trafficActions([{ Type: 'forward', TargetGroupArn: BLUE }], BLUE, GREEN, 10);
    expect(sameTraffic(weighted, trafficActions([{ Type: 'forward', TargetGroupArn: BLUE }], BLUE, GREEN, 10))).toBe(true);
    expect(sameTraffic(weighted, trafficActions([{ Type: 'forward', TargetGroupArn: BLUE }], BLUE, GREEN, 50))).toBe(false);
    expect(sameTraffic([{ Type: 'forward', TargetGroupArn: BLUE }], [{ Type: 'forward', TargetGroupArn: GREEN }])).toBe(false);
  });
});
