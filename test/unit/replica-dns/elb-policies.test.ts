/**
 * Issue 10 item 8: green's classic load balancer gets blue's policies. Without them green's HTTPS listener
 * negotiates with AWS's default security policy (a TLS downgrade where blue allows TLS 1.2 only), sticky
 * sessions end at the switch, and instances that expect a PROXY protocol header reject every connection.
 */
import { describe, expect, it } from 'vitest';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { DEFAULT_SECURITY_POLICY } from '../../fakes/aws.js';
import { blueWorld, configFor, noRemote, type World } from './world.js';

const GREEN = 'shop-green-k3x9a';
const BLUE_LB = 'shop-web-elb';
const attrs = (pairs: Record<string, string>) => Object.entries(pairs).map(([AttributeName, AttributeValue]) => ({ AttributeName, AttributeValue }));

/** Blue's load balancer as an operator left it: TLS 1.2 only, LB cookie stickiness on 443, PROXY protocol and desync mitigation strictest. */
async function withPolicies(world: World): Promise<void> {
  const elb = world.aws.classicLoadBalancers;
  await elb.createPolicy(BLUE_LB, {
    PolicyName: 'tls-1-2',
    PolicyTypeName: 'SSLNegotiationPolicyType',
    PolicyAttributeDescriptions: attrs({ 'Reference-Security-Policy': 'ELBSecurityPolicy-TLS-1-2-2017-01' }),
  });
  await elb.createPolicy(BLUE_LB, {
    PolicyName: 'sticky',
    PolicyTypeName: 'LBCookieStickinessPolicyType',
    PolicyAttributeDescriptions: attrs({ CookieExpirationPeriod: '600' }),
  });
  await elb.createPolicy(BLUE_LB, {
    PolicyName: 'pp',
    PolicyTypeName: 'ProxyProtocolPolicyType',
    PolicyAttributeDescriptions: attrs({ ProxyProtocol: 'true' }),
  });
  await elb.setListenerPolicies(BLUE_LB, 443, ['tls-1-2', 'sticky']);
  await elb.setBackendPolicies(BLUE_LB, 8080, ['pp']);
  await elb.modifyAttributes(BLUE_LB, { AdditionalAttributes: [{ Key: 'elb.http.desyncmitigationmode', Value: 'strictest' }] });
  world.aws.calls.length = 0;
}

async function deployFront(world: World) {
  const config = configFor({ retire: { afterSeconds: 0, action: 'keep' } });
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  const registry = replicaDns.handlers(world.aws, noRemote);
  const steps = plan.steps.filter((s) => s.id === STEP.createLoadBalancer);
  await world.journal.applyAll(registry, steps);
  return { plan, registry, steps };
}

describe("replica-dns: green's classic load balancer gets blue's policies", () => {
  it('an HTTPS listener made without a policy gets AWS default security policy (what green would have had)', async () => {
    const world = blueWorld();
    await world.aws.classicLoadBalancers.create({
      LoadBalancerName: 'bare',
      Listeners: [{ Protocol: 'HTTPS', LoadBalancerPort: 443, InstanceProtocol: 'HTTP', InstancePort: 8080, SSLCertificateId: 'arn:cert' }],
    });
    const [bare] = await world.aws.classicLoadBalancers.describe(['bare']);
    expect(bare?.ListenerDescriptions?.[0]?.PolicyNames).toEqual([DEFAULT_SECURITY_POLICY]);
    expect((await world.aws.classicLoadBalancers.describePolicies('bare')).map((p) => p.PolicyName)).toEqual([DEFAULT_SECURITY_POLICY]);
  });

  it("copies listener and backend policies and the desync mitigation mode; the TLS policy by its reference alone; undo deletes green's load balancer", async () => {
    const world = blueWorld();
    await withPolicies(world);
    const start = world.aws.snapshot();
    const { plan, registry, steps } = await deployFront(world);
    expect(plan.warnings.filter((w) => w.includes('policy'))).toEqual([]);

    const elb = world.aws.classicLoadBalancers;
    const [green] = await elb.describe([GREEN]);
    const listener = (port: number) => green?.ListenerDescriptions?.find((l) => l.Listener?.LoadBalancerPort === port)?.PolicyNames;
    expect(listener(443)).toEqual(['tls-1-2', 'sticky']);
    expect(listener(80)).toEqual([]);
    expect(green?.BackendServerDescriptions).toEqual([{ InstancePort: 8080, PolicyNames: ['pp'] }]);
    const policies = await elb.describePolicies(GREEN);
    const tls = policies.find((p) => p.PolicyName === 'tls-1-2');
    expect(tls?.PolicyAttributeDescriptions?.find((a) => a.AttributeName === 'Protocol-TLSv1')?.AttributeValue).toBe('false');
    expect(policies.find((p) => p.PolicyName === 'sticky')?.PolicyAttributeDescriptions).toEqual(attrs({ CookieExpirationPeriod: '600' }));
    expect((await elb.describeAttributes(GREEN)).AdditionalAttributes).toEqual([{ Key: 'elb.http.desyncmitigationmode', Value: 'strictest' }]);
    // The reference policy alone is sent, not the protocols and ciphers blue's description expands it to.
    const created = world.aws
      .callsTo('classicLoadBalancers.createPolicy')
      .map((args) => args[1] as { PolicyName: string; PolicyAttributeDescriptions: unknown[] });
    expect(created.find((p) => p.PolicyName === 'tls-1-2')?.PolicyAttributeDescriptions).toEqual(
      attrs({ 'Reference-Security-Policy': 'ELBSecurityPolicy-TLS-1-2-2017-01' }),
    );

    await world.journal.undoAll(registry, steps);
    expect(world.aws.snapshot()).toEqual(start);
  });

  it('a resumed create-load-balancer (green made, policies not yet) finishes the copy without a duplicate', async () => {
    const world = blueWorld();
    await withPolicies(world);
    world.aws.failOn('classicLoadBalancers.setListenerPolicies');
    await expect(deployFront(world)).rejects.toThrow(/injected failure/);
    const { steps, registry } = await deployFront(world);
    expect(world.aws.callsTo('classicLoadBalancers.create')).toHaveLength(1);
    const [green] = await world.aws.classicLoadBalancers.describe([GREEN]);
    expect(green?.ListenerDescriptions?.find((l) => l.Listener?.LoadBalancerPort === 443)?.PolicyNames).toEqual(['tls-1-2', 'sticky']);
    await world.journal.undoAll(registry, steps);
    expect(await world.aws.classicLoadBalancers.describe([GREEN])).toEqual([]);
  });
});
