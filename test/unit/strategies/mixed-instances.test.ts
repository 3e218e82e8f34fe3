/** A blue group with a mixed instances policy: green keeps the policy as blue has it, with green's launch template. */
import { describe, expect, it } from 'vitest';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { groupCopy } from '../../../src/strategies/replica/builders.js';
import type { CreateGroupParams, CreateLaunchParams } from '../../../src/strategies/replica/steps/build.js';
import { STEP } from '../../../src/strategies/replica-dns/index.js';
import { blueWorld, configFor } from '../replica-dns/world.js';

const POLICY = {
  LaunchTemplate: {
    LaunchTemplateSpecification: { LaunchTemplateName: 'shop-web-lt', Version: '$Latest' },
    Overrides: [{ InstanceType: 'm5.large', WeightedCapacity: '2' }, { InstanceType: 'm6i.large' }],
  },
  InstancesDistribution: { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 25, SpotAllocationStrategy: 'price-capacity-optimized' },
};

function mixedWorld() {
  const world = blueWorld({ launch: 'template' });
  const g = (world.aws.state.groups.get('shop-web') as { group: Record<string, unknown> }).group;
  delete g.LaunchTemplate;
  g.MixedInstancesPolicy = structuredClone(POLICY);
  return world;
}

describe('mixed instances policy', () => {
  it("groupCopy keeps blue's overrides and distribution and puts green's template in the policy, with no LaunchTemplate beside it", () => {
    const input = groupCopy(
      {
        AutoScalingGroupName: 'shop-web',
        MinSize: 2,
        MaxSize: 4,
        DesiredCapacity: 2,
        MixedInstancesPolicy: structuredClone(POLICY),
        CreatedTime: new Date(0),
        HealthCheckType: 'ELB',
        AvailabilityZones: [],
        DefaultCooldown: 300,
      },
      [],
      'shop-green-k3x9a',
      { launchTemplateName: 'shop-green-k3x9a', version: '1' },
      'shop-green-k3x9a',
      { service: 'shop', deploymentId: 'k3x9a', color: 'green' },
    );
    expect(input.LaunchTemplate).toBeUndefined();
    expect(input.MixedInstancesPolicy).toEqual({
      LaunchTemplate: {
        LaunchTemplateSpecification: { LaunchTemplateName: 'shop-green-k3x9a', Version: '1' },
        Overrides: POLICY.LaunchTemplate.Overrides,
      },
      InstancesDistribution: POLICY.InstancesDistribution,
    });
  });

  it("replica-dns copies the policy's template version (resolved to a number) and plans green's group with the policy", async () => {
    const world = mixedWorld();
    const observed = await replicaDns.observe(configFor(), world.aws);
    const plan = replicaDns.plan(configFor(), observed, 'k3x9a');
    const launch = plan.steps.find((s) => s.id === STEP.createLaunch)?.params as unknown as CreateLaunchParams;
    expect(launch).toMatchObject({ kind: 'template', source: { version: 2 } });
    const group = plan.steps.find((s) => s.id === STEP.createGroup)?.params as unknown as CreateGroupParams;
    expect(group.input.LaunchTemplate).toBeUndefined();
    expect(group.input.MixedInstancesPolicy).toEqual({
      LaunchTemplate: {
        LaunchTemplateSpecification: { LaunchTemplateName: 'shop-green-k3x9a', Version: '1' },
        Overrides: POLICY.LaunchTemplate.Overrides,
      },
      InstancesDistribution: POLICY.InstancesDistribution,
    });
  });
});
