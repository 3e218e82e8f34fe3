/** AlarmsPort on CloudWatch (SDK v3). */
import type { MetricAlarm, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { AlarmsPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { allPages, awsCall, chunk, nameResources } from './call.js';

/** DescribeAlarms and DeleteAlarms take at most 100 names a call. */
export const ALARM_NAMES_PER_CALL = 100;

export const ALARM_MISSING = ['ResourceNotFound', 'ResourceNotFoundException'] as const;

const alarms = (names: readonly string[]) => nameResources('alarm', 'alarms', names);

export class SdkAlarms implements AlarmsPort {
  constructor(private readonly clients: AwsClients) {}

  async describeAlarms(names: string[]): Promise<MetricAlarm[]> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return [];
    const { client, sdk: cw } = await this.clients.cloudWatch();
    const out: MetricAlarm[] = [];
    for (const batch of chunk(unique, ALARM_NAMES_PER_CALL)) {
      const found = await awsCall('DescribeAlarms', alarms(batch), () =>
        allPages(
          cw.paginateDescribeAlarms({ client, pageSize: ALARM_NAMES_PER_CALL }, { AlarmNames: batch }),
          (page) => page.MetricAlarms,
        ),
      );
      out.push(...found);
    }
    return out;
  }

  async describeAlarmsForAction(actionPrefix: string): Promise<MetricAlarm[]> {
    const { client, sdk: cw } = await this.clients.cloudWatch();
    return awsCall('DescribeAlarms', `alarms with an action starting ${actionPrefix}`, () =>
      allPages(
        cw.paginateDescribeAlarms({ client, pageSize: ALARM_NAMES_PER_CALL }, { ActionPrefix: actionPrefix }),
        (page) => page.MetricAlarms,
      ),
    );
  }

  async putAlarm(input: PutMetricAlarmCommandInput): Promise<void> {
    const { client, sdk: cw } = await this.clients.cloudWatch();
    await awsCall('PutMetricAlarm', `alarm ${input.AlarmName ?? '?'}`, () =>
      client.send(new cw.PutMetricAlarmCommand(input)),
    );
  }

  /**
   * AWS refuses the whole call (ResourceNotFound, nothing deleted) when one name does not exist; then
   * the batch is described and only the alarms still there are deleted.
   */
  async deleteAlarms(names: string[]): Promise<void> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return;
    const { client, sdk: cw } = await this.clients.cloudWatch();
    const remove = (batch: string[]) =>
      awsCall('DeleteAlarms', alarms(batch), () => client.send(new cw.DeleteAlarmsCommand({ AlarmNames: batch })), {
        missing: ALARM_MISSING,
      });
    for (const batch of chunk(unique, ALARM_NAMES_PER_CALL)) {
      if ((await remove(batch)) !== undefined) continue; // undefined: a name was missing
      const left = (await this.describeAlarms(batch)).flatMap((alarm) => (alarm.AlarmName ? [alarm.AlarmName] : []));
      if (left.length > 0) await remove(left);
    }
  }
}
