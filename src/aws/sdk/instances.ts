/** InstancesPort on EC2 (SDK v3). */
import type { Instance, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { AwsCallError } from '../../errors.js';
import type { InstancesPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { allPages, awsCall, chunk, nameResources, type AwsErrorInfo } from './call.js';

/** Instance ids per DescribeInstances / TerminateInstances call (AWS takes 1000 ids or filter values). */
export const INSTANCE_IDS_PER_CALL = 1000;

/** Every id of the call was missing or malformed: EC2 fails the whole call, naming the ids in the message. */
export const INSTANCE_MISSING = ['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed'] as const;

/** States listByTag keeps: everything but shutting-down and terminated. */
export const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'] as const;

const instances = (ids: readonly string[]) => nameResources('instance', 'instances', ids);

export class SdkInstances implements InstancesPort {
  constructor(private readonly clients: AwsClients) {}

  async run(input: RunInstancesCommandInput): Promise<Instance[]> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    // All or nothing: AWS starts MinCount or more, so MinCount = MaxCount gives exactly `count` or an error.
    const count = input.MaxCount ?? input.MinCount ?? 1;
    const resource = `${count} instance${count === 1 ? '' : 's'} of image ${input.ImageId ?? '(from the launch template)'}${
      input.ClientToken ? ` (client token ${input.ClientToken})` : ''
    }`;
    const out = await awsCall('RunInstances', resource, () =>
      client.send(new ec2.RunInstancesCommand({ ...input, MinCount: count, MaxCount: count })),
    );
    if (!out.Instances?.length) throw new AwsCallError('RunInstances', resource, 'NoInstances', 'the response carries no instances');
    return out.Instances;
  }

  async describe(instanceIds: string[]): Promise<Instance[]> {
    const unique = [...new Set(instanceIds)];
    if (unique.length === 0) return [];
    const { client, sdk: ec2 } = await this.clients.ec2();
    const out: Instance[] = [];
    for (const batch of chunk(unique, INSTANCE_IDS_PER_CALL)) {
      // With InstanceIds, MaxResults is refused; AWS pages by itself when it must.
      const { found } = await withoutMissing(batch, (ids, missing) =>
        awsCall(
          'DescribeInstances',
          instances(ids),
          () =>
            allPages(ec2.paginateDescribeInstances({ client }, { InstanceIds: ids }), (page) => page.Reservations?.flatMap((r) => r.Instances ?? [])),
          { missing },
        ),
      );
      out.push(...found);
    }
    return out;
  }

  async listByTag(key: string, value: string): Promise<Instance[]> {
    const { client, sdk: ec2 } = await this.clients.ec2();
    return awsCall('DescribeInstances', `instances tagged ${key}=${value}`, () =>
      allPages(
        ec2.paginateDescribeInstances(
          { client, pageSize: INSTANCE_IDS_PER_CALL },
          {
            Filters: [
              { Name: `tag:${key}`, Values: [value] },
              { Name: 'instance-state-name', Values: [...LIVE_STATES] },
            ],
          },
        ),
        (page) => page.Reservations?.flatMap((r) => r.Instances ?? []),
      ),
    );
  }

  async terminate(instanceIds: string[]): Promise<string[]> {
    const unique = [...new Set(instanceIds)];
    if (unique.length === 0) return [];
    const { client, sdk: ec2 } = await this.clients.ec2();
    const notFound: string[] = [];
    for (const batch of chunk(unique, INSTANCE_IDS_PER_CALL)) {
      const { missing } = await withoutMissing(batch, (ids, isMissing) =>
        awsCall(
          'TerminateInstances',
          instances(ids),
          async () => {
            await client.send(new ec2.TerminateInstancesCommand({ InstanceIds: ids }));
            return [];
          },
          { missing: isMissing },
        ),
      );
      notFound.push(...missing);
    }
    return notFound;
  }
}

/**
 * EC2 fails a whole call when one id does not exist (InvalidInstanceID.NotFound, "The instance IDs
 * 'i-1, i-2' do not exist"). `call` then resolves to undefined (its `missing` test said so); the ids the
 * message names are left out and the call is made again with the rest. When the message names none of
 * the ids, they are asked one at a time. Returns what the calls found and the ids EC2 said it does not know:
 * gone, or (right after they were made) not visible yet ("Eventual consistency in the Amazon EC2 API").
 */
async function withoutMissing<T>(
  ids: string[],
  call: (ids: string[], missing: (info: AwsErrorInfo) => boolean) => Promise<T[] | undefined>,
): Promise<{ found: T[]; missing: string[] }> {
  let left = ids;
  const notFound: string[] = [];
  while (left.length > 0) {
    let message = '';
    const found = await call(left, (info) => {
      message = info.message;
      return isInstanceMissing(info);
    });
    if (found) return { found, missing: notFound };
    const missing = new Set(missingIds(message, left));
    if (missing.size === 0) {
      if (left.length === 1) return { found: [], missing: [...notFound, ...left] };
      const out: T[] = [];
      for (const id of left) {
        const one = await call([id], isInstanceMissing);
        if (one) out.push(...one);
        else notFound.push(id);
      }
      return { found: out, missing: notFound };
    }
    notFound.push(...left.filter((id) => missing.has(id)));
    left = left.filter((id) => !missing.has(id));
  }
  return { found: [], missing: notFound };
}

/** The ids among `ids` that an InvalidInstanceID error message names. */
export function missingIds(message: string, ids: readonly string[]): string[] {
  const named = new Set(message.match(/[\w-]+/g) ?? []);
  return ids.filter((id) => named.has(id));
}

/** Is this an "instance does not exist" answer? */
export const isInstanceMissing = (info: AwsErrorInfo) => info.codes.some((c) => (INSTANCE_MISSING as readonly string[]).includes(c));
