/** The classic ELB policy calls of SdkClassicLoadBalancers: which API each policy type goes to, and retries. */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateAppCookieStickinessPolicyCommand,
  CreateLBCookieStickinessPolicyCommand,
  CreateLoadBalancerPolicyCommand,
  DescribeLoadBalancerPoliciesCommand,
  DuplicatePolicyNameException,
  ElasticLoadBalancingClient,
  SetLoadBalancerPoliciesForBackendServerCommand,
  SetLoadBalancerPoliciesOfListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkClassicLoadBalancers } from '../../../src/aws/sdk/classic-elb.js';

const elb = mockClient(ElasticLoadBalancingClient);
let lbs: SdkClassicLoadBalancers;

beforeEach(() => {
  elb.reset();
  lbs = new SdkClassicLoadBalancers(new AwsClients({ region: 'us-east-1' }));
});

const attrs = (pairs: Record<string, string>) => Object.entries(pairs).map(([AttributeName, AttributeValue]) => ({ AttributeName, AttributeValue }));

describe('classic load balancer policies', () => {
  it('describes the policies created for the load balancer (by its name)', async () => {
    elb.on(DescribeLoadBalancerPoliciesCommand).resolves({ PolicyDescriptions: [{ PolicyName: 'pp', PolicyTypeName: 'ProxyProtocolPolicyType' }] });
    expect(await lbs.describePolicies('shop-blue')).toEqual([{ PolicyName: 'pp', PolicyTypeName: 'ProxyProtocolPolicyType' }]);
    expect(elb.commandCalls(DescribeLoadBalancerPoliciesCommand)[0]!.args[0].input).toEqual({ LoadBalancerName: 'shop-blue' });
  });

  it('creates LB and app cookie stickiness through their own calls, with their one attribute', async () => {
    elb.on(CreateLBCookieStickinessPolicyCommand).resolves({});
    elb.on(CreateAppCookieStickinessPolicyCommand).resolves({});
    await lbs.createPolicy('shop-green', {
      PolicyName: 'lb-sticky',
      PolicyTypeName: 'LBCookieStickinessPolicyType',
      PolicyAttributeDescriptions: attrs({ CookieExpirationPeriod: '600' }),
    });
    await lbs.createPolicy('shop-green', {
      PolicyName: 'session',
      PolicyTypeName: 'LBCookieStickinessPolicyType',
      PolicyAttributeDescriptions: attrs({ CookieExpirationPeriod: '0' }),
    });
    await lbs.createPolicy('shop-green', {
      PolicyName: 'app-sticky',
      PolicyTypeName: 'AppCookieStickinessPolicyType',
      PolicyAttributeDescriptions: attrs({ CookieName: 'JSESSIONID' }),
    });
    expect(elb.commandCalls(CreateLBCookieStickinessPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { LoadBalancerName: 'shop-green', PolicyName: 'lb-sticky', CookieExpirationPeriod: 600 },
      { LoadBalancerName: 'shop-green', PolicyName: 'session' },
    ]);
    expect(elb.commandCalls(CreateAppCookieStickinessPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { LoadBalancerName: 'shop-green', PolicyName: 'app-sticky', CookieName: 'JSESSIONID' },
    ]);
    expect(elb.commandCalls(CreateLoadBalancerPolicyCommand)).toHaveLength(0);
  });

  it('creates every other type with CreateLoadBalancerPolicy and its attributes as described', async () => {
    elb.on(CreateLoadBalancerPolicyCommand).resolves({});
    await lbs.createPolicy('shop-green', {
      PolicyName: 'pp',
      PolicyTypeName: 'ProxyProtocolPolicyType',
      PolicyAttributeDescriptions: attrs({ ProxyProtocol: 'true' }),
    });
    expect(elb.commandCalls(CreateLoadBalancerPolicyCommand)[0]!.args[0].input).toEqual({
      LoadBalancerName: 'shop-green',
      PolicyName: 'pp',
      PolicyTypeName: 'ProxyProtocolPolicyType',
      PolicyAttributes: [{ AttributeName: 'ProxyProtocol', AttributeValue: 'true' }],
    });
  });

  it('takes DuplicatePolicyName (a policy an earlier attempt made) as done', async () => {
    elb.on(CreateLoadBalancerPolicyCommand).rejects(new DuplicatePolicyNameException({ message: 'Policy pp already exists', $metadata: {} }));
    await expect(lbs.createPolicy('shop-green', { PolicyName: 'pp', PolicyTypeName: 'ProxyProtocolPolicyType' })).resolves.toBeUndefined();
  });

  it('sets the policies of a listener by its port and of a backend by its instance port', async () => {
    elb.on(SetLoadBalancerPoliciesOfListenerCommand).resolves({});
    elb.on(SetLoadBalancerPoliciesForBackendServerCommand).resolves({});
    await lbs.setListenerPolicies('shop-green', 443, ['tls-2021']);
    await lbs.setBackendPolicies('shop-green', 8080, ['pp']);
    expect(elb.commandCalls(SetLoadBalancerPoliciesOfListenerCommand)[0]!.args[0].input).toEqual({
      LoadBalancerName: 'shop-green',
      LoadBalancerPort: 443,
      PolicyNames: ['tls-2021'],
    });
    expect(elb.commandCalls(SetLoadBalancerPoliciesForBackendServerCommand)[0]!.args[0].input).toEqual({
      LoadBalancerName: 'shop-green',
      InstancePort: 8080,
      PolicyNames: ['pp'],
    });
  });
});
