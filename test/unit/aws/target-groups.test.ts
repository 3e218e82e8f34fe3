import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  InvalidTargetException,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
  type DeregisterTargetsCommandInput,
  type DescribeTargetGroupsCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkTargetGroups, shortName } from '../../../src/aws/sdk/target-groups.js';
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
      [{ Id: 'i-1', Port: 8080 }, { Id: 'i-2', Port: 8080 }],
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
