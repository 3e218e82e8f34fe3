import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AccessPointNotFoundException,
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeInstanceHealthCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DeregisterInstancesFromLoadBalancerCommand,
  ElasticLoadBalancingClient,
  InvalidEndPointException,
  RegisterInstancesWithLoadBalancerCommand,
  type DeregisterInstancesFromLoadBalancerCommandInput,
  type DescribeLoadBalancersCommandInput,
  type DescribeTagsCommandInput,
} from '@aws-sdk/client-elastic-load-balancing';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkClassicLoadBalancers } from '../../../src/aws/sdk/classic-elb.js';
import { awsError } from './aws-error.js';

const elb = mockClient(ElasticLoadBalancingClient);
let lbs: SdkClassicLoadBalancers;

const notFound = (name: string) => new AccessPointNotFoundException({ message: `There is no ACTIVE Load Balancer named '${name}'`, $metadata: {} });

/** Answers like AWS: the whole call fails when one name is unknown. */
function existing(...known: string[]) {
  const check = (names: string[]) => {
    const missing = names.find((n) => !known.includes(n));
    if (missing) throw notFound(missing);
  };
  elb.on(DescribeLoadBalancersCommand).callsFake((input: DescribeLoadBalancersCommandInput) => {
    check(input.LoadBalancerNames ?? []);
    return { LoadBalancerDescriptions: (input.LoadBalancerNames ?? []).map((n) => ({ LoadBalancerName: n })) };
  });
  elb.on(DescribeTagsCommand).callsFake((input: DescribeTagsCommandInput) => {
    check(input.LoadBalancerNames ?? []);
    return { TagDescriptions: (input.LoadBalancerNames ?? []).map((n) => ({ LoadBalancerName: n, Tags: [{ Key: 'name', Value: n }] })) };
  });
}

beforeEach(() => {
  elb.reset();
  lbs = new SdkClassicLoadBalancers(new AwsClients({ region: 'us-east-1' }));
});

describe('describe', () => {
  it('asks for 20 names a call', async () => {
    const names = Array.from({ length: 45 }, (_, i) => `lb-${i}`);
    existing(...names);
    const found = await lbs.describe(names);
    expect(found).toHaveLength(45);
    expect(elb.commandCalls(DescribeLoadBalancersCommand).map((c) => c.args[0].input.LoadBalancerNames?.length)).toEqual([20, 20, 5]);
  });

  it('leaves missing names out (AWS fails the whole batch for one missing name)', async () => {
    existing('a', 'c');
    const found = await lbs.describe(['a', 'b', 'c']);
    expect(found.map((d) => d.LoadBalancerName)).toEqual(['a', 'c']);
  });

  it('gives [] for one missing name', async () => {
    existing();
    expect(await lbs.describe(['gone'])).toEqual([]);
    expect(elb.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(1);
  });

  it('wraps other failures naming the load balancers', async () => {
    elb.on(DescribeLoadBalancersCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(lbs.describe(['a'])).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'DescribeLoadBalancers',
      resource: 'load balancer a',
      code: 'Throttling',
    });
  });
});

describe('describeTags', () => {
  it('batches 20 names and maps tags by name, missing names absent', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `lb-${i}`);
    existing(...names);
    const tags = await lbs.describeTags([...names, 'gone']);
    expect(Object.keys(tags)).toHaveLength(25);
    expect(tags['lb-3']).toEqual([{ Key: 'name', Value: 'lb-3' }]);
    expect(elb.commandCalls(DescribeTagsCommand)[0]!.args[0].input.LoadBalancerNames).toHaveLength(20);
  });
});

describe('create, delete, health', () => {
  it('returns the DNS name; a failure names CreateLoadBalancer and the load balancer', async () => {
    elb.on(CreateLoadBalancerCommand).resolves({ DNSName: 'shop-green-k3x9a-1.us-east-1.elb.amazonaws.com' });
    expect(await lbs.create({ LoadBalancerName: 'shop-green-k3x9a', Listeners: [] })).toBe('shop-green-k3x9a-1.us-east-1.elb.amazonaws.com');
    elb.on(CreateLoadBalancerCommand).rejects(awsError('DuplicateLoadBalancerName', 'already exists with different listeners'));
    await expect(lbs.create({ LoadBalancerName: 'shop-green-k3x9a', Listeners: [] })).rejects.toMatchObject({
      operation: 'CreateLoadBalancer',
      resource: 'load balancer shop-green-k3x9a',
      message: 'CreateLoadBalancer on load balancer shop-green-k3x9a failed: DuplicateLoadBalancerName: already exists with different listeners',
    });
  });

  it('delete succeeds when the load balancer is gone', async () => {
    elb.on(DeleteLoadBalancerCommand).rejects(notFound('gone'));
    await expect(lbs.delete('gone')).resolves.toBeUndefined();
  });

  it('instanceHealth asks once for every instance of the load balancer', async () => {
    elb.on(DescribeInstanceHealthCommand).resolves({
      InstanceStates: [
        { InstanceId: 'i-1', State: 'InService' },
        { InstanceId: 'i-2', State: 'OutOfService' },
      ],
    });
    expect(await lbs.instanceHealth('shop')).toHaveLength(2);
    expect(elb.commandCalls(DescribeInstanceHealthCommand).map((c) => c.args[0].input)).toEqual([{ LoadBalancerName: 'shop' }]);
  });
});

describe('register and deregister instances', () => {
  it('registers all in one call', async () => {
    elb.on(RegisterInstancesWithLoadBalancerCommand).resolves({ Instances: [] });
    await lbs.registerInstances('shop', ['i-1', 'i-2', 'i-1']);
    expect(elb.commandCalls(RegisterInstancesWithLoadBalancerCommand).map((c) => c.args[0].input)).toEqual([
      { LoadBalancerName: 'shop', Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }] },
    ]);
  });

  it('names the instances and the load balancer when register fails', async () => {
    elb
      .on(RegisterInstancesWithLoadBalancerCommand)
      .rejects(new InvalidEndPointException({ message: 'The specified EndPoint is not valid', $metadata: {} }));
    await expect(lbs.registerInstances('shop', ['i-1'])).rejects.toMatchObject({
      operation: 'RegisterInstancesWithLoadBalancer',
      resource: 'instance i-1 with load balancer shop',
    });
  });

  it('deregister succeeds when the load balancer is gone (one call)', async () => {
    elb.on(DeregisterInstancesFromLoadBalancerCommand).rejects(notFound('gone'));
    await expect(lbs.deregisterInstances('gone', ['i-1', 'i-2'])).resolves.toBeUndefined();
    expect(elb.commandCalls(DeregisterInstancesFromLoadBalancerCommand)).toHaveLength(1);
  });

  it('deregister skips instances that no longer exist (the batch fails, each is sent alone)', async () => {
    elb.on(DeregisterInstancesFromLoadBalancerCommand).callsFake((input: DeregisterInstancesFromLoadBalancerCommandInput) => {
      if (input.Instances?.some((i) => i.InstanceId === 'i-gone')) {
        throw new InvalidEndPointException({ message: 'The specified EndPoint is not valid', $metadata: {} });
      }
      return { Instances: [] };
    });
    await lbs.deregisterInstances('shop', ['i-1', 'i-gone']);
    expect(elb.commandCalls(DeregisterInstancesFromLoadBalancerCommand).map((c) => c.args[0].input.Instances?.map((i) => i.InstanceId))).toEqual([
      ['i-1', 'i-gone'],
      ['i-1'],
      ['i-gone'],
    ]);
  });

  it('deregister wraps other failures', async () => {
    elb.on(DeregisterInstancesFromLoadBalancerCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(lbs.deregisterInstances('shop', ['i-1'])).rejects.toMatchObject({
      operation: 'DeregisterInstancesFromLoadBalancer',
      resource: 'instance i-1 from load balancer shop',
      code: 'Throttling',
    });
  });
});
