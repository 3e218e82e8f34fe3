import { describe, expect, it } from 'vitest';
import {
  classicDrainingSeconds,
  commandEnv,
  hostOf,
  launchTemplateSwapCopy,
  placementOf,
  placements,
  raisedMaxSize,
  runInstancesInput,
  targetGroupDelaySeconds,
} from '../../../src/strategies/swap-instances/builders.js';
import { clientToken, propagatedTags } from '../../../src/strategies/swap-instances/names.js';
import { NEW_IMAGE, OLD_IMAGE, USER_DATA } from './fixtures.js';

const TAGS = [
  { Key: 'Name', Value: 'shop-web' },
  { Key: 'bluegreen:deployment', Value: 'k3x9a' },
];

describe('placements', () => {
  it('spreads instances round-robin over the subnets: one RunInstances call per subnet used, not per instance', () => {
    expect(placements({ VPCZoneIdentifier: 'subnet-a, subnet-b,subnet-c' }, 7, 'shop', 'k3x9a')).toEqual([
      { subnetId: 'subnet-a', count: 3, clientToken: 'bluegreen-shop-k3x9a-0' },
      { subnetId: 'subnet-b', count: 2, clientToken: 'bluegreen-shop-k3x9a-1' },
      { subnetId: 'subnet-c', count: 2, clientToken: 'bluegreen-shop-k3x9a-2' },
    ]);
    expect(placements({ VPCZoneIdentifier: 'subnet-a,subnet-b,subnet-c' }, 1, 'shop', 'k3x9a')).toEqual([
      { subnetId: 'subnet-a', count: 1, clientToken: 'bluegreen-shop-k3x9a-0' },
    ]);
    expect(placements({ VPCZoneIdentifier: 'subnet-a,subnet-b' }, 100, 'shop', 'k3x9a')).toHaveLength(2);
  });

  it('falls back to the availability zones, then to no placement at all', () => {
    expect(placements({ VPCZoneIdentifier: '', AvailabilityZones: ['us-east-1a', 'us-east-1b'] }, 3, 'shop', 'k3x9a')).toEqual([
      { availabilityZone: 'us-east-1a', count: 2, clientToken: 'bluegreen-shop-k3x9a-0' },
      { availabilityZone: 'us-east-1b', count: 1, clientToken: 'bluegreen-shop-k3x9a-1' },
    ]);
    expect(placements({}, 2, 'shop', 'k3x9a')).toEqual([{ count: 2, clientToken: 'bluegreen-shop-k3x9a-0' }]);
  });

  it('tokens fit the 64 characters RunInstances allows, and find their instances back', () => {
    expect(clientToken('a-service-of-20-char', 'k3x9a', 9).length).toBeLessThanOrEqual(64);
    const all = placements({ VPCZoneIdentifier: 'subnet-a,subnet-b' }, 2, 'shop', 'k3x9a');
    expect(placementOf({ SubnetId: 'subnet-b' }, all)).toBe(all[1]);
    expect(placementOf({ SubnetId: 'subnet-z' }, all)).toBeUndefined();
  });
});

describe('raisedMaxSize', () => {
  it('is max(MaxSize, DesiredCapacity + the instances attached)', () => {
    expect(raisedMaxSize({ MaxSize: 4, DesiredCapacity: 3 }, 3)).toBe(6);
    expect(raisedMaxSize({ MaxSize: 10, DesiredCapacity: 3 }, 3)).toBe(10);
    expect(raisedMaxSize({ MaxSize: 6, DesiredCapacity: 3 }, 3)).toBe(6);
    expect(raisedMaxSize({ MaxSize: 2, DesiredCapacity: 2 }, 1)).toBe(3);
  });
});

describe('runInstancesInput', () => {
  const placement = { subnetId: 'subnet-a', count: 2, clientToken: 'bluegreen-shop-k3x9a-0' };

  it('copies a launch configuration into one RunInstances call for the whole placement', () => {
    const input = runInstancesInput(
      {
        kind: 'configuration',
        configuration: {
          LaunchConfigurationName: 'shop-web-lc',
          ImageId: OLD_IMAGE,
          InstanceType: 't3.small',
          KeyName: 'ops',
          SecurityGroups: ['sg-0123', 'sg-0456'],
          IamInstanceProfile: 'shop-web',
          UserData: USER_DATA,
          InstanceMonitoring: { Enabled: true },
          BlockDeviceMappings: [
            { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3' } },
            { DeviceName: '/dev/sdb', NoDevice: true },
          ],
          MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
          KernelId: '',
          RamdiskId: '',
          CreatedTime: new Date(0),
        },
      },
      placement,
      NEW_IMAGE,
      TAGS,
    );
    expect(input).toEqual({
      ImageId: NEW_IMAGE,
      MinCount: 2,
      MaxCount: 2,
      ClientToken: 'bluegreen-shop-k3x9a-0',
      TagSpecifications: [
        { ResourceType: 'instance', Tags: TAGS },
        { ResourceType: 'volume', Tags: TAGS },
      ],
      InstanceType: 't3.small',
      KeyName: 'ops',
      SecurityGroupIds: ['sg-0123', 'sg-0456'],
      SubnetId: 'subnet-a',
      IamInstanceProfile: { Name: 'shop-web' },
      UserData: USER_DATA,
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3' } },
        { DeviceName: '/dev/sdb', NoDevice: '' },
      ],
      Monitoring: { Enabled: true },
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
    });
  });

  it('puts the subnet and groups on a network interface when the configuration chooses a public address', () => {
    const input = runInstancesInput(
      {
        kind: 'configuration',
        configuration: {
          ImageId: OLD_IMAGE,
          InstanceType: 't3.small',
          SecurityGroups: ['sg-0123'],
          AssociatePublicIpAddress: true,
          IamInstanceProfile: 'arn:aws:iam::123456789012:instance-profile/shop',
          LaunchConfigurationName: 'x',
          CreatedTime: new Date(0),
        },
      },
      placement,
      NEW_IMAGE,
      TAGS,
    );
    expect(input.SubnetId).toBeUndefined();
    expect(input.SecurityGroupIds).toBeUndefined();
    expect(input.NetworkInterfaces).toEqual([
      { DeviceIndex: 0, SubnetId: 'subnet-a', AssociatePublicIpAddress: true, Groups: ['sg-0123'], DeleteOnTermination: true },
    ]);
    expect(input.IamInstanceProfile).toEqual({ Arn: 'arn:aws:iam::123456789012:instance-profile/shop' });
  });

  it('launches from a launch template version pinned by number, overriding only image, subnet and tags', () => {
    const version = {
      LaunchTemplateId: 'lt-0123',
      LaunchTemplateName: 'shop-web-lt',
      VersionNumber: 2,
      LaunchTemplateData: { ImageId: OLD_IMAGE, UserData: USER_DATA },
    };
    expect(runInstancesInput({ kind: 'template', version }, placement, NEW_IMAGE, TAGS)).toEqual({
      ImageId: NEW_IMAGE,
      MinCount: 2,
      MaxCount: 2,
      ClientToken: 'bluegreen-shop-k3x9a-0',
      TagSpecifications: [
        { ResourceType: 'instance', Tags: TAGS },
        { ResourceType: 'volume', Tags: TAGS },
      ],
      LaunchTemplate: { LaunchTemplateId: 'lt-0123', Version: '2' },
      SubnetId: 'subnet-a',
    });
    const withInterface = {
      ...version,
      LaunchTemplateData: { NetworkInterfaces: [{ DeviceIndex: 0, Groups: ['sg-1'], AssociatePublicIpAddress: false }] },
    };
    expect(runInstancesInput({ kind: 'template', version: withInterface }, placement, NEW_IMAGE, TAGS).NetworkInterfaces).toEqual([
      { DeviceIndex: 0, SubnetId: 'subnet-a', Groups: ['sg-1'], AssociatePublicIpAddress: false, DeleteOnTermination: true },
    ]);
    expect(
      runInstancesInput({ kind: 'template', version }, { availabilityZone: 'us-east-1b', count: 1, clientToken: 't' }, NEW_IMAGE, TAGS).Placement,
    ).toEqual({
      AvailabilityZone: 'us-east-1b',
    });
  });
});

describe('the rest', () => {
  it('copies a template version with the new image into a new template tagged as ours', () => {
    const input = launchTemplateSwapCopy(
      {
        LaunchTemplateId: 'lt-0123',
        LaunchTemplateName: 'shop-web-lt',
        VersionNumber: 2,
        LaunchTemplateData: { ImageId: OLD_IMAGE, InstanceType: 't3.small', MetadataOptions: { HttpTokens: 'required', State: 'applied' } },
      },
      'shop-swap-k3x9a',
      NEW_IMAGE,
      'k3x9a',
      TAGS,
    );
    expect(input).toEqual({
      LaunchTemplateName: 'shop-swap-k3x9a',
      VersionDescription: `bluegreen k3x9a: shop-web-lt version 2 with ${NEW_IMAGE}`,
      LaunchTemplateData: { ImageId: NEW_IMAGE, InstanceType: 't3.small', MetadataOptions: { HttpTokens: 'required' } },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: TAGS }],
    });
  });

  it('reads draining times: classic ConnectionDraining when enabled, target group deregistration delay (default 300)', () => {
    expect(classicDrainingSeconds({ ConnectionDraining: { Enabled: true, Timeout: 120 } })).toBe(120);
    expect(classicDrainingSeconds({ ConnectionDraining: { Enabled: false, Timeout: 300 } })).toBe(0);
    expect(classicDrainingSeconds({})).toBe(0);
    expect(
      targetGroupDelaySeconds([
        { Key: 'stickiness.enabled', Value: 'false' },
        { Key: 'deregistration_delay.timeout_seconds', Value: '45' },
      ]),
    ).toBe(45);
    expect(targetGroupDelaySeconds([])).toBe(300);
  });

  it('picks the host address ssh.address names, or says which instance lacks it', () => {
    const i = { InstanceId: 'i-1', PrivateIpAddress: '10.0.0.5', PublicIpAddress: '54.1.2.3', PublicDnsName: 'ec2-54-1-2-3.compute-1.amazonaws.com' };
    expect(hostOf(i, 'private')).toEqual({ instanceId: 'i-1', address: '10.0.0.5' });
    expect(hostOf(i, 'public')).toEqual({ instanceId: 'i-1', address: '54.1.2.3' });
    expect(hostOf(i, 'dns')).toEqual({ instanceId: 'i-1', address: 'ec2-54-1-2-3.compute-1.amazonaws.com' });
    expect(hostOf({ InstanceId: 'i-2', PrivateIpAddress: '10.0.0.6', PublicDnsName: '' }, 'dns')).toEqual({
      error: 'instance i-2 has no public DNS name (ssh.address dns); choose another ssh.address or give the subnet public addresses',
    });
  });

  it('propagates only the group tags marked PropagateAtLaunch, never AWS or bluegreen ones', () => {
    expect(
      propagatedTags([
        { Key: 'Name', Value: 'shop-web', PropagateAtLaunch: true },
        { Key: 'team', Value: 'web', PropagateAtLaunch: false },
        { Key: 'aws:cloudformation:stack-name', Value: 's', PropagateAtLaunch: true },
        { Key: 'bluegreen:deployment', Value: 'old01', PropagateAtLaunch: true },
      ]),
    ).toEqual([{ Key: 'Name', Value: 'shop-web' }]);
    expect(commandEnv('shop', 'k3x9a')).toEqual({ BLUEGREEN_SERVICE: 'shop', BLUEGREEN_DEPLOYMENT: 'k3x9a' });
  });
});
