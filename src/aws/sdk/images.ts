/** ImagesPort on EC2 (SDK v3). */
import type { Image } from '@aws-sdk/client-ec2';
import type { ImagesPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './call.js';

export const IMAGE_MISSING = ['InvalidAMIID.NotFound', 'InvalidAMIID.Malformed', 'InvalidAMIID.Unavailable'] as const;

export class SdkImages implements ImagesPort {
  constructor(private readonly clients: AwsClients) {}

  async describeImage(imageId: string): Promise<Image | undefined> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    const out = await awsCall(
      'DescribeImages',
      `image ${imageId}`,
      () => client.send(new ec2.DescribeImagesCommand({ ImageIds: [imageId] })),
      { missing: IMAGE_MISSING },
    );
    return out?.Images?.find((image) => image.ImageId === imageId);
  }
}
