import { describe, expect, it } from 'vitest';
import {
  noFrontWarning,
  planAttach,
  planLaunchInstances,
  planRaiseMaxSize,
  planSuspend,
  planWaitHealthy,
  planWaitRunning,
} from '../../../src/strategies/swap-instances/plan-attach.js';
import { FACTS, GROUP, NEW_IMAGE, NO_FRONT_FACTS, OLD_IMAGE, TEMPLATE_FACTS, TG_ARN } from './fixtures.js';

const OWN_TAGS = [
  { Key: 'bluegreen:service', Value: 'shop' },
  { Key: 'bluegreen:deployment', Value: 'k3x9a' },
];

describe('swap-instances step planners: the new instances into service', () => {
  it('planSuspend suspends the processes that would fight the swap', () => {
    expect(planSuspend({ group: GROUP })).toEqual({
      id: 'suspend-processes',
      kind: 'swap-instances/suspend-processes',
      title: `Suspend AZRebalance, AlarmNotification, ScheduledActions, ReplaceUnhealthy of ${GROUP}`,
      params: { group: GROUP, processes: ['AZRebalance', 'AlarmNotification', 'ScheduledActions', 'ReplaceUnhealthy'] },
      changes: [
        { what: `processes of ${GROUP}`, from: 'as they are', to: 'AZRebalance, AlarmNotification, ScheduledActions, ReplaceUnhealthy suspended' },
      ],
    });
  });

  it('planLaunchInstances launches as many as serve, spread over the subnets, with the propagated tags and ours', () => {
    const group = {
      VPCZoneIdentifier: 'subnet-a,subnet-b',
      Tags: [
        { Key: 'Name', Value: 'shop-web', PropagateAtLaunch: true },
        { Key: 'cost-center', Value: 'web', PropagateAtLaunch: false },
      ],
    };
    expect(planLaunchInstances(FACTS, group)).toEqual({
      id: 'launch-instances',
      kind: 'swap-instances/launch-instances',
      title: `Launch 3 instances like ${GROUP}'s launch configuration shop-web-lc with image ${NEW_IMAGE}`,
      params: {
        group: GROUP,
        count: 3,
        image: NEW_IMAGE,
        launch: { kind: 'configuration', name: 'shop-web-lc' },
        placements: [
          { subnetId: 'subnet-a', count: 2, clientToken: 'bluegreen-shop-k3x9a-0' },
          { subnetId: 'subnet-b', count: 1, clientToken: 'bluegreen-shop-k3x9a-1' },
        ],
        tags: [{ Key: 'Name', Value: 'shop-web' }, ...OWN_TAGS],
      },
      creates: [{ type: 'instances', name: '3 instances tagged bluegreen:deployment=k3x9a' }],
    });
  });

  it('planLaunchInstances from a launch template version, over zones when the group has no subnets', () => {
    const step = planLaunchInstances({ ...TEMPLATE_FACTS, count: 1 }, { AvailabilityZones: ['us-east-1a', 'us-east-1b'] });
    expect(step.title).toBe(`Launch 1 instance like ${GROUP}'s launch template shop-web-lt with image ${OLD_IMAGE}`);
    expect(step.params).toEqual({
      group: GROUP,
      count: 1,
      image: OLD_IMAGE,
      launch: { kind: 'template', id: 'lt-0123', version: 2 },
      placements: [{ availabilityZone: 'us-east-1a', count: 1, clientToken: 'bluegreen-shop-k3x9a-0' }],
      tags: OWN_TAGS,
    });
    expect(step.creates).toEqual([{ type: 'instances', name: '1 instance tagged bluegreen:deployment=k3x9a' }]);
  });

  it('planWaitRunning waits with the health interval and its own timeout', () => {
    expect(planWaitRunning({ count: 3, health: { timeoutSeconds: 240, intervalSeconds: 5 } })).toEqual({
      id: 'wait-running',
      kind: 'swap-instances/wait-running',
      title: 'Wait until the 3 instances are running',
      params: { timeoutSeconds: 600, intervalSeconds: 5 },
      waits: 'until 3 of 3 instances are running (timeout 600s, every 5s)',
    });
  });

  it('planRaiseMaxSize raises MaxSize when the attach needs room', () => {
    expect(planRaiseMaxSize(FACTS)).toEqual({
      id: 'raise-max-size',
      kind: 'swap-instances/raise-max-size',
      title: `Raise MaxSize of ${GROUP} to 6`,
      params: { group: GROUP, count: 3, planned: { MinSize: 2, MaxSize: 4, DesiredCapacity: 3 }, maxSize: 6 },
      changes: [{ what: `MaxSize of ${GROUP}`, from: '4', to: '6' }],
    });
  });

  it('planRaiseMaxSize only checks, changing nothing, when MaxSize leaves room', () => {
    const sizes = { MinSize: 2, MaxSize: 10, DesiredCapacity: 3 };
    expect(planRaiseMaxSize({ group: GROUP, count: 1, sizes, maxSize: 10 })).toStrictEqual({
      id: 'raise-max-size',
      kind: 'swap-instances/raise-max-size',
      title: `Check MaxSize of ${GROUP} (10) leaves room for 1 instance`,
      params: { group: GROUP, count: 1, planned: sizes, maxSize: 10 },
    });
  });

  it('planAttach is the pause point: the new instances join the group and every load balancer', () => {
    expect(planAttach(FACTS)).toEqual({
      id: 'attach-instances',
      kind: 'swap-instances/attach-instances',
      title: `Attach the new instances to ${GROUP} and register them with shop-web-elb, shop-web`,
      params: { group: GROUP, loadBalancers: ['shop-web-elb'], targetGroups: [TG_ARN], drainingSeconds: 120, intervalSeconds: 10 },
      changes: [{ what: `capacity of ${GROUP}`, from: 'min 2, max 4, desired 3', to: 'min 2, max 6, desired 6' }],
      pausePoint: true,
    });
    expect(planAttach(NO_FRONT_FACTS).title).toBe(`Attach the new instances to ${GROUP} and register them with no load balancer`);
  });

  it('planWaitHealthy waits for InService in the group and behind every load balancer', () => {
    expect(planWaitHealthy(FACTS)).toEqual({
      id: 'wait-healthy',
      kind: 'swap-instances/wait-healthy',
      title: `Wait until the new instances are InService in ${GROUP} and shop-web-elb, shop-web`,
      params: { group: GROUP, loadBalancers: ['shop-web-elb'], targetGroups: [TG_ARN], timeoutSeconds: 300, intervalSeconds: 10 },
      waits: 'until 3 of 3 new instances are InService (timeout 300s, every 10s)',
    });
    expect(planWaitHealthy(NO_FRONT_FACTS)).toMatchObject({
      title: `Wait until the new instances are InService in ${GROUP}`,
      params: { group: GROUP, loadBalancers: [], targetGroups: [], timeoutSeconds: 300, intervalSeconds: 10 },
    });
  });

  it('noFrontWarning: only a group without load balancer or target group', () => {
    expect(noFrontWarning(FACTS)).toBeUndefined();
    expect(noFrontWarning(NO_FRONT_FACTS)).toBe(
      `${GROUP} has no load balancer or target group: health is the group's InService state only, and nothing drains before termination`,
    );
  });
});
