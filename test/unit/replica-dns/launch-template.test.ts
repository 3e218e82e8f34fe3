/** `launch: template` with replica-dns: the builder of a template from a launch configuration, and create-launch using it. */
import type { LaunchConfiguration } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { launchTemplateFromConfiguration } from '../../../src/strategies/common/builders.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { blueWorld, configFor, NEW_IMAGE, noRemote, USER_DATA, type World } from './world.js';

const GREEN = 'shop-green-k3x9a';
const TAGS = [{ Key: 'bluegreen:service', Value: 'shop' }];

async function planned(world: World, config: Config) {
  const observed = await replicaDns.observe(config, world.aws);
  const plan = replicaDns.plan(config, observed, 'k3x9a');
  return { plan, steps: plan.steps, registry: replicaDns.handlers(world.aws, noRemote) };
}

describe('launchTemplateFromConfiguration', () => {
  it('maps every launch configuration setting to the template, security groups onto the network interface with a public address choice', () => {
    const lc: LaunchConfiguration = {
      LaunchConfigurationName: 'shop-web-lc',
      LaunchConfigurationARN: 'arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:x:launchConfigurationName/shop-web-lc',
      ImageId: 'ami-old',
      InstanceType: 'm5.large',
      KeyName: 'ops',
      SecurityGroups: ['sg-0123', 'sg-0456'],
      IamInstanceProfile: 'arn:aws:iam::123456789012:instance-profile/shop',
      UserData: USER_DATA,
      BlockDeviceMappings: [
        {
          DeviceName: '/dev/xvda',
          Ebs: { SnapshotId: 'snap-1', VolumeSize: 30, VolumeType: 'gp3', DeleteOnTermination: true, Iops: 3000, Encrypted: true, Throughput: 125 },
        },
        { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' },
        { DeviceName: '/dev/sdc', NoDevice: true },
      ],
      InstanceMonitoring: { Enabled: false },
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
      EbsOptimized: true,
      AssociatePublicIpAddress: true,
      PlacementTenancy: 'dedicated',
      SpotPrice: '0.05',
      KernelId: 'aki-1',
      RamdiskId: 'ari-1',
      CreatedTime: new Date(0),
    };
    expect(launchTemplateFromConfiguration(lc, GREEN, NEW_IMAGE, TAGS)).toEqual({
      LaunchTemplateName: GREEN,
      VersionDescription: `bluegreen: launch configuration shop-web-lc with ${NEW_IMAGE}`,
      LaunchTemplateData: {
        ImageId: NEW_IMAGE,
        InstanceType: 'm5.large',
        KeyName: 'ops',
        NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: true, Groups: ['sg-0123', 'sg-0456'], DeleteOnTermination: true }],
        IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/shop' },
        UserData: USER_DATA,
        BlockDeviceMappings: [
          {
            DeviceName: '/dev/xvda',
            Ebs: { SnapshotId: 'snap-1', VolumeSize: 30, VolumeType: 'gp3', DeleteOnTermination: true, Iops: 3000, Encrypted: true, Throughput: 125 },
          },
          { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' },
          { DeviceName: '/dev/sdc', NoDevice: '' },
        ],
        Monitoring: { Enabled: false },
        EbsOptimized: true,
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
        Placement: { Tenancy: 'dedicated' },
        KernelId: 'aki-1',
        RamdiskId: 'ari-1',
        InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { MaxPrice: '0.05' } },
      },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: TAGS }],
    });
  });

  it('puts VPC ids in SecurityGroupIds, names in SecurityGroups, and drops what AWS describes as empty', () => {
    const base = {
      CreatedTime: new Date(0),
      LaunchConfigurationName: 'lc',
      ImageId: 'ami-old',
      InstanceType: 't3.small',
      KeyName: '',
      KernelId: '',
      RamdiskId: '',
      UserData: '',
      SpotPrice: '',
      PlacementTenancy: '',
    };
    expect(
      launchTemplateFromConfiguration({ ...base, SecurityGroups: ['sg-0123'], IamInstanceProfile: 'shop-web' }, 'n', NEW_IMAGE, [])
        .LaunchTemplateData,
    ).toEqual({
      ImageId: NEW_IMAGE,
      InstanceType: 't3.small',
      SecurityGroupIds: ['sg-0123'],
      IamInstanceProfile: { Name: 'shop-web' },
    });
    expect(
      launchTemplateFromConfiguration({ ...base, SecurityGroups: ['web', 'sg-0123'], BlockDeviceMappings: [] }, 'n', NEW_IMAGE, [])
        .LaunchTemplateData,
    ).toEqual({
      ImageId: NEW_IMAGE,
      InstanceType: 't3.small',
      SecurityGroups: ['web', 'sg-0123'],
    });
    expect(
      launchTemplateFromConfiguration({ ...base, SecurityGroups: ['sg-0123'], AssociatePublicIpAddress: false }, 'n', NEW_IMAGE, [])
        .LaunchTemplateData,
    ).toEqual({
      ImageId: NEW_IMAGE,
      InstanceType: 't3.small',
      NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: ['sg-0123'], DeleteOnTermination: true }],
    });
  });
});

describe('replica-dns with launch: template', () => {
  const config = () => configFor({ launch: 'template', retire: { afterSeconds: 0, action: 'keep' } });

  it("plans a launch template from blue's launch configuration, and green's group on its version 1", async () => {
    const world = blueWorld();
    const { steps, plan } = await planned(world, config());
    const create = steps.find((s) => s.id === STEP.createLaunch);
    expect(create?.title).toBe(`Create launch template ${GREEN} from launch configuration shop-web-lc with image ${NEW_IMAGE}`);
    expect(create?.creates).toEqual([{ type: 'launch-template', name: GREEN }]);
    expect(create?.params).toMatchObject({ kind: 'template-from-configuration', name: GREEN, source: 'shop-web-lc', image: NEW_IMAGE });
    expect(steps.find((s) => s.id === STEP.createGroup)?.params).toMatchObject({
      input: { LaunchTemplate: { LaunchTemplateName: GREEN, Version: '1' } },
    });
    expect(JSON.stringify(steps.find((s) => s.id === STEP.createGroup)?.params)).not.toContain('LaunchConfigurationName');
    expect(plan.warnings.join('\n')).not.toContain('consider moving');
  });

  it("green's group uses the template with the new image and blue's settings; undo deletes it", async () => {
    const world = blueWorld();
    const start = world.aws.snapshot();
    const { steps, registry } = await planned(world, config());
    await world.journal.applyAll(registry, steps);

    const version = await world.aws.launch.describeLaunchTemplateVersion({ name: GREEN }, '1');
    expect(version?.LaunchTemplateData).toEqual({
      ImageId: NEW_IMAGE,
      InstanceType: 't3.small',
      KeyName: 'ops',
      SecurityGroupIds: ['sg-0123'],
      IamInstanceProfile: { Name: 'shop-web' },
      UserData: USER_DATA,
      Monitoring: { Enabled: true },
    });
    const group = await world.aws.groups.describeGroup(GREEN);
    expect(group?.LaunchTemplate).toEqual({ LaunchTemplateName: GREEN, Version: '1' });
    expect(group?.LaunchConfigurationName).toBeUndefined();
    expect(await world.aws.launch.describeLaunchConfiguration(GREEN)).toBeUndefined();
    expect(world.journal.outputs[STEP.createLaunch]).toMatchObject({
      launchTemplate: GREEN,
      launchTemplateId: version?.LaunchTemplateId,
      version: 1,
    });
    expect(world.aws.state.templates.get(GREEN)?.tags.map((t) => t.Key)).toEqual(['bluegreen:service', 'bluegreen:deployment', 'bluegreen:color']);
    expect(JSON.stringify(world.journal.outputs)).not.toContain(USER_DATA);

    await world.journal.undoAll(registry, steps);
    expect(await world.aws.launch.findLaunchTemplate(GREEN)).toBeUndefined();
    expect(world.aws.snapshot()).toEqual(start);
  });

  it('applying every step twice creates the template once', async () => {
    const once = blueWorld();
    const p1 = await planned(once, config());
    await once.journal.applyAll(p1.registry, p1.steps);

    const twice = blueWorld();
    const p2 = await planned(twice, config());
    for (const s of p2.steps) {
      await twice.journal.apply(p2.registry, s);
      await twice.journal.apply(p2.registry, s);
    }
    expect(twice.aws.callsTo('launch.createLaunchTemplate')).toHaveLength(1);
    expect(twice.aws.callsTo('launch.createLaunchConfiguration')).toHaveLength(0);
    expect(twice.aws.snapshot()).toEqual(once.aws.snapshot());
  });

  it('changes nothing when blue already uses a launch template', async () => {
    const world = blueWorld({ launch: 'template' });
    const without = await planned(world, configFor({ retire: { afterSeconds: 0, action: 'keep' } }));
    const withTemplate = await planned(world, config());
    expect(withTemplate.steps).toEqual(without.steps);
  });
});
