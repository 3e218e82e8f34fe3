/** DnsPort on Route 53 (SDK v3). */
import type { Change, HostedZone, ListHostedZonesByNameCommandOutput, ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import { AwsCallError, VerificationError } from '../../errors.js';
import type { DnsPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { awsCall, type AwsErrorInfo } from './call.js';

export const HOSTED_ZONE_MISSING = ['NoSuchHostedZone'] as const;

/** Records asked per ListResourceRecordSets page; the wanted ones come first when they exist. */
export const RECORDS_PER_PAGE = 10;

/** Zones asked per ListHostedZonesByName page. */
export const ZONES_PER_PAGE = 100;

/** Poll delays (seconds) of the INSYNC waiter; the SDK's defaults (30 s to 120 s) are too slow for a deploy. */
export interface WaitDelays {
  minDelay: number;
  maxDelay: number;
}
export const DEFAULT_WAIT_DELAYS: WaitDelays = { minDelay: 2, maxDelay: 15 };

const zone = (id: string) => `hosted zone ${id}`;

export class SdkDns implements DnsPort {
  /**
   * The changes whose ChangeResourceRecordSets answer was already INSYNC (moto answers so; AWS answers
   * PENDING). A change that is INSYNC stays so (GetChange: "INSYNC indicates that the changes have
   * propagated to all Route 53 DNS servers"), so waitInSync needs no GetChange for them.
   */
  private readonly inSync = new Set<string>();

  constructor(
    private readonly clients: AwsClients,
    private readonly delays: WaitDelays = DEFAULT_WAIT_DELAYS,
  ) {}

  async getHostedZone(id: string): Promise<HostedZone | undefined> {
    const { client, sdk: r53 } = await this.clients.route53();
    const out = await awsCall('GetHostedZone', zone(id), () => client.send(new r53.GetHostedZoneCommand({ Id: id })), {
      missing: HOSTED_ZONE_MISSING,
    });
    return out?.HostedZone;
  }

  async listZonesByName(name: string): Promise<HostedZone[]> {
    const { client, sdk: r53 } = await this.clients.route53();
    const wanted = normalizeRecordName(name);
    const zones: HostedZone[] = [];
    // ListHostedZonesByName lists from this name on, sorted by name: the zones of that name come first.
    let next: { DNSName: string; HostedZoneId?: string } | undefined = { DNSName: wanted };
    while (next) {
      const page: { DNSName: string; HostedZoneId?: string } = next;
      const out: ListHostedZonesByNameCommandOutput = await awsCall('ListHostedZonesByName', `hosted zones named ${wanted}`, () =>
        client.send(new r53.ListHostedZonesByNameCommand({ ...page, MaxItems: ZONES_PER_PAGE })),
      );
      const listed = out.HostedZones ?? [];
      const same = listed.filter((z) => normalizeRecordName(z.Name ?? '') === wanted);
      zones.push(...same);
      const more: boolean =
        !!out.IsTruncated && same.length === listed.length && !!out.NextDNSName && normalizeRecordName(out.NextDNSName) === wanted;
      next = more ? { DNSName: wanted, ...(out.NextHostedZoneId ? { HostedZoneId: out.NextHostedZoneId } : {}) } : undefined;
    }
    return zones;
  }

  async getRecord(zoneId: string, name: string, type: string): Promise<ResourceRecordSet | undefined> {
    // Weighted or latency records of that name and type (with a SetIdentifier) may come first; page past them.
    let found: ResourceRecordSet | undefined;
    await this.listSets(zoneId, name, type, (record) => {
      if (record.SetIdentifier) return true;
      found = record;
      return false;
    });
    return found;
  }

  async getRecordSets(zoneId: string, name: string, type: string): Promise<ResourceRecordSet[]> {
    const sets: ResourceRecordSet[] = [];
    await this.listSets(zoneId, name, type, (record) => {
      sets.push(record);
      return true;
    });
    return sets;
  }

  /**
   * Lists the record sets of that name and type, in Route 53's order, giving each to `take` until it
   * answers false or the next set has another name or type (ListResourceRecordSets sorts from the start
   * name and type: the wanted ones first, then the rest of the zone), paging as needed.
   */
  private async listSets(zoneId: string, name: string, type: string, take: (record: ResourceRecordSet) => boolean): Promise<void> {
    const { client, sdk: r53 } = await this.clients.route53();
    const wantedName = normalizeRecordName(name);
    const wantedType = type.toUpperCase();
    // Start from the normalised name: moto compares the start name case-sensitively.
    let start: { name: string; type: string; identifier?: string } = { name: wantedName, type: wantedType };
    for (;;) {
      const out = await awsCall(`ListResourceRecordSets`, `${wantedType} record ${name} in ${zone(zoneId)}`, () =>
        client.send(
          new r53.ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            StartRecordName: start.name,
            StartRecordType: start.type as RRType,
            ...(start.identifier ? { StartRecordIdentifier: start.identifier } : {}),
            MaxItems: RECORDS_PER_PAGE,
          }),
        ),
      );
      for (const record of out.ResourceRecordSets ?? []) {
        const same = normalizeRecordName(record.Name ?? '') === wantedName && record.Type?.toUpperCase() === wantedType;
        if (!same || !take(record)) return;
      }
      if (!out.IsTruncated || !out.NextRecordName) return;
      // The next page starts at another name or type: nothing more of the wanted ones.
      if (normalizeRecordName(out.NextRecordName) !== wantedName || (out.NextRecordType ?? wantedType).toUpperCase() !== wantedType) return;
      start = {
        name: out.NextRecordName,
        type: out.NextRecordType ?? wantedType,
        ...(out.NextRecordIdentifier ? { identifier: out.NextRecordIdentifier } : {}),
      };
    }
  }

  async change(zoneId: string, changes: Change[], comment: string): Promise<string> {
    const { client, sdk: r53 } = await this.clients.route53();
    const resource = `records ${changes.map((c) => c.ResourceRecordSet?.Name).join(', ')} in ${zone(zoneId)}`;
    const out = await awsCall('ChangeResourceRecordSets', resource, () =>
      client.send(
        new r53.ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Comment: comment, Changes: changes },
        }),
      ),
    );
    const id = out.ChangeInfo?.Id;
    if (!id) throw new AwsCallError('ChangeResourceRecordSets', resource, 'NoChangeId', 'the response carries no change id');
    if (out.ChangeInfo?.Status === 'INSYNC') this.inSync.add(id);
    return id;
  }

  async waitInSync(changeId: string, timeoutSeconds: number): Promise<void> {
    if (this.inSync.has(changeId)) return;
    const { client, sdk: r53 } = await this.clients.route53();
    const maxWaitTime = Math.max(timeoutSeconds, 0.001);
    const minDelay = Math.min(this.delays.minDelay, maxWaitTime / 2);
    const maxDelay = Math.max(this.delays.maxDelay, minDelay);
    await awsCall(
      'GetChange',
      `Route 53 change ${changeId}`,
      () => r53.waitUntilResourceRecordSetsChanged({ client, maxWaitTime, minDelay, maxDelay }, { Id: changeId }),
      {
        refine: (info, error) => (info.codes.includes('TimeoutError') ? notInSync(changeId, timeoutSeconds, info, error) : undefined),
      },
    );
  }
}

function notInSync(changeId: string, timeoutSeconds: number, info: AwsErrorInfo, error: unknown): VerificationError {
  let seen = '';
  try {
    const observed = (JSON.parse(info.message) as { observedResponses?: Record<string, number> }).observedResponses;
    const answers = Object.keys(observed ?? {});
    if (answers.length > 0) seen = ` (GetChange answered: ${answers.slice(0, 3).join('; ')})`;
  } catch {
    // not the waiter's JSON: nothing to add
  }
  return new VerificationError(`Route 53 change ${changeId} was not INSYNC after ${timeoutSeconds} s${seen}`, { cause: error });
}

/**
 * Route 53 compares names case-insensitively, with or without the final dot, and answers with special
 * characters escaped as three octal digits (`\052` for `*`). This gives one form for comparing.
 */
export function normalizeRecordName(name: string): string {
  const unescaped = name.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  const lower = unescaped.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}
