/**
 * The read-only half of replica-dns's front: finds the live (blue) stack from where the DNS record points
 * (its classic load balancer, then the group in it), and reads blue's load balancer. Throws InputError
 * (nothing changed) for anything that makes a deployment impossible.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { LoadBalancerAttributes, LoadBalancerDescription, PolicyDescription, Tag as ElbTag } from '@aws-sdk/client-elastic-load-balancing';
import type { HostedZone, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { AwsPorts } from '../../../../aws/ports.js';
import type { Config, ReplicaDnsConfig } from '../../../../config/schema.js';
import { InputError } from '../../../../errors.js';
import {
  candidateGroups,
  describeCandidates,
  early,
  observeBlueGroup,
  observeStart,
  onlyServing,
  readBlue,
  type ReplicaObserved,
} from '../../observe.js';
import { normaliseDnsName } from './elb-zones.js';

export const STRATEGY = 'replica-dns';

/** Blue's front: its classic load balancer. */
export interface BlueLoadBalancer {
  loadBalancer: {
    description: LoadBalancerDescription & { LoadBalancerName: string };
    attributes: LoadBalancerAttributes;
    tags: ElbTag[];
    /** The policies created for it (listener and backend policies, with their attributes). */
    policies: PolicyDescription[];
  };
}

export type Observed = ReplicaObserved<BlueLoadBalancer> & {
  zone: HostedZone;
  /** The alias A record users resolve, as it is now. */
  record: ResourceRecordSet & { AliasTarget: NonNullable<ResourceRecordSet['AliasTarget']> };
  /**
   * The AAAA record of the same name (dual-stack clients), when there is one: `moves` when it is a simple
   * alias to blue's load balancer too (it switches with the A record, in the same change batch); else it
   * is left as it is, and the plan says so.
   */
  aaaa?: { record: ResourceRecordSet; moves: boolean };
  /**
   * dns.alsoHostedZoneIds: the other hosted zones of the same name (a private zone for clients in a VPC)
   * whose record of dns.name aliases blue's load balancer too, and which of its types do.
   */
  otherZones?: OtherZone[];
};

export interface OtherZone {
  zoneId: string;
  private: boolean;
  /** "A", and "AAAA" when that aliases blue's load balancer too. */
  types: string[];
}

/** Narrows the config: replica-dns is only ever given its own (the strategy is picked by it). */
export function replicaDnsConfig(config: Config): ReplicaDnsConfig {
  if (config.strategy !== 'replica-dns') throw new Error(`replica-dns was given a config of strategy ${config.strategy}`);
  return config;
}

/**
 * Reads, in as few rounds as their data allow: first everything the config names (the zone, the release
 * image, the gate alarms, the A and AAAA records, the candidate groups); then the candidates' load
 * balancers and the zones of the zone's name, with (when only one candidate serves, so only it can be blue)
 * every read of blue; then what needs those answers (blue's alarms, the other zones' records). Errors come in
 * the order of the checks, whatever answers first.
 */
export async function observe(config: ReplicaDnsConfig, ports: AwsPorts): Promise<Observed> {
  const { hostedZoneId, name: recordName } = config.dns;
  const zoneRead = early(ports.dns.getHostedZone(hostedZoneId));
  const recordRead = early(aliasRecord(config, ports));
  const aaaaRead = early(ports.dns.getRecordSets(hostedZoneId, recordName, 'AAAA'));
  const groupsRead = early(candidateGroups(config, ports));
  const othersRead = early(zoneRead.then((zone) => (zone ? otherZoneRecords(config, ports, zone) : [])));
  // Each read goes out as soon as what it needs has answered, not when the slowest of the first round has.
  const lbsRead = early(groupsRead.then((groups) => describeLoadBalancersOf(ports, groups)));
  const readsOf = (group: AutoScalingGroup) => readBlue(STRATEGY, config, ports, group, () => readLoadBalancer(ports, group, lbsRead));
  const earlyRead = groupsRead.then(
    (groups) => {
      const serving = onlyServing(groups);
      return serving && oneClassicLoadBalancer(serving) ? readsOf(serving) : undefined;
    },
    () => undefined,
  );
  const start = await observeStart(config, ports, () => zoneRead, `hosted zone ${hostedZoneId} (dns.hostedZoneId) does not exist`);
  const record = await recordRead;
  const groups = await groupsRead;
  const earlyReads = await earlyRead;
  const lbs = await lbsRead;
  const { blueGroup, lbMatch } = blueOf(config, record, groups, lbs);
  const observed = await observeBlueGroup({ ...start, groups }, blueGroup, () => (earlyReads?.group === blueGroup ? earlyReads : readsOf(blueGroup)));
  const aaaa = aaaaRecord(config, await aaaaRead, lbMatch);
  const otherZones = sameNameZones(config, start.entry, await othersRead, lbMatch);
  return { zone: start.entry, record, ...(aaaa ? { aaaa } : {}), ...(otherZones.length > 0 ? { otherZones } : {}), ...observed };
}

/** The classic load balancers of the candidates, in one describe. */
async function describeLoadBalancersOf(ports: AwsPorts, groups: Map<string, AutoScalingGroup>): Promise<LoadBalancerDescription[]> {
  const names = [...new Set([...groups.values()].flatMap((g) => g.LoadBalancerNames ?? []))];
  return names.length > 0 ? ports.classicLoadBalancers.describe(names) : [];
}

/** A group replica-dns can deploy has one classic load balancer and no target group. */
const oneClassicLoadBalancer = (g: AutoScalingGroup) => (g.LoadBalancerNames?.length ?? 0) === 1 && (g.TargetGroupARNs?.length ?? 0) === 0;

/** Blue's group and load balancer: the candidate whose load balancer the record points at; InputError when none, or one replica-dns cannot deploy. */
function blueOf(config: ReplicaDnsConfig, record: Observed['record'], groups: Map<string, AutoScalingGroup>, lbs: LoadBalancerDescription[]) {
  const target = normaliseDnsName(record.AliasTarget.DNSName);
  const lbMatch = lbs.find((lb) => normaliseDnsName(lb.DNSName) === target);
  const blueGroup = lbMatch ? [...groups.values()].find((g) => g.LoadBalancerNames?.includes(lbMatch.LoadBalancerName ?? '')) : undefined;
  if (!blueGroup || !lbMatch) {
    const described = describeCandidates(groups, (g) => g?.LoadBalancerNames, 'no classic load balancer');
    throw new InputError(
      `record ${config.dns.name} points at ${record.AliasTarget.DNSName}, which is the load balancer of none of the candidate groups: ${described}`,
    );
  }
  const blueName = blueGroup.AutoScalingGroupName as string;
  if ((blueGroup.TargetGroupARNs?.length ?? 0) > 0) {
    throw new InputError(
      `group ${blueName} uses target groups (${blueGroup.TargetGroupARNs?.join(', ')}); replica-dns supports a group with exactly one classic load balancer for now`,
    );
  }
  if ((blueGroup.LoadBalancerNames?.length ?? 0) !== 1) {
    throw new InputError(
      `group ${blueName} has ${blueGroup.LoadBalancerNames?.length} classic load balancers (${blueGroup.LoadBalancerNames?.join(', ')}); replica-dns needs exactly one, the one the record points at`,
    );
  }
  return { blueGroup, lbMatch: { ...lbMatch, LoadBalancerName: lbMatch.LoadBalancerName as string } };
}

/** Blue's front: its one classic load balancer (as `lbsRead` describes it), its attributes, tags and policies. */
async function readLoadBalancer(ports: AwsPorts, group: AutoScalingGroup, lbsRead: Promise<LoadBalancerDescription[]>): Promise<BlueLoadBalancer> {
  const lbName = group.LoadBalancerNames?.[0] as string;
  const [attributes, tagsByName, policies, lbs] = await Promise.all([
    ports.classicLoadBalancers.describeAttributes(lbName),
    ports.classicLoadBalancers.describeTags([lbName]),
    ports.classicLoadBalancers.describePolicies(lbName),
    lbsRead,
  ]);
  const description = lbs.find((lb) => lb.LoadBalancerName === lbName);
  return { loadBalancer: { description: { ...description, LoadBalancerName: lbName }, attributes, tags: tagsByName[lbName] ?? [], policies } };
}

/** The other hosted zones of the zone's name, each with its A and AAAA record sets of dns.name (read all at once). */
async function otherZoneRecords(config: ReplicaDnsConfig, ports: AwsPorts, zone: HostedZone): Promise<ZoneRecords[]> {
  const { hostedZoneId, name: recordName } = config.dns;
  const others = (await ports.dns.listZonesByName(zone.Name ?? '')).filter((z) => zoneIdOf(z) !== hostedZoneId);
  return Promise.all(
    others.map(async (other) => {
      const [a, aaaa] = await Promise.all(RECORD_TYPES.map((type) => ports.dns.getRecordSets(zoneIdOf(other), recordName, type)));
      return { zone: other, sets: { A: a ?? [], AAAA: aaaa ?? [] } };
    }),
  );
}

const RECORD_TYPES = ['A', 'AAAA'] as const;
const zoneIdOf = (z: HostedZone) => (z.Id ?? '').replace(/^\/hostedzone\//, '');

interface ZoneRecords {
  zone: HostedZone;
  sets: Record<(typeof RECORD_TYPES)[number], ResourceRecordSet[]>;
}

/**
 * The other hosted zones of the zone's name (split-horizon: a private zone answers inside its VPCs, the
 * public one elsewhere). One whose record of dns.name also aliases blue's load balancer must be named in
 * dns.alsoHostedZoneIds, and then moves too; bluegreen never guesses which zones are the user's to move.
 * InputError (nothing changed) for one not named, and for a named one that is not such a zone. Pure: from
 * `others`, the zones of the name and their records as read.
 */
function sameNameZones(config: ReplicaDnsConfig, zone: HostedZone, others: ZoneRecords[], blue: LoadBalancerDescription): OtherZone[] {
  const { hostedZoneId, name: recordName, alsoHostedZoneIds: named = [] } = config.dns;
  if (named.includes(hostedZoneId)) {
    throw new InputError(`dns.alsoHostedZoneIds names ${hostedZoneId}, which is dns.hostedZoneId itself; list only the other zones of ${zone.Name}`);
  }
  const unknown = named.filter((id) => !others.some((z) => zoneIdOf(z.zone) === id));
  if (unknown.length > 0) {
    throw new InputError(
      `dns.alsoHostedZoneIds names ${unknown.join(', ')}: not ${unknown.length === 1 ? 'a hosted zone' : 'hosted zones'} named ${zone.Name} besides ${hostedZoneId}`,
    );
  }
  const found: OtherZone[] = [];
  for (const { zone: other, sets: setsOf } of others) {
    const id = zoneIdOf(other);
    const kind = other.Config?.PrivateZone ? 'private' : 'public';
    const types: string[] = [];
    for (const type of RECORD_TYPES) {
      const sets = setsOf[type];
      if (!sets.some((r) => normaliseDnsName(r.AliasTarget?.DNSName) === normaliseDnsName(blue.DNSName))) continue;
      if (sets.length !== 1 || sets[0]?.SetIdentifier) {
        throw new InputError(
          `record ${recordName} (type ${type}) in hosted zone ${id} (${kind}) is weighted or not one simple alias record; make it one alias record pointing at the live load balancer`,
        );
      }
      types.push(type);
    }
    if (types.length === 0 || !types.includes('A')) {
      if (named.includes(id)) {
        throw new InputError(
          `dns.alsoHostedZoneIds names ${id} (${kind}), whose record ${recordName} (type A) is not an alias to blue's load balancer ${blue.LoadBalancerName}: nothing there to move`,
        );
      }
      if (types.length === 0) continue;
    }
    if (!named.includes(id)) {
      throw new InputError(
        `hosted zone ${id} (${kind}, ${other.Name}) also has record ${recordName} aliasing blue's load balancer ${blue.LoadBalancerName}: clients that resolve it there would stay on blue. Name it in dns.alsoHostedZoneIds to move it with the record, or point it elsewhere first`,
      );
    }
    found.push({ zoneId: id, private: other.Config?.PrivateZone ?? false, types });
  }
  return found;
}

/**
 * The AAAA record of dns.name beside the A record: IPv6 clients resolve it, so when it aliases blue's load
 * balancer it must move with the A record, or they stay on blue. Weighted AAAA sets are refused as the A
 * record's are (which set is live is unclear).
 */
function aaaaRecord(config: ReplicaDnsConfig, sets: ResourceRecordSet[], blue: LoadBalancerDescription): Observed['aaaa'] {
  const { hostedZoneId, name: recordName } = config.dns;
  const weighted = sets.filter((r) => r.SetIdentifier);
  if (weighted.length > 0) {
    throw new InputError(
      `record ${recordName} (type AAAA) in hosted zone ${hostedZoneId} is weighted (set identifiers ${weighted.map((r) => r.SetIdentifier).join(', ')}): replica-dns starts from simple alias records. If a bluegreen deployment left it so, finish it with resume or undo it with rollback; else make it one alias AAAA record pointing at the live load balancer`,
    );
  }
  const record = sets[0];
  if (!record) return undefined;
  const moves = !!record.AliasTarget?.DNSName && normaliseDnsName(record.AliasTarget.DNSName) === normaliseDnsName(blue.DNSName);
  return { record, moves };
}

/** The one simple alias A record of dns.name; InputError when it is weighted, missing or not an alias. */
async function aliasRecord(config: ReplicaDnsConfig, ports: AwsPorts): Promise<Observed['record']> {
  const { hostedZoneId, name: recordName } = config.dns;
  const sets = await ports.dns.getRecordSets(hostedZoneId, recordName, 'A');
  const weighted = sets.filter((r) => r.SetIdentifier);
  if (weighted.length > 0) {
    // Left by a deployment in traffic steps that did not finish, or made by hand: which set is live is unclear.
    throw new InputError(
      `record ${recordName} (type A) in hosted zone ${hostedZoneId} is weighted (set identifiers ${weighted.map((r) => r.SetIdentifier).join(', ')}): replica-dns starts from one simple alias record. If a bluegreen deployment left it so, finish it with resume or undo it with rollback; else make it one alias A record pointing at the live load balancer`,
    );
  }
  const record = sets.find((r) => !r.SetIdentifier);
  if (!record) {
    throw new InputError(
      `record ${recordName} (type A) does not exist in hosted zone ${hostedZoneId}; create an alias A record pointing at the load balancer of ${config.blue.autoScalingGroup}`,
    );
  }
  if (!record.AliasTarget?.DNSName) {
    throw new InputError(
      `record ${recordName} in hosted zone ${hostedZoneId} is not an alias record; replica-dns switches an alias A record to a classic load balancer`,
    );
  }
  return { ...record, AliasTarget: record.AliasTarget };
}
