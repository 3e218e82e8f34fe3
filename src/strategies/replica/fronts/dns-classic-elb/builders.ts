/** Pure builders of replica-dns's front: blue's classic load balancer in, green's create input out. Tested with exact inputs and outputs. */
import type {
  CreateLoadBalancerCommandInput,
  LoadBalancerAttributes,
  LoadBalancerDescription,
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

/** The attributes green's load balancer gets: draining, cross-zone, idle timeout, access log. */
export function loadBalancerAttributesCopy(blue: LoadBalancerAttributes): LoadBalancerAttributes {
  return defined({
    ConnectionDraining: blue.ConnectionDraining,
    CrossZoneLoadBalancing: blue.CrossZoneLoadBalancing,
    ConnectionSettings: blue.ConnectionSettings,
    AccessLog: blue.AccessLog,
  });
}
