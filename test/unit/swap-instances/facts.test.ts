import { describe, expect, it } from 'vitest';
import { frontNames, fronts, groupLaunch, instancesText, sizesText, swapFacts, targetsText } from '../../../src/strategies/swap-instances/facts.js';
import { commandsConfig, FACTS, NO_FRONT_FACTS, OLD_IMAGE, observedFixture, swapConfig, TEMPLATE_FACTS, TG_ARN } from './fixtures.js';

describe('swap-instances facts', () => {
  it('decides once what several steps share', () => {
    expect(swapFacts(swapConfig(), observedFixture(), 'k3x9a')).toEqual(FACTS);
  });

  it('a commands release on a launch template: the baked image, the resolved version', () => {
    const observed = { ...observedFixture({ template: true }), image: { ImageId: OLD_IMAGE, State: 'available' as const } };
    expect(swapFacts(commandsConfig('ssm'), observed, 'k3x9a')).toEqual(TEMPLATE_FACTS);
  });

  it('raises MaxSize to DesiredCapacity + InService when MaxSize leaves no room', () => {
    const f = swapFacts(swapConfig(), observedFixture({ maxSize: 5, desired: 4 }), 'k3x9a');
    expect([f.sizes, f.maxSize]).toEqual([{ MinSize: 2, MaxSize: 5, DesiredCapacity: 4 }, 7]);
    expect(swapFacts(swapConfig(), observedFixture({ maxSize: 10 }), 'k3x9a').maxSize).toBe(10);
  });

  it('moves a group on a launch configuration to a template only when launch: template says so', () => {
    expect(swapFacts(swapConfig({ launch: 'template' }), observedFixture(), 'k3x9a').toTemplate).toBe(true);
    expect(swapFacts(swapConfig({ launch: 'template' }), observedFixture({ template: true }), 'k3x9a').toTemplate).toBe(false);
  });

  it('the longest draining time, 0 without load balancers', () => {
    const observed = {
      ...observedFixture(),
      loadBalancers: [{ name: 'a', drainingSeconds: 0 }],
      targetGroups: [{ arn: TG_ARN, name: 'shop-web', drainingSeconds: 45 }],
    };
    expect(swapFacts(swapConfig(), observed, 'k3x9a').drainingSeconds).toBe(45);
    expect(swapFacts(swapConfig(), { ...observedFixture(), loadBalancers: [], targetGroups: [] }, 'k3x9a').drainingSeconds).toBe(0);
  });

  it('names a template by its id when it has no name', () => {
    const launch = observedFixture({ template: true }).launch;
    if (launch.kind !== 'template') throw new Error('fixture');
    expect(groupLaunch({ ...launch, version: { ...launch.version, LaunchTemplateName: undefined } })).toEqual({
      ref: { kind: 'template', id: 'lt-0123', version: 2 },
      name: 'lt-0123',
      type: 'launch template',
      requested: '$Latest',
    });
  });

  it('the words titles use', () => {
    expect(fronts(FACTS)).toEqual({ loadBalancers: ['shop-web-elb'], targetGroups: [TG_ARN] });
    expect(frontNames(FACTS)).toEqual(['shop-web-elb', 'shop-web']);
    expect(targetsText(FACTS)).toBe('shop-web-elb, shop-web');
    expect(targetsText(NO_FRONT_FACTS)).toBe('no load balancer');
    expect(sizesText({ MinSize: 1, MaxSize: 4, DesiredCapacity: 2 })).toBe('min 1, max 4, desired 2');
    expect([instancesText(1), instancesText(3)]).toEqual(['1 instance', '3 instances']);
  });

  it('refuses a deployment id that names could not hold', () => {
    expect(() => swapFacts(swapConfig(), observedFixture(), 'BAD')).toThrow(/deployment id/);
  });
});
