/** SsmPort on Systems Manager Run Command (SDK v3). */
import { AwsCallError } from '../../errors.js';
import type { SsmPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { allPages, awsCall, chunk, nameResources } from './call.js';

/** DescribeInstanceInformation: at most 50 results a page, and we ask 50 instance ids a call. */
export const SSM_INSTANCES_PER_CALL = 50;

/** SendCommand takes at most 50 instance ids (bluegreen's SSM runner sends no more). */
export const SEND_COMMAND_MAX_INSTANCES = 50;

/** SendCommand's Comment is at most 100 characters. */
export const COMMENT_MAX = 100;

/** The document that runs shell commands on Linux. */
export const SHELL_DOCUMENT = 'AWS-RunShellScript';

/** DescribeInstanceInformation when an id is not a managed instance (AWS fails the whole call). */
export const SSM_INSTANCE_INVALID = ['InvalidInstanceId', 'InvalidInstanceIdException'] as const;

/** GetCommandInvocation before AWS knows the invocation (just sent), or for an unknown command. */
export const INVOCATION_MISSING = [
  'InvocationDoesNotExist',
  'InvocationDoesNotExistException',
  'InvalidCommandId',
  'InvalidCommandIdException',
] as const;

const instanceList = (ids: readonly string[]) => nameResources('instance', 'instances', ids);

export class SdkSsm implements SsmPort {
  constructor(private readonly clients: AwsClients) {}

  async pingStatus(instanceIds: string[]): Promise<Record<string, string>> {
    const unique = [...new Set(instanceIds)];
    const status: Record<string, string> = {};
    if (unique.length === 0) return status;
    const { client, sdk: ssm } = await this.clients.ssm();
    const describe = (ids: string[]) =>
      awsCall(
        'DescribeInstanceInformation',
        `SSM status of ${instanceList(ids)}`,
        () =>
          allPages(
            ssm.paginateDescribeInstanceInformation({ client, pageSize: SSM_INSTANCES_PER_CALL }, { Filters: [{ Key: 'InstanceIds', Values: ids }] }),
            (page) => page.InstanceInformationList,
          ),
        { missing: SSM_INSTANCE_INVALID },
      );
    for (const batch of chunk(unique, SSM_INSTANCES_PER_CALL)) {
      let found = await describe(batch);
      // InvalidInstanceId for the batch: ask one by one, so the unmanaged ones are simply absent.
      if (!found && batch.length > 1) {
        found = [];
        for (const id of batch) found.push(...((await describe([id])) ?? []));
      }
      for (const info of found ?? []) {
        if (info.InstanceId && info.PingStatus) status[info.InstanceId] = info.PingStatus;
      }
    }
    return status;
  }

  async sendShellCommand(instanceIds: string[], commands: string[], comment: string, timeoutSeconds: number): Promise<string> {
    const { client, sdk: ssm } = await this.clients.ssm();
    const resource = `${SHELL_DOCUMENT} on ${instanceList(instanceIds)}`;
    const out = await awsCall('SendCommand', resource, () =>
      client.send(
        new ssm.SendCommandCommand({
          DocumentName: SHELL_DOCUMENT,
          InstanceIds: instanceIds,
          Comment: comment.length > COMMENT_MAX ? `${comment.slice(0, COMMENT_MAX - 3)}...` : comment,
          // executionTimeout: how long the script may run on the instance (the document's parameter);
          // TimeoutSeconds: how long SSM tries to deliver it (at least 30).
          Parameters: { commands, executionTimeout: [String(Math.max(1, Math.ceil(timeoutSeconds)))] },
          TimeoutSeconds: Math.max(30, Math.ceil(timeoutSeconds)),
        }),
      ),
    );
    const id = out.Command?.CommandId;
    if (!id) throw new AwsCallError('SendCommand', resource, 'NoCommandId', 'the response carries no command id');
    return id;
  }

  async invocation(commandId: string, instanceId: string): Promise<{ status: string; exitCode: number; stdout: string; stderr: string } | undefined> {
    const { client, sdk: ssm } = await this.clients.ssm();
    const out = await awsCall(
      'GetCommandInvocation',
      `command ${commandId} on instance ${instanceId}`,
      () => client.send(new ssm.GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })),
      { missing: INVOCATION_MISSING },
    );
    if (!out) return undefined;
    return {
      status: out.Status ?? 'Pending',
      exitCode: out.ResponseCode ?? -1,
      stdout: out.StandardOutputContent ?? '',
      stderr: out.StandardErrorContent ?? '',
    };
  }
}
