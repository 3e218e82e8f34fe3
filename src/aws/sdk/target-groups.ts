/** TargetGroupsPort on Elastic Load Balancing v2 (ALB/NLB target groups, SDK v3). */
import type {
  CreateTargetGroupCommandInput,
  Tag,
  TargetGroup,
  TargetGroupAttribute,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsCallError } from '../../errors.js';
import type { TargetGroupsPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { awsCall, chunk, nameResources } from './call.js';

/** DescribeTargetGroups takes at most 20 ARNs a call. */
export const TARGET_GROUP_ARNS_PER_CALL = 20;

/** DescribeTags (v2) takes at most 20 resource ARNs a call. */
export const TAG_ARNS_PER_CALL = 20;

/** The wire code and the SDK's exception name. */
export const TARGET_GROUP_MISSING = ['TargetGroupNotFound', 'TargetGroupNotFoundException'] as const;

/** A target group of that name exists (AWS: with other settings; moto: at all). */
export const TARGET_GROUP_DUPLICATE = ['DuplicateTargetGroupName', 'DuplicateTargetGroupNameException'] as const;

/** The settings of CreateTargetGroup that a described TargetGroup shows under the same name. */
export const TARGET_GROUP_SETTINGS = [
  'Protocol',
  'ProtocolVersion',
  'Port',
  'VpcId',
  'TargetType',
  'IpAddressType',
  'HealthCheckProtocol',
  'HealthCheckPort',
  'HealthCheckEnabled',
  'HealthCheckPath',
  'HealthCheckIntervalSeconds',
  'HealthCheckTimeoutSeconds',
  'HealthyThresholdCount',
  'UnhealthyThresholdCount',
] as const satisfies readonly (keyof CreateTargetGroupCommandInput & keyof TargetGroup)[];

/** A target that does not exist, is in another VPC, or (deregistering, on some emulators) is not registered. */
export const TARGET_INVALID = ['InvalidTarget', 'InvalidTargetException'] as const;

const isIn = (list: readonly string[]) => (code: string) => list.includes(code);
const tg = (arn: string) => `target group ${shortName(arn)}`;
const instanceList = (ids: readonly string[]) => nameResources('instance', 'instances', ids);

export class SdkTargetGroups implements TargetGroupsPort {
  constructor(private readonly clients: AwsClients) {}

  /**
   * 20 ARNs a call. AWS fails a whole call when one ARN is unknown (TargetGroupNotFound); then that
   * batch is asked one ARN at a time, so missing ones are simply absent.
   */
  async describe(arns: string[]): Promise<TargetGroup[]> {
    const unique = [...new Set(arns)];
    if (unique.length === 0) return [];
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    const describe = async (batch: string[]) => {
      const out = await awsCall(
        'DescribeTargetGroups',
        nameResources('target group', 'target groups', batch.map(shortName)),
        () => client.send(new elbv2.DescribeTargetGroupsCommand({ TargetGroupArns: batch })),
        { missing: TARGET_GROUP_MISSING },
      );
      return out?.TargetGroups;
    };
    return byBatch(unique, TARGET_GROUP_ARNS_PER_CALL, describe);
  }

  /**
   * AWS is idempotent here: creating a group whose name exists with the same settings returns the
   * existing one (different settings: DuplicateTargetGroupName). Emulators that refuse every duplicate
   * (moto) get the same answer: on DuplicateTargetGroupName the group of that name is read back and
   * returned when the settings given match it; otherwise the error says which settings differ.
   */
  async create(input: CreateTargetGroupCommandInput): Promise<TargetGroup> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    const name = input.Name ?? '?';
    const resource = `target group ${name}`;
    const out = await awsCall('CreateTargetGroup', resource, () => client.send(new elbv2.CreateTargetGroupCommand(input)), {
      missing: TARGET_GROUP_DUPLICATE,
    });
    if (out === undefined) {
      const existing = await this.findByName(name);
      const differences = existing ? targetGroupDifferences(input, existing) : ['it cannot be read back'];
      if (existing && differences.length === 0) return existing;
      throw new AwsCallError(
        'CreateTargetGroup',
        resource,
        'DuplicateTargetGroupName',
        `a target group named ${name} exists with other settings (${differences.join('; ')})`,
      );
    }
    const group = out.TargetGroups?.[0];
    if (!group?.TargetGroupArn) {
      throw new AwsCallError('CreateTargetGroup', resource, 'NoTargetGroup', 'the response carries no target group');
    }
    return group;
  }

  async findByName(name: string): Promise<TargetGroup | undefined> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    const out = await awsCall(
      'DescribeTargetGroups',
      `target group ${name}`,
      () => client.send(new elbv2.DescribeTargetGroupsCommand({ Names: [name] })),
      { missing: TARGET_GROUP_MISSING },
    );
    return out?.TargetGroups?.find((group) => group.TargetGroupName === name);
  }

  async modifyAttributes(arn: string, attributes: TargetGroupAttribute[]): Promise<void> {
    if (attributes.length === 0) return;
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    await awsCall('ModifyTargetGroupAttributes', tg(arn), () =>
      client.send(new elbv2.ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: attributes })),
    );
  }

  /** 20 ARNs a call; a batch failing on an unknown ARN is asked one ARN at a time, as in describe. */
  async tags(arns: string[]): Promise<Record<string, Tag[]>> {
    const unique = [...new Set(arns)];
    if (unique.length === 0) return {};
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    const found = await byBatch(unique, TAG_ARNS_PER_CALL, async (batch) => {
      const out = await awsCall(
        'DescribeTags',
        nameResources('target group', 'target groups', batch.map(shortName)),
        () => client.send(new elbv2.DescribeTagsCommand({ ResourceArns: batch })),
        { missing: TARGET_GROUP_MISSING },
      );
      return out?.TagDescriptions;
    });
    const tags: Record<string, Tag[]> = {};
    for (const description of found) {
      if (description.ResourceArn) tags[description.ResourceArn] = description.Tags ?? [];
    }
    return tags;
  }

  async delete(arn: string): Promise<void> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    await awsCall('DeleteTargetGroup', tg(arn), () => client.send(new elbv2.DeleteTargetGroupCommand({ TargetGroupArn: arn })), {
      missing: TARGET_GROUP_MISSING,
    });
  }

  async attributes(arn: string): Promise<TargetGroupAttribute[]> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    const out = await awsCall('DescribeTargetGroupAttributes', tg(arn), () =>
      client.send(new elbv2.DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
    );
    return out.Attributes ?? [];
  }

  async health(arn: string): Promise<TargetHealthDescription[]> {
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    // Without Targets, one call answers for every registered target.
    const out = await awsCall('DescribeTargetHealth', tg(arn), () => client.send(new elbv2.DescribeTargetHealthCommand({ TargetGroupArn: arn })));
    return out.TargetHealthDescriptions ?? [];
  }

  async register(arn: string, instanceIds: string[], port?: number): Promise<void> {
    const unique = [...new Set(instanceIds)];
    if (unique.length === 0) return;
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    await awsCall('RegisterTargets', `${instanceList(unique)} in ${tg(arn)}`, () =>
      client.send(
        new elbv2.RegisterTargetsCommand({
          TargetGroupArn: arn,
          Targets: unique.map((Id) => (port === undefined ? { Id } : { Id, Port: port })),
        }),
      ),
    );
  }

  /**
   * Succeeds for a target group that is gone and for targets not registered. An invalid target (gone,
   * or not registered on emulators that say so) fails the whole call; then each is sent alone and the
   * invalid ones are skipped.
   */
  async deregister(arn: string, instanceIds: string[]): Promise<void> {
    const unique = [...new Set(instanceIds)];
    if (unique.length === 0) return;
    const { client, sdk: elbv2 } = await this.clients.elbV2();
    let gone = false; // the target group itself
    const deregister = (ids: string[]) =>
      awsCall(
        'DeregisterTargets',
        `${instanceList(ids)} from ${tg(arn)}`,
        () => client.send(new elbv2.DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: ids.map((Id) => ({ Id })) })),
        {
          missing: (e) => {
            if (e.codes.some(isIn(TARGET_GROUP_MISSING))) gone = true;
            return gone || e.codes.some(isIn(TARGET_INVALID));
          },
        },
      );
    if ((await deregister(unique)) !== undefined || gone || unique.length === 1) return;
    for (const id of unique) {
      await deregister([id]);
      if (gone) return;
    }
  }
}

/**
 * Runs `describe` per batch. AWS fails a whole batch when one ARN is unknown (`describe` then gives
 * undefined); only then are that batch's ARNs asked one by one, so missing ones are simply absent.
 */
async function byBatch<T>(arns: string[], size: number, describe: (batch: string[]) => Promise<T[] | undefined>): Promise<T[]> {
  const found: T[] = [];
  for (const batch of chunk(arns, size)) {
    const page = await describe(batch);
    if (page) found.push(...page);
    else if (batch.length > 1) for (const arn of batch) found.push(...((await describe([arn])) ?? []));
  }
  return found;
}

/** "Port 80 != 8080"-style notes for each setting given in `input` that `group` does not have; [] when all match. */
export function targetGroupDifferences(input: CreateTargetGroupCommandInput, group: TargetGroup): string[] {
  const out: string[] = [];
  for (const key of TARGET_GROUP_SETTINGS) {
    const wanted = input[key];
    if (wanted !== undefined && wanted !== group[key]) out.push(`${key} ${String(group[key])} != ${String(wanted)}`);
  }
  for (const key of ['HttpCode', 'GrpcCode'] as const) {
    const wanted = input.Matcher?.[key];
    if (wanted !== undefined && wanted !== group.Matcher?.[key]) out.push(`Matcher.${key} ${String(group.Matcher?.[key])} != ${wanted}`);
  }
  return out;
}

/** "app-tg/0123456789abcdef" from a target group ARN (its name and id), for messages. */
export function shortName(arn: string): string {
  const match = /:targetgroup\/(.+)$/.exec(arn);
  return match?.[1] ?? arn;
}
