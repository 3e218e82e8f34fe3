/** Pure builders of replica-dns's front: blue's classic load balancer in, green's create input out. Tested with exact inputs and outputs. */
import type {
  CreateLoadBalancerCommandInput,
  LoadBalancerAttributes,
  LoadBalancerDescription,
  PolicyDescription,
  Tag as ElbTag,
} from '@aws-sdk/client-elastic-load-balancing';
import { defined, nonEmptyList } from '../../../common/builders.js';
import { isOwnTagKey, ownTags, type OwnTags } from '../../../common/names.js';

export function loadBalancerCopy(blue: LoadBalancerDescription, blueTags: ElbTag[], name: string, tags: OwnTags): CreateLoadBalancerCommandInput {
  const subnets = nonEmptyList(blue.Subnets);
  return defined({
    LoadBalancerName: name,
    Listeners: (blue.ListenerDescriptions ?? []).flatMap((d) => (d.Listener ? [defined({ ...d.Listener })] : [])),
    Subnets: subnets,
    AvailabilityZones: subnets ? undefined : nonEmptyList(blue.AvailabilityZones),
    SecurityGroups: nonEmptyList(blue.SecurityGroups),
    Scheme: blue.Scheme === 'internal' ? 'internal' : undefined,
    Tags: [...blueTags.filter((t) => !isOwnTagKey(t.Key)).map((t) => defined({ Key: t.Key, Value: t.Value })), ...ownTags(tags)],
  });
}

/**
 * The attributes green's load balancer gets: draining, cross-zone, idle timeout, access log, and the
 * additional ones (elb.http.desyncmitigationmode: a green in monitor mode where blue is strictest lets
 * ambiguous requests through).
 */
export function loadBalancerAttributesCopy(blue: LoadBalancerAttributes): LoadBalancerAttributes {
  // One per key (the last one described wins): moto describes the default desync mode once per earlier modify.
  const byKey = new Map((blue.AdditionalAttributes ?? []).filter((a) => a.Key && a.Value !== undefined).map((a) => [a.Key, a.Value]));
  const additional = [...byKey].map(([Key, Value]) => ({ Key, Value }));
  return defined({
    ConnectionDraining: blue.ConnectionDraining,
    CrossZoneLoadBalancing: blue.CrossZoneLoadBalancing,
    ConnectionSettings: blue.ConnectionSettings,
    AccessLog: blue.AccessLog,
    AdditionalAttributes: nonEmptyList(additional),
  });
}

// ---------------------------------------------------------------- policies

export const SSL_NEGOTIATION_POLICY_TYPE = 'SSLNegotiationPolicyType';
export const REFERENCE_SECURITY_POLICY = 'Reference-Security-Policy';
/** The attribute of a BackendServerAuthenticationPolicyType policy that names a PublicKeyPolicyType policy. */
const PUBLIC_KEY_POLICY_NAME = 'PublicKeyPolicyName';

/** The policies of one listener (by its load balancer port) or one backend (by its instance port). */
export interface PortPolicies {
  port: number;
  policyNames: string[];
}

/** What green's load balancer gets of blue's policies: each policy, then which listener and backend uses which. */
export interface LoadBalancerPolicies {
  /** In creation order: a public key policy before the backend authentication policy that names it. */
  policies: PolicyDescription[];
  listeners: PortPolicies[];
  backends: PortPolicies[];
}

/**
 * One of blue's policies as green's CreateLoadBalancerPolicy takes it. An SSL negotiation policy made from a
 * predefined security policy is described with every protocol and cipher that one stands for; its
 * Reference-Security-Policy alone makes the same policy
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/ssl-config-update.html), so only that is sent.
 */
export function policyCopy(blue: PolicyDescription): PolicyDescription {
  const attributes = (blue.PolicyAttributeDescriptions ?? []).map((a) =>
    defined({ AttributeName: a.AttributeName, AttributeValue: a.AttributeValue }),
  );
  const reference = attributes.find((a) => a.AttributeName === REFERENCE_SECURITY_POLICY && a.AttributeValue);
  return defined({
    PolicyName: blue.PolicyName,
    PolicyTypeName: blue.PolicyTypeName,
    PolicyAttributeDescriptions: blue.PolicyTypeName === SSL_NEGOTIATION_POLICY_TYPE && reference ? [reference] : attributes,
  });
}

/**
 * Blue's listener policies (TLS negotiation, LB and app cookie stickiness) and backend policies (proxy
 * protocol, backend authentication) for green: every policy created for blue's load balancer, and the
 * names each listener and backend uses. A name no policy of blue's answers to cannot be made on green: it
 * is left out, with a warning (green's listener keeps what AWS gives it, for HTTPS the default security policy).
 */
export function loadBalancerPoliciesCopy(
  blue: LoadBalancerDescription,
  policies: PolicyDescription[],
): { copy: LoadBalancerPolicies; warnings: string[] } {
  const known = new Set(policies.flatMap((p) => (p.PolicyName ? [p.PolicyName] : [])));
  const referenced = new Set(
    policies.flatMap((p) =>
      (p.PolicyAttributeDescriptions ?? []).filter((a) => a.AttributeName === PUBLIC_KEY_POLICY_NAME).map((a) => a.AttributeValue),
    ),
  );
  const ordered = [...policies.filter((p) => referenced.has(p.PolicyName)), ...policies.filter((p) => !referenced.has(p.PolicyName))];
  const warnings: string[] = [];
  const uses = (what: string, port: number | undefined, names: string[] | undefined): PortPolicies[] => {
    if (port === undefined || !names || names.length === 0) return [];
    const missing = names.filter((n) => !known.has(n));
    if (missing.length > 0) {
      warnings.push(
        `${what} ${port} of ${blue.LoadBalancerName} uses ${missing.length === 1 ? 'policy' : 'policies'} ${missing.join(', ')}, which DescribeLoadBalancerPolicies does not list: not copied to green`,
      );
    }
    const found = names.filter((n) => known.has(n));
    return found.length > 0 ? [{ port, policyNames: found }] : [];
  };
  return {
    copy: {
      policies: ordered.filter((p) => p.PolicyName).map(policyCopy),
      listeners: (blue.ListenerDescriptions ?? []).flatMap((d) => uses('listener', d.Listener?.LoadBalancerPort, d.PolicyNames)),
      backends: (blue.BackendServerDescriptions ?? []).flatMap((b) => uses('backend port', b.InstancePort, b.PolicyNames)),
    },
    warnings,
  };
}
