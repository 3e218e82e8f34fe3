import { describe, expect, it } from 'vitest';
import {
  launchWarning,
  planDeregisterOld,
  planRestoreGroup,
  planTerminateOld,
  planUpdateLaunch,
  planWaitDraining,
  planWaitRetire,
  terminateWarning,
} from '../../../src/strategies/swap-instances/plan-retire.js';
import { FACTS, GROUP, NEW_IMAGE, NO_FRONT_FACTS, TEMPLATE_FACTS, TG_ARN } from './fixtures.js';

const OWN_TAGS = FACTS.ownTags;

describe('swap-instances step planners: retiring the old instances', () => {
  it('planUpdateLaunch copies the launch configuration with the release image', () => {
    expect(planUpdateLaunch(FACTS)).toEqual({
      id: 'update-launch',
      kind: 'swap-instances/update-launch',
      title: `Point ${GROUP} at launch configuration shop-swap-k3x9a (a copy of shop-web-lc with image ${NEW_IMAGE})`,
      params: { kind: 'configuration', group: GROUP, name: 'shop-swap-k3x9a', source: 'shop-web-lc', image: NEW_IMAGE, tags: OWN_TAGS },
      creates: [{ type: 'launch-configuration', name: 'shop-swap-k3x9a' }],
      changes: [{ what: `launch of ${GROUP}`, from: 'shop-web-lc', to: 'shop-swap-k3x9a' }],
    });
  });

  it('planUpdateLaunch moves a group on a launch configuration to a new template when asked', () => {
    expect(planUpdateLaunch({ ...FACTS, toTemplate: true })).toEqual({
      id: 'update-launch',
      kind: 'swap-instances/update-launch',
      title: `Point ${GROUP} at launch template shop-swap-k3x9a (from launch configuration shop-web-lc with image ${NEW_IMAGE})`,
      params: { kind: 'template-from-configuration', group: GROUP, name: 'shop-swap-k3x9a', source: 'shop-web-lc', image: NEW_IMAGE, tags: OWN_TAGS },
      creates: [{ type: 'launch-template', name: 'shop-swap-k3x9a' }],
      changes: [{ what: `launch of ${GROUP}`, from: 'shop-web-lc', to: 'shop-swap-k3x9a' }],
    });
  });

  it('planUpdateLaunch copies the resolved template version with the image bake-image makes (null until then)', () => {
    expect(planUpdateLaunch(TEMPLATE_FACTS)).toEqual({
      id: 'update-launch',
      kind: 'swap-instances/update-launch',
      title: `Point ${GROUP} at launch template shop-swap-k3x9a (a copy of shop-web-lt with image shop-swap-k3x9a)`,
      params: { kind: 'template', group: GROUP, name: 'shop-swap-k3x9a', source: { id: 'lt-0123', version: 2 }, image: null, tags: OWN_TAGS },
      creates: [{ type: 'launch-template', name: 'shop-swap-k3x9a' }],
      changes: [{ what: `launch of ${GROUP}`, from: 'shop-web-lt', to: 'shop-swap-k3x9a' }],
    });
  });

  it('launchWarning: a launch configuration kept, or a template version that floats', () => {
    expect(launchWarning(FACTS)).toBe(
      `${GROUP} uses launch configuration shop-web-lc; AWS no longer lets new accounts create launch configurations, so consider moving the group to a launch template`,
    );
    expect(launchWarning({ ...FACTS, toTemplate: true })).toBeUndefined();
    expect(launchWarning(TEMPLATE_FACTS)).toBe(
      `${GROUP} uses launch template shop-web-lt as $Latest; the new instances use version 2, and the group moves to its own template shop-swap-k3x9a version 1`,
    );
    expect(launchWarning({ ...TEMPLATE_FACTS, launch: { ...TEMPLATE_FACTS.launch, requested: '2' } })).toBeUndefined();
  });

  it('planWaitRetire says how long is left every 30s at most, every second at least', () => {
    expect(planWaitRetire(120)).toEqual({
      id: 'wait-retire',
      kind: 'swap-instances/wait-retire',
      title: 'Wait 120s with old and new instances serving together',
      params: { seconds: 120, intervalSeconds: 30 },
      waits: '120s',
    });
    expect(planWaitRetire(10).params).toEqual({ seconds: 10, intervalSeconds: 10 });
    expect(planWaitRetire(0).params).toEqual({ seconds: 0, intervalSeconds: 1 });
  });

  it('planDeregisterOld takes the old instances out of every load balancer', () => {
    expect(planDeregisterOld(FACTS)).toEqual({
      id: 'deregister-old',
      kind: 'swap-instances/deregister-old',
      title: 'Deregister the old instances from shop-web-elb, shop-web',
      params: {
        group: GROUP,
        loadBalancers: ['shop-web-elb'],
        targetGroups: [TG_ARN],
        planned: ['i-0old1', 'i-0old2', 'i-0old3'],
        timeoutSeconds: 300,
        intervalSeconds: 10,
      },
      changes: [
        { what: 'instances of shop-web-elb', from: 'old and new', to: 'new only' },
        { what: 'instances of shop-web', from: 'old and new', to: 'new only' },
      ],
    });
    expect(planDeregisterOld(NO_FRONT_FACTS)).toMatchObject({ title: 'Deregister the old instances from no load balancer', changes: [] });
  });

  it('planWaitDraining waits the longest draining time and says where each comes from', () => {
    const lbOff = { ...FACTS, loadBalancers: [{ name: 'shop-web-elb', drainingSeconds: 0 }], drainingSeconds: 45 };
    expect(planWaitDraining(lbOff)).toEqual({
      id: 'wait-draining',
      kind: 'swap-instances/wait-draining',
      title: "Wait 45s for the old instances' connections to drain",
      params: { seconds: 45, intervalSeconds: 30, reasons: ['shop-web-elb: connection draining off', 'shop-web: deregistration delay 45s'] },
      waits: '45s (shop-web-elb: connection draining off; shop-web: deregistration delay 45s)',
    });
  });

  it('planWaitDraining without load balancers waits for nothing', () => {
    expect(planWaitDraining(NO_FRONT_FACTS)).toEqual({
      id: 'wait-draining',
      kind: 'swap-instances/wait-draining',
      title: 'No draining to wait for',
      params: { seconds: 0, intervalSeconds: 1, reasons: [] },
      waits: '0s (no load balancer)',
    });
  });

  it('planTerminateOld terminates with decrement and waits until they leave', () => {
    expect(planTerminateOld(FACTS)).toEqual({
      id: 'terminate-old',
      kind: 'swap-instances/terminate-old',
      title: `Terminate the old instances in ${GROUP}, decrementing its desired capacity`,
      params: { group: GROUP, timeoutSeconds: 900, intervalSeconds: 10 },
      changes: [{ what: `instances of ${GROUP}`, from: 'i-0old1, i-0old2, i-0old3', to: 'terminated' }],
      waits: `until they have left ${GROUP} (timeout 900s)`,
    });
  });

  it('terminateWarning names the old instances rollback cannot bring back', () => {
    expect(terminateWarning({ old: ['i-1', 'i-2'] })).toBe(
      'after the terminate-old step, rollback cannot bring the old instances (i-1, i-2) back; until then it re-registers them and removes the new ones',
    );
  });

  it('planRestoreGroup gives the group its plan-time sizes back', () => {
    expect(planRestoreGroup(FACTS)).toEqual({
      id: 'restore-group',
      kind: 'swap-instances/restore-group',
      title: `Restore ${GROUP} to min 2, max 4, desired 3 and resume the processes this deployment suspended`,
      params: { group: GROUP, sizes: { MinSize: 2, MaxSize: 4, DesiredCapacity: 3 } },
      changes: [{ what: `capacity of ${GROUP}`, from: 'min 2, max 6, desired 3', to: 'min 2, max 4, desired 3' }],
    });
  });
});
