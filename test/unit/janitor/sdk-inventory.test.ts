/** InventoryPort's SDK adapter against the SDK's mock: every page, tags in batches of 20, the filters sent. */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { AutoScalingClient, DescribeLaunchConfigurationsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeImagesCommand, DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingClient,
  type DescribeLoadBalancersCommandInput,
  type DescribeTagsCommandInput,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeTagsCommand as DescribeTagsV2Command,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type DescribeTagsCommandInput as DescribeTagsV2Input,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkInventory } from '../../../src/aws/sdk/inventory.js';
import { awsError } from '../aws/aws-error.js';

const elb = mockClient(ElasticLoadBalancingClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const cw = mockClient(CloudWatchClient);
let inventory: SdkInventory;

beforeEach(() => {
  for (const m of [elb, elbv2, asg, ec2, cw]) m.reset();
  inventory = new SdkInventory(new AwsClients({ region: 'us-east-1' }));
});

const ours = (i: number) => i % 3 === 0;

describe('loadBalancersByTag', () => {
  it('reads every page, then the tags 20 names a call, and keeps those tagged', async () => {
    const all = Array.from({ length: 45 }, (_, i) => `lb-${i}`);
    elb.on(DescribeLoadBalancersCommand).callsFake((input: DescribeLoadBalancersCommandInput) => {
      const start = Number(input.Marker ?? 0);
      const page = all.slice(start, start + 30);
      return {
        LoadBalancerDescriptions: page.map((LoadBalancerName) => ({ LoadBalancerName })),
        ...(start + 30 < all.length ? { NextMarker: String(start + 30) } : {}),
      };
    });
    elb.on(DescribeTagsCommand).callsFake((input: DescribeTagsCommandInput) => ({
      TagDescriptions: (input.LoadBalancerNames ?? []).map((name) => ({
        LoadBalancerName: name,
        Tags: [{ Key: 'bluegreen:service', Value: ours(Number(name.slice(3))) ? 'shop' : 'cart' }],
      })),
    }));
    const found = await inventory.loadBalancersByTag('bluegreen:service', 'shop');
    expect(found.map((f) => f.description.LoadBalancerName)).toEqual(all.filter((_, i) => ours(i)));
    expect(elb.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(2);
    expect(elb.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input.LoadBalancerNames?.length)).toEqual([20, 20, 5]);
  });

  it('no load balancer: no tag call', async () => {
    elb.on(DescribeLoadBalancersCommand).resolves({ LoadBalancerDescriptions: [] });
    expect(await inventory.loadBalancersByTag('bluegreen:service', 'shop')).toEqual([]);
    expect(elb.commandCalls(DescribeTagsCommand)).toHaveLength(0);
  });

  it('a failure names the call', async () => {
    elb.on(DescribeLoadBalancersCommand).rejects(awsError('AccessDenied'));
    await expect(inventory.loadBalancersByTag('bluegreen:service', 'shop')).rejects.toMatchObject({ operation: 'DescribeLoadBalancers' });
  });
});

describe('targetGroupsByTag', () => {
  it('keeps the tagged ones, with their tags', async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        { TargetGroupName: 'a', TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/a/1' },
        { TargetGroupName: 'b', TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/b/2' },
      ],
    });
    elbv2.on(DescribeTagsV2Command).callsFake((input: DescribeTagsV2Input) => ({
      TagDescriptions: (input.ResourceArns ?? []).map((arn) => ({
        ResourceArn: arn,
        Tags: arn.includes('/a/') ? [{ Key: 'bluegreen:service', Value: 'shop' }] : [],
      })),
    }));
    const found = await inventory.targetGroupsByTag('bluegreen:service', 'shop');
    expect(found.map((f) => f.targetGroup.TargetGroupName)).toEqual(['a']);
    expect(found[0]?.tags).toEqual([{ Key: 'bluegreen:service', Value: 'shop' }]);
  });
});

describe('by name prefix and by tag filter', () => {
  it('launch configurations: all pages, those whose name starts with the prefix', async () => {
    asg.on(DescribeLaunchConfigurationsCommand).resolves({
      LaunchConfigurations: [{ LaunchConfigurationName: 'shop-blue-aaaa1' }, { LaunchConfigurationName: 'cart-blue-aaaa1' }] as never,
    });
    expect((await inventory.launchConfigurationsByPrefix('shop-')).map((lc) => lc.LaunchConfigurationName)).toEqual(['shop-blue-aaaa1']);
  });

  it('alarms: AlarmNamePrefix', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'shop-green-aaaa1-cpu' }] });
    expect(await inventory.alarmsByPrefix('shop-')).toHaveLength(1);
    expect(cw.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).toMatchObject({ AlarmNamePrefix: 'shop-' });
  });

  it('launch templates and images: a tag filter; images of this account only, deregistered ones left out', async () => {
    ec2
      .on(DescribeLaunchTemplatesCommand)
      .resolves({ LaunchTemplates: [{ LaunchTemplateName: 'shop-blue-aaaa1', Tags: [{ Key: 'bluegreen:service', Value: 'shop' }] }] });
    ec2.on(DescribeImagesCommand).resolves({
      Images: [
        { ImageId: 'ami-1', State: 'available', Tags: [{ Key: 'bluegreen:service', Value: 'shop' }] },
        { ImageId: 'ami-2', State: 'deregistered', Tags: [{ Key: 'bluegreen:service', Value: 'shop' }] },
      ],
    });
    expect(await inventory.launchTemplatesByTag('bluegreen:service', 'shop')).toHaveLength(1);
    expect(ec2.commandCalls(DescribeLaunchTemplatesCommand)[0]?.args[0].input).toMatchObject({
      Filters: [{ Name: 'tag:bluegreen:service', Values: ['shop'] }],
    });
    expect((await inventory.imagesByTag('bluegreen:service', 'shop')).map((i) => i.ImageId)).toEqual(['ami-1']);
    expect(ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toMatchObject({
      Owners: ['self'],
      Filters: [{ Name: 'tag:bluegreen:service', Values: ['shop'] }],
    });
  });
});
