import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTagsCommand,
  DuplicateTargetGroupNameException,
  ModifyTargetGroupAttributesCommand,
  ResourceInUseException,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  InvalidTargetException,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
  type DeregisterTargetsCommandInput,
  type DescribeTagsCommandInput,
  type DescribeTargetGroupsCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkTargetGroups, shortName, targetGroupDifferences } from '../../../src/aws/sdk/target-groups.js';
import { awsError } from './aws-error.js';

const elbv2 = mockClient(ElasticLoadBalancingV2Client);
let tgs: SdkTargetGroups;

const arn = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;
const notFound = () => new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} });
const invalid = () =>
  new InvalidTargetException({ message: 'The specified target does not exist or is not in the same VPC as the target group.', $metadata: {} });

beforeEach(() => {
  elbv2.reset();
  tgs = new SdkTargetGroups(new AwsClients({ region: 'us-east-1' }));
});

describe('describe', () => {
  it('asks 20 ARNs a call; a batch with an unknown ARN is asked one by one, missing ones absent', async () => {
    const arns = Array.from({ length: 25 }, (_, i) => arn(`tg-${i}`));
    elbv2.on(DescribeTargetGroupsCommand).callsFake((input: DescribeTargetGroupsCommandInput) => {
      if (input.TargetGroupArns?.includes(arns[3]!)) throw notFound();
      return { TargetGroups: (input.TargetGroupArns ?? []).map((TargetGroupArn) => ({ TargetGroupArn })) };
    });
    const found = await tgs.describe(arns);
    expect(found).toHaveLength(24);
    expect(elbv2.commandCalls(DescribeTargetGroupsCommand).map((c) => c.args[0].input.TargetGroupArns?.length)).toEqual([
      20,
      ...Array(20).fill(1),
      5,
    ]);
  });

  it('gives [] without a call for no ARNs; wraps other failures naming the target groups', async () => {
    expect(await tgs.describe([])).toEqual([]);
    expect(elbv2.calls()).toHaveLength(0);
    elbv2.on(DescribeTargetGroupsCommand).rejects(awsError('AccessDenied', 'not authorized'));
    await expect(tgs.describe([arn('web')])).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'DescribeTargetGroups',
      resource: 'target group web/0123456789abcdef',
      code: 'AccessDenied',
    });
  });
});

describe('attributes and health', () => {
  it('returns the attributes (deregistration delay among them)', async () => {
    elbv2.on(DescribeTargetGroupAttributesCommand).resolves({ Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] });
    expect(await tgs.attributes(arn('web'))).toEqual([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]);
  });

  it('asks health once for every target', async () => {
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [{ Target: { Id: 'i-1', Port: 80 }, TargetHealth: { State: 'healthy' } }],
    });
    expect(await tgs.health(arn('web'))).toHaveLength(1);
    expect(elbv2.commandCalls(DescribeTargetHealthCommand).map((c) => c.args[0].input)).toEqual([{ TargetGroupArn: arn('web') }]);
  });

  it('names the target group when health fails (a missing group is an error here)', async () => {
    elbv2.on(DescribeTargetHealthCommand).rejects(notFound());
    await expect(tgs.health(arn('web'))).rejects.toMatchObject({
      operation: 'DescribeTargetHealth',
      code: 'TargetGroupNotFoundException',
    });
  });
});

describe('register and deregister', () => {
  it('registers all in one call, with the port when given', async () => {
    elbv2.on(RegisterTargetsCommand).resolves({});
    await tgs.register(arn('web'), ['i-1', 'i-2', 'i-1'], 8080);
    await tgs.register(arn('web'), ['i-3']);
    expect(elbv2.commandCalls(RegisterTargetsCommand).map((c) => c.args[0].input.Targets)).toEqual([
      [
        { Id: 'i-1', Port: 8080 },
        { Id: 'i-2', Port: 8080 },
      ],
      [{ Id: 'i-3' }],
    ]);
  });

  it('deregister succeeds when the target group is gone', async () => {
    elbv2.on(DeregisterTargetsCommand).rejects(notFound());
    await expect(tgs.deregister(arn('gone'), ['i-1', 'i-2'])).resolves.toBeUndefined();
    expect(elbv2.commandCalls(DeregisterTargetsCommand)).toHaveLength(1);
  });

  it('deregister skips invalid targets: the batch fails, then each is sent alone', async () => {
    elbv2.on(DeregisterTargetsCommand).callsFake((input: DeregisterTargetsCommandInput) => {
      if (input.Targets?.some((t) => t.Id === 'i-gone')) throw invalid();
      return {};
    });
    await tgs.deregister(arn('web'), ['i-1', 'i-gone', 'i-2']);
    expect(elbv2.commandCalls(DeregisterTargetsCommand).map((c) => c.args[0].input.Targets?.map((t) => t.Id))).toEqual([
      ['i-1', 'i-gone', 'i-2'],
      ['i-1'],
      ['i-gone'],
      ['i-2'],
    ]);
  });

  it('deregister wraps other failures naming the instances and the target group', async () => {
    elbv2.on(DeregisterTargetsCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(tgs.deregister(arn('web'), ['i-1'])).rejects.toMatchObject({
      operation: 'DeregisterTargets',
      resource: 'instance i-1 from target group web/0123456789abcdef',
    });
  });
});

it('shortName keeps the name and id of an ARN', () => {
  expect(shortName(arn('web'))).toBe('web/0123456789abcdef');
  expect(shortName('not-an-arn')).toBe('not-an-arn');
});

describe('create', () => {
  const input = {
    Name: 'shop-green',
    Protocol: 'HTTP' as const,
    Port: 80,
    VpcId: 'vpc-1',
    HealthCheckPath: '/health',
    Tags: [{ Key: 'app', Value: 'shop' }],
  };
  const described = {
    TargetGroupArn: arn('shop-green'),
    TargetGroupName: 'shop-green',
    Protocol: 'HTTP' as const,
    Port: 80,
    VpcId: 'vpc-1',
    HealthCheckPath: '/health',
  };
  const duplicate = () => new DuplicateTargetGroupNameException({ message: 'A target group with the specified name already exists.', $metadata: {} });

  it('sends the input as given and returns the group AWS answers with', async () => {
    elbv2.on(CreateTargetGroupCommand).resolves({ TargetGroups: [described] });
    expect(await tgs.create(input)).toEqual(described);
    expect(elbv2.commandCalls(CreateTargetGroupCommand).map((c) => c.args[0].input)).toEqual([input]);
  });

  it('a duplicate name with the same settings (moto refuses every duplicate) gives the existing group', async () => {
    elbv2.on(CreateTargetGroupCommand).rejects(duplicate());
    elbv2.on(DescribeTargetGroupsCommand, { Names: ['shop-green'] }).resolves({ TargetGroups: [{ ...described, ProtocolVersion: 'HTTP1' }] });
    expect((await tgs.create(input)).TargetGroupArn).toBe(arn('shop-green'));
  });

  it('a duplicate name with other settings fails naming them', async () => {
    elbv2.on(CreateTargetGroupCommand).rejects(duplicate());
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ ...described, Port: 8080 }] });
    await expect(tgs.create(input)).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'CreateTargetGroup',
      resource: 'target group shop-green',
      code: 'DuplicateTargetGroupName',
      message: expect.stringContaining('Port 8080 != 80'),
    });
  });

  it('fails when the response has no group, and wraps other errors', async () => {
    elbv2.on(CreateTargetGroupCommand).resolvesOnce({ TargetGroups: [] }).rejectsOnce(awsError('TooManyTargetGroups', 'limit'));
    await expect(tgs.create(input)).rejects.toMatchObject({ code: 'NoTargetGroup' });
    await expect(tgs.create(input)).rejects.toMatchObject({ code: 'TooManyTargetGroups', resource: 'target group shop-green' });
  });

  it('targetGroupDifferences compares only the settings given', () => {
    expect(targetGroupDifferences({ Name: 'x', Port: 80 }, { Port: 80, Protocol: 'HTTPS' })).toEqual([]);
    expect(
      targetGroupDifferences(
        { Name: 'x', HealthCheckPath: '/a', Matcher: { HttpCode: '200-299' } },
        { HealthCheckPath: '/b', Matcher: { HttpCode: '200' } },
      ),
    ).toEqual(['HealthCheckPath /b != /a', 'Matcher.HttpCode 200 != 200-299']);
  });
});

describe('findByName', () => {
  it('asks by name; a missing name is undefined; other failures name the group', async () => {
    elbv2.on(DescribeTargetGroupsCommand, { Names: ['web'] }).resolves({ TargetGroups: [{ TargetGroupArn: arn('web'), TargetGroupName: 'web' }] });
    elbv2.on(DescribeTargetGroupsCommand, { Names: ['gone'] }).rejects(notFound());
    elbv2.on(DescribeTargetGroupsCommand, { Names: ['denied'] }).rejects(awsError('AccessDenied'));
    expect((await tgs.findByName('web'))?.TargetGroupArn).toBe(arn('web'));
    expect(await tgs.findByName('gone')).toBeUndefined();
    await expect(tgs.findByName('denied')).rejects.toMatchObject({ operation: 'DescribeTargetGroups', resource: 'target group denied' });
  });
});

describe('modifyAttributes', () => {
  it('sends the attributes in one call; none: no call', async () => {
    elbv2.on(ModifyTargetGroupAttributesCommand).resolves({});
    const attributes = [
      { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
      { Key: 'stickiness.enabled', Value: 'true' },
    ];
    await tgs.modifyAttributes(arn('web'), attributes);
    await tgs.modifyAttributes(arn('web'), []);
    expect(elbv2.commandCalls(ModifyTargetGroupAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArn: arn('web'), Attributes: attributes },
    ]);
  });

  it('names the target group on failure (a missing group is an error here)', async () => {
    elbv2.on(ModifyTargetGroupAttributesCommand).rejects(notFound());
    await expect(tgs.modifyAttributes(arn('web'), [{ Key: 'a', Value: 'b' }])).rejects.toMatchObject({
      operation: 'ModifyTargetGroupAttributes',
      resource: 'target group web/0123456789abcdef',
    });
  });
});

describe('tags', () => {
  it('asks 20 ARNs a call; a batch with an unknown ARN is asked one by one; keyed by ARN', async () => {
    const arns = Array.from({ length: 23 }, (_, i) => arn(`tg-${i}`));
    elbv2.on(DescribeTagsCommand).callsFake((input: DescribeTagsCommandInput) => {
      if (input.ResourceArns?.includes(arns[21]!)) throw notFound();
      return {
        TagDescriptions: (input.ResourceArns ?? []).map((ResourceArn) => ({ ResourceArn, Tags: [{ Key: 'n', Value: ResourceArn.slice(-20) }] })),
      };
    });
    const tags = await tgs.tags([...arns, arns[0]!]);
    expect(Object.keys(tags)).toHaveLength(22);
    expect(tags[arns[21]!]).toBeUndefined();
    expect(tags[arns[0]!]).toEqual([{ Key: 'n', Value: arns[0]!.slice(-20) }]);
    expect(elbv2.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input.ResourceArns?.length)).toEqual([20, 3, 1, 1, 1]);
  });

  it('gives {} without a call for no ARNs; wraps other failures', async () => {
    expect(await tgs.tags([])).toEqual({});
    expect(elbv2.calls()).toHaveLength(0);
    elbv2.on(DescribeTagsCommand).rejects(awsError('AccessDenied'));
    await expect(tgs.tags([arn('web')])).rejects.toMatchObject({ operation: 'DescribeTags', resource: 'target group web/0123456789abcdef' });
  });
});

describe('delete', () => {
  it('deletes; succeeds when the group is already gone', async () => {
    elbv2.on(DeleteTargetGroupCommand, { TargetGroupArn: arn('web') }).resolves({});
    elbv2.on(DeleteTargetGroupCommand, { TargetGroupArn: arn('gone') }).rejects(notFound());
    await tgs.delete(arn('web'));
    await expect(tgs.delete(arn('gone'))).resolves.toBeUndefined();
    expect(elbv2.commandCalls(DeleteTargetGroupCommand)).toHaveLength(2);
  });

  it('fails naming the group while a listener still forwards to it', async () => {
    elbv2
      .on(DeleteTargetGroupCommand)
      .rejects(new ResourceInUseException({ message: 'Target group is currently in use by a listener or a rule', $metadata: {} }));
    await expect(tgs.delete(arn('web'))).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'DeleteTargetGroup',
      resource: 'target group web/0123456789abcdef',
      code: 'ResourceInUseException',
    });
  });
});
