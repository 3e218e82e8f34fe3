import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AutoScalingClient,
  CreateLaunchConfigurationCommand,
  DeleteLaunchConfigurationCommand,
  DescribeLaunchConfigurationsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { AwsCallError, InputError } from '../../../src/errors.js';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkLaunch } from '../../../src/aws/sdk/launch.js';
import { SdkImages } from '../../../src/aws/sdk/images.js';
import { awsError } from './aws-error.js';

const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
let launch: SdkLaunch;
let images: SdkImages;

beforeEach(() => {
  asg.reset();
  ec2.reset();
  const clients = new AwsClients({ region: 'us-east-1' });
  launch = new SdkLaunch(clients);
  images = new SdkImages(clients);
});

describe('launch configurations', () => {
  const input = { LaunchConfigurationName: 'shop-green-k3x9a', ImageId: 'ami-1', InstanceType: 't3.micro' };

  it.each([
    [
      'UnsupportedOperation',
      'The Launch Configuration creation operation is not available in your account. Use launch templates to create configuration templates for your Auto Scaling groups.',
    ],
    ['ValidationError', 'Launch configurations are not supported for this account'],
    ['AccessDenied', 'Creating launch configurations is no longer available for your account'],
  ])('turns a refusal (%s) into InputError saying how to switch to a launch template', async (code, message) => {
    asg.on(CreateLaunchConfigurationCommand).rejects(awsError(code, message));
    const error = await launch.createLaunchConfiguration(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const { message: text, next } = error as InputError;
    expect(text).toContain('cannot create launch configurations');
    expect(text).toContain('shop-green-k3x9a');
    expect(text).toContain('launch template');
    expect(text).toContain('aws autoscaling update-auto-scaling-group');
    expect(text).toContain('--launch-template');
    expect(text).toContain('deploy again');
    expect(next).toContain('aws autoscaling update-auto-scaling-group');
  });

  it('keeps other create failures as AwsCallError', async () => {
    asg.on(CreateLaunchConfigurationCommand).rejects(awsError('ValidationError', 'Invalid IamInstanceProfile: x'));
    await expect(launch.createLaunchConfiguration(input)).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'CreateLaunchConfiguration',
      resource: 'launch configuration shop-green-k3x9a',
    });
    asg
      .on(CreateLaunchConfigurationCommand)
      .rejects(awsError('AccessDenied', 'User is not authorized to perform autoscaling:CreateLaunchConfiguration'));
    await expect(launch.createLaunchConfiguration(input)).rejects.toBeInstanceOf(AwsCallError);
  });

  it('describe gives undefined for a missing one; delete succeeds when gone', async () => {
    asg.on(DescribeLaunchConfigurationsCommand).resolves({ LaunchConfigurations: [] });
    expect(await launch.describeLaunchConfiguration('gone')).toBeUndefined();
    asg.on(DeleteLaunchConfigurationCommand).rejects(awsError('ValidationError', 'Launch configuration name not found - gone'));
    await expect(launch.deleteLaunchConfiguration('gone')).resolves.toBeUndefined();
  });

  it('delete fails naming the configuration when it is in use', async () => {
    asg
      .on(DeleteLaunchConfigurationCommand)
      .rejects(awsError('ResourceInUse', 'Cannot delete launch configuration lc because it is attached to AutoScalingGroup g'));
    await expect(launch.deleteLaunchConfiguration('lc')).rejects.toMatchObject({
      operation: 'DeleteLaunchConfiguration',
      resource: 'launch configuration lc',
      code: 'ResourceInUse',
    });
  });
});

describe('launch templates', () => {
  it('finds a template by name, or undefined', async () => {
    ec2.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [{ LaunchTemplateName: 'shop-green', LaunchTemplateId: 'lt-1', LatestVersionNumber: 1 }],
    });
    expect(await launch.findLaunchTemplate('shop-green')).toEqual({ id: 'lt-1', version: 1 });
    ec2
      .on(DescribeLaunchTemplatesCommand)
      .rejects(
        awsError('InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.'),
      );
    expect(await launch.findLaunchTemplate('gone')).toBeUndefined();
    // Right after CreateLaunchTemplate (EC2 eventual consistency), by id or name: not found, as for one that is gone.
    ec2.on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateId.NotFound', 'The launch template ID does not exist'));
    expect(await launch.findLaunchTemplate('shop-green')).toBeUndefined();
  });

  it('describes a version by id or name, undefined when absent', async () => {
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ VersionNumber: 3 }] });
    expect(await launch.describeLaunchTemplateVersion({ id: 'lt-1' }, '$Latest')).toEqual({ VersionNumber: 3 });
    expect(ec2.commandCalls(DescribeLaunchTemplateVersionsCommand)[0]!.args[0].input).toEqual({
      LaunchTemplateId: 'lt-1',
      Versions: ['$Latest'],
    });
    await launch.describeLaunchTemplateVersion({ name: 'web' }, '2');
    expect(ec2.commandCalls(DescribeLaunchTemplateVersionsCommand)[1]!.args[0].input).toEqual({
      LaunchTemplateName: 'web',
      Versions: ['2'],
    });
    for (const code of [
      'InvalidLaunchTemplateId.NotFound',
      'InvalidLaunchTemplateName.NotFoundException',
      'InvalidLaunchTemplateId.VersionNotFound',
    ]) {
      ec2.on(DescribeLaunchTemplateVersionsCommand).rejects(awsError(code));
      expect(await launch.describeLaunchTemplateVersion({ id: 'lt-1' }, '9')).toBeUndefined();
    }
  });

  it('creates a template and returns its id and version', async () => {
    ec2.on(CreateLaunchTemplateCommand).resolves({ LaunchTemplate: { LaunchTemplateId: 'lt-9', LatestVersionNumber: 1 } });
    expect(await launch.createLaunchTemplate({ LaunchTemplateName: 'shop-green', LaunchTemplateData: {} })).toEqual({
      id: 'lt-9',
      version: 1,
    });
    // A create retried by the SDK after AWS made the template: the one AWS made.
    ec2.on(CreateLaunchTemplateCommand).rejects(awsError('InvalidLaunchTemplateName.AlreadyExistsException', 'Launch template name already in use.'));
    ec2.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateName: 'shop-green', LaunchTemplateId: 'lt-9' }] });
    expect(await launch.createLaunchTemplate({ LaunchTemplateName: 'shop-green', LaunchTemplateData: {} })).toEqual({ id: 'lt-9', version: 1 });
    ec2.on(CreateLaunchTemplateCommand).rejects(awsError('InvalidLaunchTemplateVersion.Malformed', 'bad data'));
    await expect(launch.createLaunchTemplate({ LaunchTemplateName: 'shop-green', LaunchTemplateData: {} })).rejects.toMatchObject({
      operation: 'CreateLaunchTemplate',
      resource: 'launch template shop-green',
      code: 'InvalidLaunchTemplateVersion.Malformed',
    });
  });

  it('a name in use whose template DescribeLaunchTemplates does not show (not visible yet): an error that says so', async () => {
    ec2.on(CreateLaunchTemplateCommand).rejects(awsError('InvalidLaunchTemplateName.AlreadyExistsException', 'Launch template name already in use.'));
    ec2.on(DescribeLaunchTemplatesCommand).rejects(awsError('InvalidLaunchTemplateName.NotFoundException', 'does not exist'));
    await expect(launch.createLaunchTemplate({ LaunchTemplateName: 'shop-green', LaunchTemplateData: {} })).rejects.toThrow(
      'CreateLaunchTemplate on launch template shop-green failed: InvalidLaunchTemplateName.AlreadyExistsException: AWS says the name is in use, but no template of that name is found',
    );
  });

  it('delete succeeds when the template is gone (AWS code, and moto answering MissingParameter)', async () => {
    ec2.on(DeleteLaunchTemplateCommand).rejects(awsError('InvalidLaunchTemplateName.NotFoundException'));
    await expect(launch.deleteLaunchTemplate('gone')).resolves.toBeUndefined();
    ec2
      .on(DeleteLaunchTemplateCommand)
      .rejects(awsError('MissingParameter', 'The request must contain the parameter launch template ID or launch template name'));
    await expect(launch.deleteLaunchTemplate('gone')).resolves.toBeUndefined();
    ec2.on(DeleteLaunchTemplateCommand).rejects(awsError('UnauthorizedOperation'));
    await expect(launch.deleteLaunchTemplate('x')).rejects.toMatchObject({ operation: 'DeleteLaunchTemplate', code: 'UnauthorizedOperation' });
  });
});

describe('images', () => {
  it('describes an image, undefined when missing or malformed', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-1', State: 'available' }] });
    expect(await images.describeImage('ami-1')).toEqual({ ImageId: 'ami-1', State: 'available' });
    for (const code of ['InvalidAMIID.NotFound', 'InvalidAMIID.Malformed']) {
      ec2.on(DescribeImagesCommand).rejects(awsError(code));
      expect(await images.describeImage('ami-x')).toBeUndefined();
    }
    ec2.on(DescribeImagesCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    await expect(images.describeImage('ami-1')).rejects.toMatchObject({ operation: 'DescribeImages', resource: 'image ami-1' });
  });
});
