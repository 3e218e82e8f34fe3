import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateImageCommand, DeleteSnapshotCommand, DeregisterImageCommand, DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkImages } from '../../../src/aws/sdk/images.js';
import { awsError } from './aws-error.js';

const ec2 = mockClient(EC2Client);
let images: SdkImages;

const baked: Image = {
  ImageId: 'ami-0bake',
  Name: 'shop-1.2-k3x9a',
  State: 'available',
  BlockDeviceMappings: [
    { DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-root' } },
    { DeviceName: '/dev/xvdb', Ebs: { SnapshotId: 'snap-data' } },
    { DeviceName: '/dev/xvdc', VirtualName: 'ephemeral0' },
  ],
};

beforeEach(() => {
  ec2.reset();
  images = new SdkImages(new AwsClients({ region: 'us-east-1' }));
});

describe('findImageByName', () => {
  it('asks for this account s images of exactly that name', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [baked] });
    expect(await images.findImageByName('shop-1.2-k3x9a')).toEqual(baked);
    expect(ec2.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toEqual({
      Owners: ['self'],
      Filters: [{ Name: 'name', Values: ['shop-1.2-k3x9a'] }],
    });
  });

  it('gives undefined when there is none, or only a deregistered one', async () => {
    ec2
      .on(DescribeImagesCommand)
      .resolvesOnce({ Images: [] })
      .resolvesOnce({ Images: [{ ...baked, State: 'deregistered' }] });
    expect(await images.findImageByName('x')).toBeUndefined();
    expect(await images.findImageByName('shop-1.2-k3x9a')).toBeUndefined();
  });
});

describe('createImage', () => {
  it('passes the input (tag specifications included) and returns the id', async () => {
    ec2.on(CreateImageCommand).resolves({ ImageId: 'ami-0new' });
    const input = {
      InstanceId: 'i-1',
      Name: 'shop-1.2-k3x9a',
      TagSpecifications: [{ ResourceType: 'image' as const, Tags: [{ Key: 'bluegreen:deployment', Value: 'k3x9a' }] }],
    };
    expect(await images.createImage(input)).toBe('ami-0new');
    expect(ec2.commandCalls(CreateImageCommand)[0]!.args[0].input).toEqual(input);
  });

  it('names the image and the instance when it fails', async () => {
    ec2.on(CreateImageCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-1' does not exist"));
    await expect(images.createImage({ InstanceId: 'i-1', Name: 'shop-1.2-k3x9a' })).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'CreateImage',
      resource: 'image shop-1.2-k3x9a of instance i-1',
      code: 'InvalidInstanceID.NotFound',
    });
  });

  it('a name already taken: the image that holds it, as InvalidAMIName.Duplicate names it (an earlier answer lost, or not visible yet)', async () => {
    ec2
      .on(CreateImageCommand)
      .rejects(awsError('InvalidAMIName.Duplicate', 'AMI name shop-1.2-k3x9a is already in use by AMI ami-0123456789abcdef0'));
    expect(await images.createImage({ InstanceId: 'i-1', Name: 'shop-1.2-k3x9a' })).toBe('ami-0123456789abcdef0');
    expect(ec2.commandCalls(CreateImageCommand)).toHaveLength(1);
    ec2.on(CreateImageCommand).rejects(awsError('InvalidAMIName.Duplicate', 'AMI name shop-1.2-k3x9a is already in use'));
    await expect(images.createImage({ InstanceId: 'i-1', Name: 'shop-1.2-k3x9a' })).rejects.toMatchObject({ code: 'InvalidAMIName.Duplicate' });
  });

  it('describeImage right after CreateImage: InvalidAMIID.NotFound gives undefined (not visible yet, or gone: the steps decide)', async () => {
    ec2
      .on(DescribeImagesCommand)
      .rejectsOnce(awsError('InvalidAMIID.NotFound', "The image id '[ami-0new]' does not exist"))
      .resolves({ Images: [{ ImageId: 'ami-0new', State: 'pending' }] });
    expect(await images.describeImage('ami-0new')).toBeUndefined();
    expect(await images.describeImage('ami-0new')).toEqual({ ImageId: 'ami-0new', State: 'pending' });
  });
});

describe('deleteImage', () => {
  it('describes, deregisters, then deletes each EBS snapshot', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [baked] });
    ec2.on(DeregisterImageCommand).resolves({});
    ec2.on(DeleteSnapshotCommand).resolves({});
    await images.deleteImage('ami-0bake');
    expect(ec2.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name)).toEqual([
      'DescribeImagesCommand',
      'DeregisterImageCommand',
      'DeleteSnapshotCommand',
      'DeleteSnapshotCommand',
    ]);
    expect(ec2.commandCalls(DeleteSnapshotCommand).map((c) => c.args[0].input.SnapshotId)).toEqual(['snap-root', 'snap-data']);
  });

  it('succeeds when the image is gone (describe answers nothing or NotFound): no deregister', async () => {
    ec2
      .on(DescribeImagesCommand)
      .resolvesOnce({ Images: [] })
      .rejectsOnce(awsError('InvalidAMIID.NotFound', "The image id '[ami-0bake]' does not exist"));
    await images.deleteImage('ami-0bake');
    await images.deleteImage('ami-0bake');
    expect(ec2.commandCalls(DeregisterImageCommand)).toHaveLength(0);
  });

  it('succeeds when the image or a snapshot goes meanwhile', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [baked] });
    ec2.on(DeregisterImageCommand).rejects(awsError('InvalidAMIID.Unavailable', 'The image id is no longer available'));
    ec2.on(DeleteSnapshotCommand).rejects(awsError('InvalidSnapshot.NotFound', "The snapshot 'snap-root' does not exist."));
    await expect(images.deleteImage('ami-0bake')).resolves.toBeUndefined();
    expect(ec2.commandCalls(DeleteSnapshotCommand)).toHaveLength(2);
  });

  it('names the snapshot and the image when a delete is refused', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [baked] });
    ec2.on(DeregisterImageCommand).resolves({});
    ec2.on(DeleteSnapshotCommand).rejects(awsError('InvalidSnapshot.InUse', 'The snapshot snap-root is currently in use by ami-0copy'));
    await expect(images.deleteImage('ami-0bake')).rejects.toMatchObject({
      operation: 'DeleteSnapshot',
      resource: 'snapshot snap-root of image ami-0bake',
      code: 'InvalidSnapshot.InUse',
    });
  });
});
