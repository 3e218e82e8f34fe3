/** ClassicLoadBalancersPort on Elastic Load Balancing (classic, SDK v3). */
import type {
  CreateLoadBalancerCommandInput,
  HealthCheck,
  InstanceState,
  LoadBalancerAttributes,
  LoadBalancerDescription,
  PolicyDescription,
  Tag,
} from '@aws-sdk/client-elastic-load-balancing';
import { AwsCallError } from '../../errors.js';
import type { ClassicLoadBalancersPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { awsCall, chunk, nameResources } from './call.js';

/** DescribeLoadBalancers and DescribeTags take at most 20 names a call. */
export const LOAD_BALANCER_NAMES_PER_CALL = 20;

/** The wire code (LoadBalancerNotFound) and the SDK's exception name for it. */
export const LOAD_BALANCER_MISSING = ['LoadBalancerNotFound', 'AccessPointNotFound', 'AccessPointNotFoundException'] as const;

const lb = (name: string) => `load balancer ${name}`;
const lbs = (names: readonly string[]) => nameResources('load balancer', 'load balancers', names);
const instanceList = (ids: readonly string[]) => nameResources('instance', 'instances', ids);

/** An instance that does not exist (or is not in the load balancer's VPC). */
export const INSTANCE_INVALID = ['InvalidInstance', 'InvalidEndPointException', 'InvalidEndPoint'] as const;
const isInstanceInvalid = (code: string) => (INSTANCE_INVALID as readonly string[]).includes(code);
const isLoadBalancerMissing = (code: string) => (LOAD_BALANCER_MISSING as readonly string[]).includes(code);

/** A policy of that name exists on the load balancer already (a retried create). */
export const POLICY_EXISTS = ['DuplicatePolicyName', 'DuplicatePolicyNameException'] as const;

/** The policy types that have calls of their own (CreateLoadBalancerPolicy is for every other type). */
export const STICKINESS_TYPES = { lb: 'LBCookieStickinessPolicyType', app: 'AppCookieStickinessPolicyType' } as const;

const attributeOf = (policy: PolicyDescription, name: string) =>
  policy.PolicyAttributeDescriptions?.find((a) => a.AttributeName === name)?.AttributeValue;

export class SdkClassicLoadBalancers implements ClassicLoadBalancersPort {
  constructor(private readonly clients: AwsClients) {}

  async describe(names: string[]): Promise<LoadBalancerDescription[]> {
    const { client, sdk: elb } = await this.clients.classicElb();
    // 20 names always fit one page (page size up to 400), so no paginator is needed for a named lookup.
    return this.byBatch(names, async (batch) => {
      const out = await awsCall(
        'DescribeLoadBalancers',
        lbs(batch),
        () => client.send(new elb.DescribeLoadBalancersCommand({ LoadBalancerNames: batch })),
        { missing: LOAD_BALANCER_MISSING },
      );
      return out?.LoadBalancerDescriptions;
    });
  }

  async describeTags(names: string[]): Promise<Record<string, Tag[]>> {
    const { client, sdk: elb } = await this.clients.classicElb();
    const found = await this.byBatch(names, async (batch) => {
      const out = await awsCall('DescribeTags', lbs(batch), () => client.send(new elb.DescribeTagsCommand({ LoadBalancerNames: batch })), {
        missing: LOAD_BALANCER_MISSING,
      });
      return out?.TagDescriptions;
    });
    const tags: Record<string, Tag[]> = {};
    for (const description of found) {
      if (description.LoadBalancerName) tags[description.LoadBalancerName] = description.Tags ?? [];
    }
    return tags;
  }

  async describeAttributes(name: string): Promise<LoadBalancerAttributes> {
    const { client, sdk: elb } = await this.clients.classicElb();
    const out = await awsCall('DescribeLoadBalancerAttributes', lb(name), () =>
      client.send(new elb.DescribeLoadBalancerAttributesCommand({ LoadBalancerName: name })),
    );
    return out.LoadBalancerAttributes ?? {};
  }

  async create(input: CreateLoadBalancerCommandInput): Promise<string> {
    const { client, sdk: elb } = await this.clients.classicElb();
    const resource = lb(input.LoadBalancerName ?? '?');
    const out = await awsCall('CreateLoadBalancer', resource, () => client.send(new elb.CreateLoadBalancerCommand(input)));
    if (!out.DNSName) throw new AwsCallError('CreateLoadBalancer', resource, 'NoDNSName', 'the response carries no DNS name');
    return out.DNSName;
  }

  async configureHealthCheck(name: string, healthCheck: HealthCheck): Promise<void> {
    const { client, sdk: elb } = await this.clients.classicElb();
    await awsCall('ConfigureHealthCheck', lb(name), () =>
      client.send(new elb.ConfigureHealthCheckCommand({ LoadBalancerName: name, HealthCheck: healthCheck })),
    );
  }

  async modifyAttributes(name: string, attributes: LoadBalancerAttributes): Promise<void> {
    const { client, sdk: elb } = await this.clients.classicElb();
    await awsCall('ModifyLoadBalancerAttributes', lb(name), () =>
      client.send(new elb.ModifyLoadBalancerAttributesCommand({ LoadBalancerName: name, LoadBalancerAttributes: attributes })),
    );
  }

  async delete(name: string): Promise<void> {
    const { client, sdk: elb } = await this.clients.classicElb();
    // AWS answers success for a missing name already; the missing codes cover emulators that do not.
    await awsCall('DeleteLoadBalancer', lb(name), () => client.send(new elb.DeleteLoadBalancerCommand({ LoadBalancerName: name })), {
      missing: LOAD_BALANCER_MISSING,
    });
  }

  async instanceHealth(name: string): Promise<InstanceState[]> {
    const { client, sdk: elb } = await this.clients.classicElb();
    // Without an Instances list, one call answers for every registered instance.
    const out = await awsCall('DescribeInstanceHealth', lb(name), () =>
      client.send(new elb.DescribeInstanceHealthCommand({ LoadBalancerName: name })),
    );
    return out.InstanceStates ?? [];
  }

  async registerInstances(name: string, instanceIds: string[]): Promise<void> {
    const unique = [...new Set(instanceIds)];
    if (unique.length === 0) return;
    const { client, sdk: elb } = await this.clients.classicElb();
    await awsCall('RegisterInstancesWithLoadBalancer', `${instanceList(unique)} with ${lb(name)}`, () =>
      client.send(
        new elb.RegisterInstancesWithLoadBalancerCommand({
          LoadBalancerName: name,
          Instances: unique.map((InstanceId) => ({ InstanceId })),
        }),
      ),
    );
  }

  /**
   * Succeeds for instances not registered (AWS does too) and for a load balancer that is gone. An
   * instance that no longer exists fails the whole call (InvalidInstance); then each is sent alone and
   * those are skipped.
   */
  async deregisterInstances(name: string, instanceIds: string[]): Promise<void> {
    const unique = [...new Set(instanceIds)];
    if (unique.length === 0) return;
    const { client, sdk: elb } = await this.clients.classicElb();
    let gone = false; // the load balancer itself
    const deregister = (ids: string[]) =>
      awsCall(
        'DeregisterInstancesFromLoadBalancer',
        `${instanceList(ids)} from ${lb(name)}`,
        () =>
          client.send(
            new elb.DeregisterInstancesFromLoadBalancerCommand({
              LoadBalancerName: name,
              Instances: ids.map((InstanceId) => ({ InstanceId })),
            }),
          ),
        {
          missing: (e) => {
            if (e.codes.some(isLoadBalancerMissing)) gone = true;
            return gone || e.codes.some(isInstanceInvalid);
          },
        },
      );
    if ((await deregister(unique)) !== undefined || gone || unique.length === 1) return;
    for (const id of unique) {
      await deregister([id]);
      if (gone) return;
    }
  }

  async describePolicies(name: string): Promise<PolicyDescription[]> {
    const { client, sdk: elb } = await this.clients.classicElb();
    // With a load balancer name AWS answers with the policies created for it only, not the predefined ones.
    const out = await awsCall('DescribeLoadBalancerPolicies', lb(name), () =>
      client.send(new elb.DescribeLoadBalancerPoliciesCommand({ LoadBalancerName: name })),
    );
    return out.PolicyDescriptions ?? [];
  }

  async createPolicy(name: string, policy: PolicyDescription): Promise<void> {
    const { client, sdk: elb } = await this.clients.classicElb();
    const policyName = policy.PolicyName ?? '';
    const resource = `policy ${policyName} of ${lb(name)}`;
    const options = { missing: POLICY_EXISTS };
    if (policy.PolicyTypeName === STICKINESS_TYPES.lb) {
      const period = attributeOf(policy, 'CookieExpirationPeriod');
      await awsCall(
        'CreateLBCookieStickinessPolicy',
        resource,
        () =>
          client.send(
            new elb.CreateLBCookieStickinessPolicyCommand({
              LoadBalancerName: name,
              PolicyName: policyName,
              // 0 or absent: the cookie lasts as long as the browser session (AWS's default).
              ...(period && Number(period) > 0 ? { CookieExpirationPeriod: Number(period) } : {}),
            }),
          ),
        options,
      );
      return;
    }
    if (policy.PolicyTypeName === STICKINESS_TYPES.app) {
      await awsCall(
        'CreateAppCookieStickinessPolicy',
        resource,
        () =>
          client.send(
            new elb.CreateAppCookieStickinessPolicyCommand({
              LoadBalancerName: name,
              PolicyName: policyName,
              CookieName: attributeOf(policy, 'CookieName') ?? '',
            }),
          ),
        options,
      );
      return;
    }
    await awsCall(
      'CreateLoadBalancerPolicy',
      resource,
      () =>
        client.send(
          new elb.CreateLoadBalancerPolicyCommand({
            LoadBalancerName: name,
            PolicyName: policyName,
            PolicyTypeName: policy.PolicyTypeName ?? '',
            PolicyAttributes: (policy.PolicyAttributeDescriptions ?? []).map((a) => ({
              AttributeName: a.AttributeName,
              AttributeValue: a.AttributeValue,
            })),
          }),
        ),
      options,
    );
  }

  async setListenerPolicies(name: string, loadBalancerPort: number, policyNames: string[]): Promise<void> {
    const { client, sdk: elb } = await this.clients.classicElb();
    await awsCall('SetLoadBalancerPoliciesOfListener', `listener ${loadBalancerPort} of ${lb(name)}`, () =>
      client.send(
        new elb.SetLoadBalancerPoliciesOfListenerCommand({ LoadBalancerName: name, LoadBalancerPort: loadBalancerPort, PolicyNames: policyNames }),
      ),
    );
  }

  async setBackendPolicies(name: string, instancePort: number, policyNames: string[]): Promise<void> {
    const { client, sdk: elb } = await this.clients.classicElb();
    await awsCall('SetLoadBalancerPoliciesForBackendServer', `backend port ${instancePort} of ${lb(name)}`, () =>
      client.send(
        new elb.SetLoadBalancerPoliciesForBackendServerCommand({ LoadBalancerName: name, InstancePort: instancePort, PolicyNames: policyNames }),
      ),
    );
  }

  /**
   * Runs `describe` per batch of 20 names. AWS fails a whole batch when one name is missing
   * (LoadBalancerNotFound, which `describe` turns into undefined); only then are that batch's names
   * asked one by one, so missing names are simply absent from the result.
   */
  private async byBatch<T>(names: string[], describe: (batch: string[]) => Promise<T[] | undefined>): Promise<T[]> {
    const out: T[] = [];
    for (const batch of chunk([...new Set(names)], LOAD_BALANCER_NAMES_PER_CALL)) {
      const found = await describe(batch);
      if (found) {
        out.push(...found);
      } else if (batch.length > 1) {
        for (const name of batch) out.push(...((await describe([name])) ?? []));
      }
    }
    return out;
  }
}
