/** TargetGroupsPort on Elastic Load Balancing v2 (ALB/NLB target groups, SDK v3). */
import type {
  TargetGroup,
  TargetGroupAttribute,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroupsPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { awsCall, chunk, nameResources } from './call.js';

/** DescribeTargetGroups takes at most 20 ARNs a call. */
export const TARGET_GROUP_ARNS_PER_CALL = 20;

/** The wire code and the SDK's exception name. */
export const TARGET_GROUP_MISSING = ['TargetGroupNotFound', 'TargetGroupNotFoundException'] as const;

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
    const found: TargetGroup[] = [];
    for (const batch of chunk(unique, TARGET_GROUP_ARNS_PER_CALL)) {
      const page = await describe(batch);
      if (page) found.push(...page);
      else if (batch.length > 1) for (const arn of batch) found.push(...((await describe([arn])) ?? []));
    }
    return found;
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
    const out = await awsCall('DescribeTargetHealth', tg(arn), () =>
      client.send(new elbv2.DescribeTargetHealthCommand({ TargetGroupArn: arn })),
    );
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
        () =>
          client.send(new elbv2.DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: ids.map((Id) => ({ Id })) })),
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

/** "app-tg/0123456789abcdef" from a target group ARN (its name and id), for messages. */
export function shortName(arn: string): string {
  const match = /:targetgroup\/(.+)$/.exec(arn);
  return match?.[1] ?? arn;
}
