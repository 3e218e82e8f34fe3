import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { VerificationError } from '../../../src/errors.js';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { normalizeRecordName, SdkDns } from '../../../src/aws/sdk/route53.js';

const r53 = mockClient(Route53Client);
let dns: SdkDns;

beforeEach(() => {
  r53.reset();
  dns = new SdkDns(new AwsClients({ region: 'us-east-1' }), { minDelay: 0.01, maxDelay: 0.02 });
});

const alias = {
  Name: 'shop.example.com.',
  Type: 'A' as const,
  AliasTarget: {
    HostedZoneId: 'Z35SXDOTRQ7X7K',
    DNSName: 'dualstack.shop-blue-1.us-east-1.elb.amazonaws.com.',
    EvaluateTargetHealth: true,
  },
};

describe('getHostedZone', () => {
  it('gives the zone, or undefined when there is none', async () => {
    r53.on(GetHostedZoneCommand).resolves({ HostedZone: { Id: '/hostedzone/Z1', Name: 'example.com.', CallerReference: 'x' } });
    expect((await dns.getHostedZone('Z1'))?.Name).toBe('example.com.');
    r53.on(GetHostedZoneCommand).rejects(new NoSuchHostedZone({ message: 'No hosted zone found with ID: Z9', $metadata: {} }));
    expect(await dns.getHostedZone('Z9')).toBeUndefined();
  });
});

describe('listZonesByName', () => {
  it('gives the public and private zones of exactly that name, paging while the next page is of that name', async () => {
    const zone = (id: string, name: string, privateZone = false) => ({
      Id: `/hostedzone/${id}`,
      Name: name,
      CallerReference: id,
      Config: { PrivateZone: privateZone },
    });
    r53
      .on(ListHostedZonesByNameCommand, { DNSName: 'example.com.', MaxItems: 100 })
      .resolves({
        HostedZones: [zone('Z1', 'example.com.')],
        IsTruncated: true,
        NextDNSName: 'example.com.',
        NextHostedZoneId: 'Z2',
        MaxItems: 100,
      })
      .on(ListHostedZonesByNameCommand, { DNSName: 'example.com.', HostedZoneId: 'Z2', MaxItems: 100 })
      .resolves({
        HostedZones: [zone('Z2', 'example.com.', true), zone('Z3', 'example.net.')],
        IsTruncated: true,
        NextDNSName: 'example.org.',
        MaxItems: 100,
      });
    expect((await dns.listZonesByName('Example.com')).map((z) => [z.Id, z.Config?.PrivateZone])).toEqual([
      ['/hostedzone/Z1', false],
      ['/hostedzone/Z2', true],
    ]);
    expect(r53.commandCalls(ListHostedZonesByNameCommand)).toHaveLength(2);
  });
});

describe('getRecord', () => {
  it('starts the listing at the name and type, and returns the alias record as it is (dualstack target)', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [alias], IsTruncated: false, MaxItems: 10 });
    expect(await dns.getRecord('Z1', 'Shop.Example.com', 'a')).toEqual(alias);
    expect(r53.commandCalls(ListResourceRecordSetsCommand)[0]!.args[0].input).toEqual({
      HostedZoneId: 'Z1',
      StartRecordName: 'shop.example.com.',
      StartRecordType: 'A',
      MaxItems: 10,
    });
  });

  it('matches whatever the trailing dot and case', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolves({ ResourceRecordSets: [{ ...alias, Name: 'SHOP.example.COM' }], IsTruncated: false, MaxItems: 10 });
    expect(await dns.getRecord('Z1', 'shop.example.com.', 'A')).toBeDefined();
  });

  it("matches Route 53's octal escapes (\\052 for *)", async () => {
    const wildcard = { Name: '\\052.shop.example.com.', Type: 'CNAME' as const, TTL: 60, ResourceRecords: [{ Value: 'x' }] };
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [wildcard], IsTruncated: false, MaxItems: 10 });
    expect(await dns.getRecord('Z1', '*.shop.example.com', 'CNAME')).toEqual(wildcard);
  });

  it('does not take the next record in the zone for the wanted one', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { ...alias, Name: 'shop2.example.com.' },
        { ...alias, Type: 'AAAA' },
      ],
      IsTruncated: false,
      MaxItems: 10,
    });
    expect(await dns.getRecord('Z1', 'shop.example.com', 'A')).toBeUndefined();
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ ...alias, Type: 'AAAA' }], IsTruncated: false, MaxItems: 10 });
    expect(await dns.getRecord('Z1', 'shop.example.com', 'A')).toBeUndefined();
  });

  it('skips records with a set identifier, paging on when needed', async () => {
    const weighted = (id: string) => ({ ...alias, SetIdentifier: id, Weight: 1 });
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [weighted('blue'), weighted('green')],
        IsTruncated: true,
        NextRecordName: 'shop.example.com.',
        NextRecordType: 'A',
        NextRecordIdentifier: 'red',
        MaxItems: 2,
      })
      .resolvesOnce({ ResourceRecordSets: [weighted('red')], IsTruncated: false, MaxItems: 2 });
    expect(await dns.getRecord('Z1', 'shop.example.com', 'A')).toBeUndefined();
    const second = r53.commandCalls(ListResourceRecordSetsCommand)[1]!.args[0].input;
    expect(second).toMatchObject({ StartRecordName: 'shop.example.com.', StartRecordType: 'A', StartRecordIdentifier: 'red' });
  });

  it('names the record and zone when listing fails', async () => {
    r53.on(ListResourceRecordSetsCommand).rejects(new NoSuchHostedZone({ message: 'No hosted zone found with ID: Z9', $metadata: {} }));
    await expect(dns.getRecord('Z9', 'shop.example.com', 'A')).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'ListResourceRecordSets',
      resource: 'A record shop.example.com in hosted zone Z9',
      code: 'NoSuchHostedZone',
    });
  });

  it('normalises names', () => {
    expect(normalizeRecordName('\\052.Example.COM')).toBe('*.example.com.');
    expect(normalizeRecordName('a.example.com.')).toBe('a.example.com.');
  });
});

describe('getRecordSets', () => {
  const weighted = (id: string, weight: number) => ({ ...alias, SetIdentifier: id, Weight: weight });

  it('gives every set of the name and type, weighted ones included, and stops at the next name or type', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        weighted('blue', 90),
        { ...weighted('green', 10), Name: 'SHOP.example.com' },
        { ...alias, Type: 'AAAA' },
        { ...alias, Name: 'www.example.com.' },
      ],
      IsTruncated: true,
      NextRecordName: 'x.example.com.',
      NextRecordType: 'A',
      MaxItems: 10,
    });
    expect(await dns.getRecordSets('Z1', 'Shop.Example.com', 'a')).toEqual([
      weighted('blue', 90),
      { ...weighted('green', 10), Name: 'SHOP.example.com' },
    ]);
    expect(r53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
    expect(r53.commandCalls(ListResourceRecordSetsCommand)[0]!.args[0].input).toEqual({
      HostedZoneId: 'Z1',
      StartRecordName: 'shop.example.com.',
      StartRecordType: 'A',
      MaxItems: 10,
    });
  });

  it('gives the simple set alone, and [] when there is none', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [alias], IsTruncated: false, MaxItems: 10 });
    expect(await dns.getRecordSets('Z1', 'shop.example.com', 'A')).toEqual([alias]);
    r53
      .on(ListResourceRecordSetsCommand)
      .resolves({ ResourceRecordSets: [{ ...alias, Name: 'shop2.example.com.' }], IsTruncated: false, MaxItems: 10 });
    expect(await dns.getRecordSets('Z1', 'shop.example.com', 'A')).toEqual([]);
    r53.on(ListResourceRecordSetsCommand).resolves({ IsTruncated: false, MaxItems: 10 });
    expect(await dns.getRecordSets('Z1', 'shop.example.com', 'A')).toEqual([]);
  });

  it('pages from the next identifier while the next page is of the same name and type', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [weighted('a', 1), weighted('b', 1)],
        IsTruncated: true,
        NextRecordName: 'shop.example.com.',
        NextRecordType: 'A',
        NextRecordIdentifier: 'c',
        MaxItems: 2,
      })
      .resolvesOnce({ ResourceRecordSets: [weighted('c', 1), { ...alias, Name: 'www.example.com.' }], IsTruncated: false, MaxItems: 2 });
    expect((await dns.getRecordSets('Z1', 'shop.example.com', 'A')).map((r) => r.SetIdentifier)).toEqual(['a', 'b', 'c']);
    const calls = r53.commandCalls(ListResourceRecordSetsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input).toEqual({
      HostedZoneId: 'Z1',
      StartRecordName: 'shop.example.com.',
      StartRecordType: 'A',
      StartRecordIdentifier: 'c',
      MaxItems: 10,
    });
  });

  it('does not ask for a next page of another name', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [weighted('blue', 1)],
      IsTruncated: true,
      NextRecordName: 'shop2.example.com.',
      NextRecordType: 'A',
      MaxItems: 1,
    });
    expect(await dns.getRecordSets('Z1', 'shop.example.com', 'A')).toEqual([weighted('blue', 1)]);
    expect(r53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('names the record and zone when listing fails', async () => {
    r53.on(ListResourceRecordSetsCommand).rejects(new NoSuchHostedZone({ message: 'No hosted zone found with ID: Z9', $metadata: {} }));
    await expect(dns.getRecordSets('Z9', 'shop.example.com', 'A')).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'ListResourceRecordSets',
      resource: 'A record shop.example.com in hosted zone Z9',
      code: 'NoSuchHostedZone',
    });
  });
});

describe('change and waitInSync', () => {
  it('applies one batch and returns the change id', async () => {
    r53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
    const id = await dns.change('Z1', [{ Action: 'UPSERT', ResourceRecordSet: alias }], 'bluegreen shop: green');
    expect(id).toBe('/change/C1');
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input).toEqual({
      HostedZoneId: 'Z1',
      ChangeBatch: { Comment: 'bluegreen shop: green', Changes: [{ Action: 'UPSERT', ResourceRecordSet: alias }] },
    });
  });

  it('waits with the SDK waiter until INSYNC', async () => {
    r53
      .on(GetChangeCommand)
      .resolvesOnce({ ChangeInfo: { Id: 'C1', Status: 'PENDING', SubmittedAt: new Date() } })
      .resolves({ ChangeInfo: { Id: 'C1', Status: 'INSYNC', SubmittedAt: new Date() } });
    await expect(dns.waitInSync('/change/C1', 5)).resolves.toBeUndefined();
    expect(r53.commandCalls(GetChangeCommand)).toHaveLength(2);
  });

  it('asks GetChange nothing for a change whose answer was already INSYNC (moto), and asks for a PENDING one', async () => {
    r53
      .on(ChangeResourceRecordSetsCommand)
      .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date() } })
      .resolves({ ChangeInfo: { Id: '/change/C2', Status: 'PENDING', SubmittedAt: new Date() } });
    r53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: 'C2', Status: 'INSYNC', SubmittedAt: new Date() } });
    const synced = await dns.change('Z1', [{ Action: 'UPSERT', ResourceRecordSet: alias }], 'bluegreen shop: green');
    await dns.waitInSync(synced, 5);
    expect(r53.commandCalls(GetChangeCommand)).toHaveLength(0);
    const pending = await dns.change('Z1', [{ Action: 'UPSERT', ResourceRecordSet: alias }], 'bluegreen shop: green');
    await dns.waitInSync(pending, 5);
    expect(r53.commandCalls(GetChangeCommand)).toHaveLength(1);
    // A change id from a journal (another process) is asked about.
    await dns.waitInSync('/change/C0', 5);
    expect(r53.commandCalls(GetChangeCommand)).toHaveLength(2);
  });

  it('throws VerificationError when the change is still PENDING at the timeout', async () => {
    r53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: 'C1', Status: 'PENDING', SubmittedAt: new Date() } });
    const started = Date.now();
    const error = await dns.waitInSync('/change/C1', 0.3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toContain('Route 53 change /change/C1 was not INSYNC after 0.3 s');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r53.commandCalls(GetChangeCommand).length).toBeGreaterThan(1);
  });
});
