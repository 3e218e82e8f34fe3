/** ImagesPort on EC2 (SDK v3). */
import type { CreateImageCommandInput, Image } from '@aws-sdk/client-ec2';
import { AwsCallError } from '../../errors.js';
import type { ImagesPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './call.js';

export const IMAGE_MISSING = ['InvalidAMIID.NotFound', 'InvalidAMIID.Malformed', 'InvalidAMIID.Unavailable'] as const;

export const SNAPSHOT_MISSING = ['InvalidSnapshot.NotFound', 'InvalidSnapshotID.Malformed'] as const;

const image = (id: string) => `image ${id}`;

export class SdkImages implements ImagesPort {
  constructor(private readonly clients: AwsClients) {}

  async describeImage(imageId: string): Promise<Image | undefined> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    const out = await awsCall('DescribeImages', image(imageId), () => client.send(new ec2.DescribeImagesCommand({ ImageIds: [imageId] })), {
      missing: IMAGE_MISSING,
    });
    return out?.Images?.find((found) => found.ImageId === imageId);
  }

  async findImageByName(name: string): Promise<Image | undefined> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    // AWS keeps names unique per account and region; a deregistered image may linger in answers for a while.
    const out = await awsCall(`DescribeImages`, `image named ${name}`, () =>
      client.send(new ec2.DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] })),
    );
    return out.Images?.find((found) => found.Name === name && found.State !== 'deregistered');
  }

  async createImage(input: CreateImageCommandInput): Promise<string> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    const resource = `image ${input.Name ?? '?'} of instance ${input.InstanceId ?? '?'}`;
    let holder: string | undefined;
    const out = await awsCall('CreateImage', resource, () => client.send(new ec2.CreateImageCommand(input)), {
      // "AMI name X is already in use by AMI ami-...": a retried create whose first answer was lost, or whose image
      // DescribeImages does not show yet (EC2 eventual consistency; the steps look by name first). That image is the one.
      missing: (info) => {
        holder = info.codes.includes('InvalidAMIName.Duplicate') ? duplicateHolder(info.message) : undefined;
        return holder !== undefined;
      },
    });
    if (!out) return holder as string;
    if (!out.ImageId) throw new AwsCallError('CreateImage', resource, 'NoImageId', 'the response carries no image id');
    return out.ImageId;
  }

  /**
   * DescribeImages for the EBS snapshots behind the image, DeregisterImage, then DeleteSnapshot each
   * (a snapshot cannot be deleted while an image uses it). An image already gone: nothing to do.
   */
  async deleteImage(imageId: string): Promise<void> {
    const found = await this.describeImage(imageId);
    if (!found || found.State === 'deregistered') return;
    const { client, sdk: ec2 } = await this.clients.ec2();
    await awsCall('DeregisterImage', image(imageId), () => client.send(new ec2.DeregisterImageCommand({ ImageId: imageId })), {
      missing: IMAGE_MISSING,
    });
    const snapshots = [...new Set((found.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])))];
    for (const snapshotId of snapshots) {
      await awsCall(
        'DeleteSnapshot',
        `snapshot ${snapshotId} of ${image(imageId)}`,
        () => client.send(new ec2.DeleteSnapshotCommand({ SnapshotId: snapshotId })),
        { missing: SNAPSHOT_MISSING },
      );
    }
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    await awsCall('DeleteSnapshot', `snapshot ${snapshotId}`, () => client.send(new ec2.DeleteSnapshotCommand({ SnapshotId: snapshotId })), {
      missing: SNAPSHOT_MISSING,
    });
  }
}

/** The image an InvalidAMIName.Duplicate message names ("... is already in use by AMI ami-0123"), or undefined. */
export function duplicateHolder(message: string): string | undefined {
  return /\b(ami-[0-9a-f]{8,17})\b/.exec(message)?.[1];
}
