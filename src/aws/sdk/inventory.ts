/**
 * InventoryPort on the AWS SDK v3: the read-only describes of `bluegreen gc` beside the Tagging API
 * (tagging.ts). Every listing reads all pages; lookups by id use filters, so an id that is gone is simply
 * absent (DescribeImages and DescribeSnapshots with ImageIds/SnapshotIds fail the whole call for one
 * unknown id).
 */
import type { LaunchConfiguration } from '@aws-sdk/client-auto-scaling';
import type { Image, LaunchTemplate, Snapshot } from '@aws-sdk/client-ec2';
import type { InventoryPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { allPages, awsCall, chunk, nameResources } from './call.js';

/** Largest pages and batches each call may ask for (AWS's limits). */
export const INVENTORY_PAGE = {
  launchConfigurations: 100,
  /** DescribeAutoScalingInstances: up to 50 instance ids, MaxRecords 50. */
  autoScalingInstances: 50,
  /** Values of one EC2 filter per call (EC2 accepts up to 200). */
  filterValues: 200,
} as const;

const hasTag = (tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined, key: string, value: string) =>
  !!tags?.some((t) => t.Key === key && t.Value === value);

export class SdkInventory implements InventoryPort {
  constructor(private readonly clients: AwsClients) {}

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

  async images(imageIds: string[]): Promise<Image[]> {
    const unique = [...new Set(imageIds)];
    if (unique.length === 0) return [];
    const { client, sdk: ec2 } = await this.clients.ec2();
    const out: Image[] = [];
    for (const batch of chunk(unique, INVENTORY_PAGE.filterValues)) {
      const found = await awsCall('DescribeImages', nameResources('image', 'images', batch), () =>
        allPages(ec2.paginateDescribeImages({ client }, { Owners: ['self'], Filters: [{ Name: 'image-id', Values: batch }] }), (page) => page.Images),
      );
      out.push(...found.filter((i) => i.ImageId && batch.includes(i.ImageId)));
    }
    return out;
  }

  async snapshots(snapshotIds: string[]): Promise<Snapshot[]> {
    const unique = [...new Set(snapshotIds)];
    if (unique.length === 0) return [];
    const { client, sdk: ec2 } = await this.clients.ec2();
    const out: Snapshot[] = [];
    for (const batch of chunk(unique, INVENTORY_PAGE.filterValues)) {
      const found = await awsCall('DescribeSnapshots', nameResources('snapshot', 'snapshots', batch), () =>
        allPages(
          ec2.paginateDescribeSnapshots({ client }, { OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id', Values: batch }] }),
          (page) => page.Snapshots,
        ),
      );
      out.push(...found.filter((s) => s.SnapshotId && batch.includes(s.SnapshotId)));
    }
    return out;
  }

  async groupsOfInstances(instanceIds: string[]): Promise<Record<string, string>> {
    const unique = [...new Set(instanceIds)];
    const groups: Record<string, string> = {};
    if (unique.length === 0) return groups;
    const { client, sdk: asg } = await this.clients.autoScaling();
    for (const batch of chunk(unique, INVENTORY_PAGE.autoScalingInstances)) {
      const found = await awsCall('DescribeAutoScalingInstances', nameResources('instance', 'instances', batch), () =>
        allPages(
          asg.paginateDescribeAutoScalingInstances({ client, pageSize: INVENTORY_PAGE.autoScalingInstances }, { InstanceIds: batch }),
          (page) => page.AutoScalingInstances,
        ),
      );
      for (const i of found) if (i.InstanceId && i.AutoScalingGroupName) groups[i.InstanceId] = i.AutoScalingGroupName;
    }
    return groups;
  }
}
