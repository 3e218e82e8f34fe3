/** AlarmsPort on CloudWatch (SDK v3). */
import type { Datapoint, MetricAlarm, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { AlarmsPort, MetricSumInput } from '../ports.js';
import type { AwsClients } from './clients.js';
import { allPages, awsCall, chunk, nameResources } from './call.js';

/** DescribeAlarms and DeleteAlarms take at most 100 names a call. */
export const ALARM_NAMES_PER_CALL = 100;

/** GetMetricStatistics answers at most 1,440 datapoints a call; a longer range is asked in windows. */
export const DATAPOINTS_PER_CALL = 1440;

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
        allPages(cw.paginateDescribeAlarms({ client, pageSize: ALARM_NAMES_PER_CALL }, { AlarmNames: batch }), (page) => page.MetricAlarms),
      );
      out.push(...found);
    }
    return out;
  }

  async describeAlarmsForAction(actionPrefix: string): Promise<MetricAlarm[]> {
    const { client, sdk: cw } = await this.clients.cloudWatch();
    return awsCall('DescribeAlarms', `alarms with an action starting ${actionPrefix}`, () =>
      allPages(cw.paginateDescribeAlarms({ client, pageSize: ALARM_NAMES_PER_CALL }, { ActionPrefix: actionPrefix }), (page) => page.MetricAlarms),
    );
  }

  async putAlarm(input: PutMetricAlarmCommandInput): Promise<void> {
    const { client, sdk: cw } = await this.clients.cloudWatch();
    await awsCall('PutMetricAlarm', `alarm ${input.AlarmName ?? '?'}`, () => client.send(new cw.PutMetricAlarmCommand(input)));
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

  async states(names: string[]): Promise<Record<string, { state: string; reason: string }>> {
    const out: Record<string, { state: string; reason: string }> = {};
    for (const alarm of await this.describeAlarms(names)) {
      if (alarm.AlarmName) out[alarm.AlarmName] = { state: alarm.StateValue ?? 'INSUFFICIENT_DATA', reason: alarm.StateReason ?? '' };
    }
    return out;
  }

  async metricSum(input: MetricSumInput): Promise<number[]> {
    const { client, sdk: cw } = await this.clients.cloudWatch();
    const resource = `metric ${input.namespace} ${input.metricName}${dimensionList(input.dimensions)}`;
    const points: Datapoint[] = [];
    for (const window of timeWindows(input.startTime, input.endTime, input.periodSeconds)) {
      const out = await awsCall('GetMetricStatistics', resource, () =>
        client.send(
          new cw.GetMetricStatisticsCommand({
            Namespace: input.namespace,
            MetricName: input.metricName,
            Dimensions: input.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
            StartTime: window.start,
            EndTime: window.end,
            Period: input.periodSeconds,
            Statistics: ['Sum'],
          }),
        ),
      );
      points.push(...(out.Datapoints ?? []));
    }
    return points
      .filter((p) => p.Timestamp !== undefined && p.Sum !== undefined)
      .sort((a, b) => (a.Timestamp as Date).getTime() - (b.Timestamp as Date).getTime())
      .map((p) => p.Sum as number);
  }
}

/** " (LoadBalancer=app/shop/1)" for messages. */
function dimensionList(dimensions: MetricSumInput['dimensions']): string {
  return dimensions.length === 0 ? '' : ` (${dimensions.map((d) => `${d.name}=${d.value}`).join(', ')})`;
}

/** [start, end) cut into windows of at most DATAPOINTS_PER_CALL periods; none when end is not after start. */
export function timeWindows(start: Date, end: Date, periodSeconds: number): { start: Date; end: Date }[] {
  const step = Math.max(1, periodSeconds) * 1000 * DATAPOINTS_PER_CALL;
  const out: { start: Date; end: Date }[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += step) {
    out.push({ start: new Date(t), end: new Date(Math.min(t + step, end.getTime())) });
  }
  return out;
}
