/** InventoryPort's SDK adapter against the SDK's mock: every page, the filters sent, lookups by id that never fail for an id that is gone. */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AutoScalingClient,
  DescribeAutoScalingInstancesCommand,
  DescribeLaunchConfigurationsCommand,
  type DescribeAutoScalingInstancesCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { DescribeImagesCommand, DescribeLaunchTemplatesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkInventory } from '../../../src/aws/sdk/inventory.js';
import { awsError } from '../aws/aws-error.js';

const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
let inventory: SdkInventory;

beforeEach(() => {
  for (const m of [asg, ec2]) m.reset();
  inventory = new SdkInventory(new AwsClients({ region: 'us-east-1' }));
});

describe('launch configurations and templates', () => {
  it('launch configurations: all pages, those whose name starts with the prefix', async () => {
    asg.on(DescribeLaunchConfigurationsCommand).resolves({
      LaunchConfigurations: [{ LaunchConfigurationName: 'shop-blue-aaaa1' }, { LaunchConfigurationName: 'cart-blue-aaaa1' }] as never,
    });
    expect((await inventory.launchConfigurationsByPrefix('shop-')).map((lc) => lc.LaunchConfigurationName)).toEqual(['shop-blue-aaaa1']);
  });

  it('launch templates: a tag filter, and the exact value checked again', async () => {
    ec2.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [
        { LaunchTemplateName: 'shop-blue-aaaa1', Tags: [{ Key: 'bluegreen:service', Value: 'shop' }] },
        { LaunchTemplateName: 'odd', Tags: [{ Key: 'bluegreen:service', Value: 'shop-blue' }] },
      ],
    });
    expect((await inventory.launchTemplatesByTag('bluegreen:service', 'shop')).map((t) => t.LaunchTemplateName)).toEqual(['shop-blue-aaaa1']);
    expect(ec2.commandCalls(DescribeLaunchTemplatesCommand)[0]?.args[0].input).toMatchObject({
      Filters: [{ Name: 'tag:bluegreen:service', Values: ['shop'] }],
    });
  });
});

describe('images and snapshots by id', () => {
  it('images: Owners self and an image-id filter (ImageIds would fail the whole call for one id that is gone)', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-1', State: 'available' }] });
    expect((await inventory.images(['ami-1', 'ami-gone', 'ami-1'])).map((i) => i.ImageId)).toEqual(['ami-1']);
    const input = ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input;
    expect(input).toEqual({ Owners: ['self'], Filters: [{ Name: 'image-id', Values: ['ami-1', 'ami-gone'] }] });
    expect(input).not.toHaveProperty('ImageIds');
  });

  it('snapshots: OwnerIds self and a snapshot-id filter, 200 values a call', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `snap-${i}`);
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-3' }, { SnapshotId: 'snap-other' }] });
    // Only what was asked for, in the batch that asked for it.
    expect((await inventory.snapshots(ids)).map((s) => s.SnapshotId)).toEqual(['snap-3']);
    const inputs = ec2.commandCalls(DescribeSnapshotsCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.Filters?.[0]?.Values?.length)).toEqual([200, 50]);
    expect(inputs[0]).toMatchObject({ OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id' }] });
  });

  it('no id: no call', async () => {
    expect(await inventory.images([])).toEqual([]);
    expect(await inventory.snapshots([])).toEqual([]);
    expect(await inventory.groupsOfInstances([])).toEqual({});
    expect(ec2.calls()).toHaveLength(0);
    expect(asg.calls()).toHaveLength(0);
  });
});

describe('groupsOfInstances', () => {
  it('DescribeAutoScalingInstances, 50 ids a call: the group of each instance in one, the others absent', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `i-${i}`);
    asg.on(DescribeAutoScalingInstancesCommand).callsFake((input: DescribeAutoScalingInstancesCommandInput) => ({
      AutoScalingInstances: (input.InstanceIds ?? [])
        .filter((id) => id.endsWith('7'))
        .map((InstanceId) => ({ InstanceId, AutoScalingGroupName: 'shop-web' })),
    }));
    expect(await inventory.groupsOfInstances(ids)).toEqual({
      'i-7': 'shop-web',
      'i-17': 'shop-web',
      'i-27': 'shop-web',
      'i-37': 'shop-web',
      'i-47': 'shop-web',
      'i-57': 'shop-web',
    });
    expect(asg.commandCalls(DescribeAutoScalingInstancesCommand).map((c) => c.args[0].input.InstanceIds?.length)).toEqual([50, 10]);
  });

  it('a failure names the call', async () => {
    asg.on(DescribeAutoScalingInstancesCommand).rejects(awsError('AccessDenied'));
    await expect(inventory.groupsOfInstances(['i-1'])).rejects.toMatchObject({ operation: 'DescribeAutoScalingInstances' });
  });
});
