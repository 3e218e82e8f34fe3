/**
 * InventoryPort on the AWS SDK v3: the read-only listings of `bluegreen gc`. Every listing reads all
 * pages; tags of load balancers and target groups are read in AWS's batches (20 a call) through the
 * classic ELB and target group adapters.
 */
import type { LaunchConfiguration } from '@aws-sdk/client-auto-scaling';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Image, LaunchTemplate } from '@aws-sdk/client-ec2';
import type { LoadBalancerDescription, Tag as ElbTag } from '@aws-sdk/client-elastic-load-balancing';
import type { Tag as ElbV2Tag, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { InventoryPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { allPages, awsCall } from './call.js';
import { SdkClassicLoadBalancers } from './classic-elb.js';
import { SdkTargetGroups } from './target-groups.js';

/** Largest pages each listing may ask for (AWS's limits). */
export const INVENTORY_PAGE = { loadBalancers: 400, targetGroups: 400, launchConfigurations: 100, alarms: 100 } as const;

const hasTag = (tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined, key: string, value: string) =>
  !!tags?.some((t) => t.Key === key && t.Value === value);

export class SdkInventory implements InventoryPort {
  private readonly classic: SdkClassicLoadBalancers;
  private readonly targetGroups: SdkTargetGroups;

  constructor(private readonly clients: AwsClients) {
    this.classic = new SdkClassicLoadBalancers(clients);
    this.targetGroups = new SdkTargetGroups(clients);
  }

  async loadBalancersByTag(key: string, value: string): Promise<{ description: LoadBalancerDescription; tags: ElbTag[] }[]> {
    const { client, sdk: elb } = await this.clients.classicElb();
    const all = await awsCall('DescribeLoadBalancers', 'every classic load balancer of the region', () =>
      allPages(elb.paginateDescribeLoadBalancers({ client, pageSize: INVENTORY_PAGE.loadBalancers }, {}), (page) => page.LoadBalancerDescriptions),
    );
    const names = all.flatMap((lb) => (lb.LoadBalancerName ? [lb.LoadBalancerName] : []));
    if (names.length === 0) return [];
    const tags = await this.classic.describeTags(names);
    return all.flatMap((description) => {
      const own = tags[description.LoadBalancerName ?? ''];
      return own && hasTag(own, key, value) ? [{ description, tags: own }] : [];
    });
  }

  async targetGroupsByTag(key: string, value: string): Promise<{ targetGroup: TargetGroup; tags: ElbV2Tag[] }[]> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    const all = await awsCall('DescribeTargetGroups', 'every target group of the region', () =>
      allPages(elbv2.paginateDescribeTargetGroups({ client, pageSize: INVENTORY_PAGE.targetGroups }, {}), (page) => page.TargetGroups),
    );
    const arns = all.flatMap((tg) => (tg.TargetGroupArn ? [tg.TargetGroupArn] : []));
    if (arns.length === 0) return [];
    const tags = await this.targetGroups.tags(arns);
    return all.flatMap((targetGroup) => {
      const own = tags[targetGroup.TargetGroupArn ?? ''];
      return own && hasTag(own, key, value) ? [{ targetGroup, tags: own }] : [];
    });
  }

  async launchConfigurationsByPrefix(prefix: string): Promise<LaunchConfiguration[]> {
    const { client, sdk: asg } = await this.clients.autoScaling();
    const all = await awsCall('DescribeLaunchConfigurations', `launch configurations named ${prefix}*`, () =>
      allPages(
        asg.paginateDescribeLaunchConfigurations({ client, pageSize: INVENTORY_PAGE.launchConfigurations }, {}),
        (page) => page.LaunchConfigurations,
      ),
    );
    return all.filter((lc) => lc.LaunchConfigurationName?.startsWith(prefix));
  }

  async launchTemplatesByTag(key: string, value: string): Promise<LaunchTemplate[]> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    const all = await awsCall('DescribeLaunchTemplates', `launch templates tagged ${key}=${value}`, () =>
      allPages(
        ec2.paginateDescribeLaunchTemplates({ client }, { Filters: [{ Name: `tag:${key}`, Values: [value] }] }),
        (page) => page.LaunchTemplates,
      ),
    );
    return all.filter((t) => hasTag(t.Tags, key, value));
  }

  async alarmsByPrefix(prefix: string): Promise<MetricAlarm[]> {
    const { client, sdk: cw } = await this.clients.cloudWatch();
    const all = await awsCall('DescribeAlarms', `alarms named ${prefix}*`, () =>
      allPages(cw.paginateDescribeAlarms({ client, pageSize: INVENTORY_PAGE.alarms }, { AlarmNamePrefix: prefix }), (page) => page.MetricAlarms),
    );
    return all.filter((a) => a.AlarmName?.startsWith(prefix));
  }

  async imagesByTag(key: string, value: string): Promise<Image[]> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    const all = await awsCall('DescribeImages', `images of this account tagged ${key}=${value}`, () =>
      allPages(
        ec2.paginateDescribeImages({ client }, { Owners: ['self'], Filters: [{ Name: `tag:${key}`, Values: [value] }] }),
        (page) => page.Images,
      ),
    );
    return all.filter((image) => image.State !== 'deregistered' && hasTag(image.Tags, key, value));
  }
}
