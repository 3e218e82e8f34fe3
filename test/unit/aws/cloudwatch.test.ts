import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
  type DescribeAlarmsCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { DATAPOINTS_PER_CALL, SdkAlarms, timeWindows } from '../../../src/aws/sdk/cloudwatch.js';
import { awsError } from './aws-error.js';

const cw = mockClient(CloudWatchClient);
let alarms: SdkAlarms;

beforeEach(() => {
  cw.reset();
  alarms = new SdkAlarms(new AwsClients({ region: 'us-east-1' }));
});

describe('describeAlarms', () => {
  it('asks for 100 names a call', async () => {
    cw.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => ({
      MetricAlarms: (input.AlarmNames ?? []).map((AlarmName) => ({ AlarmName })),
    }));
    const names = Array.from({ length: 250 }, (_, i) => `alarm-${i}`);
    expect(await alarms.describeAlarms(names)).toHaveLength(250);
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length)).toEqual([100, 100, 50]);
    expect(await alarms.describeAlarms([])).toEqual([]);
  });

  it('wraps failures naming the alarms', async () => {
    cw.on(DescribeAlarmsCommand).rejects(awsError('AccessDenied'));
    await expect(alarms.describeAlarms(['a'])).rejects.toMatchObject({ operation: 'DescribeAlarms', resource: 'alarm a' });
  });
});

describe('describeAlarmsForAction', () => {
  it('asks with ActionPrefix and follows pages', async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'a' }], NextToken: 't' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'b' }] });
    const found = await alarms.describeAlarmsForAction('arn:aws:autoscaling:us-east-1:1:scalingPolicy:p');
    expect(found.map((a) => a.AlarmName)).toEqual(['a', 'b']);
    const calls = cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({ ActionPrefix: 'arn:aws:autoscaling:us-east-1:1:scalingPolicy:p', MaxRecords: 100 });
    expect(calls[1]?.NextToken).toBe('t');
  });
});

describe('putAlarm and deleteAlarms', () => {
  it('puts an alarm; a failure names it', async () => {
    cw.on(PutMetricAlarmCommand).rejects(awsError('LimitExceeded', 'too many alarms'));
    await expect(
      alarms.putAlarm({ AlarmName: 'shop-green-5xx', EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold' }),
    ).rejects.toMatchObject({
      operation: 'PutMetricAlarm',
      resource: 'alarm shop-green-5xx',
    });
  });

  it('deletes in one call when all exist', async () => {
    cw.on(DeleteAlarmsCommand).resolves({});
    await alarms.deleteAlarms(['a', 'b']);
    expect(cw.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input.AlarmNames)).toEqual([['a', 'b']]);
  });

  it('deletes what is left when some are already gone', async () => {
    cw.on(DeleteAlarmsCommand, { AlarmNames: ['a', 'b'] }).rejects(awsError('ResourceNotFound', 'b does not exist'));
    cw.on(DeleteAlarmsCommand, { AlarmNames: ['a'] }).resolves({});
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a' }] });
    await alarms.deleteAlarms(['a', 'b']);
    expect(cw.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input.AlarmNames)).toEqual([['a', 'b'], ['a']]);
  });

  it('succeeds when all are already gone', async () => {
    cw.on(DeleteAlarmsCommand).rejects(awsError('ResourceNotFound'));
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    await expect(alarms.deleteAlarms(['a'])).resolves.toBeUndefined();
    expect(cw.commandCalls(DeleteAlarmsCommand)).toHaveLength(1);
  });
});

describe('states', () => {
  it('gives state and reason by name, 100 names a call; missing names are absent', async () => {
    cw.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => ({
      MetricAlarms: (input.AlarmNames ?? [])
        .filter((n) => n !== 'alarm-7')
        .map((AlarmName) => ({ AlarmName, StateValue: AlarmName === 'alarm-3' ? 'ALARM' : 'OK', StateReason: `why ${AlarmName}` })),
    }));
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
    const states = await alarms.states(names);
    expect(Object.keys(states)).toHaveLength(149);
    expect(states['alarm-3']).toEqual({ state: 'ALARM', reason: 'why alarm-3' });
    expect(states['alarm-4']).toEqual({ state: 'OK', reason: 'why alarm-4' });
    expect(states['alarm-7']).toBeUndefined();
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length)).toEqual([100, 50]);
  });

  it('no names: {} without a call; a failure names the alarms', async () => {
    expect(await alarms.states([])).toEqual({});
    expect(cw.calls()).toHaveLength(0);
    cw.on(DescribeAlarmsCommand).rejects(awsError('AccessDenied'));
    await expect(alarms.states(['shop-5xx', 'shop-p99'])).rejects.toMatchObject({
      operation: 'DescribeAlarms',
      resource: 'alarms shop-5xx, shop-p99',
    });
  });
});

describe('metricSum', () => {
  const start = new Date('2026-01-01T00:00:00Z');
  const input = {
    namespace: 'AWS/ApplicationELB',
    metricName: 'RequestCount',
    dimensions: [{ name: 'LoadBalancer', value: 'app/shop/50dc6c495c0c9188' }],
    periodSeconds: 60,
    startTime: start,
    endTime: new Date(start.getTime() + 10 * 60_000),
  };
  const at = (minute: number) => new Date(start.getTime() + minute * 60_000);

  it('asks for Sum and gives the datapoints oldest first (AWS answers them unordered)', async () => {
    cw.on(GetMetricStatisticsCommand).resolves({
      Datapoints: [
        { Timestamp: at(5), Sum: 2 },
        { Timestamp: at(1), Sum: 40 },
        { Timestamp: at(3), Sum: 7 },
        { Timestamp: at(4) }, // no Sum: skipped
      ],
    });
    expect(await alarms.metricSum(input)).toEqual([40, 7, 2]);
    expect(cw.commandCalls(GetMetricStatisticsCommand).map((c) => c.args[0].input)).toEqual([
      {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Dimensions: [{ Name: 'LoadBalancer', Value: 'app/shop/50dc6c495c0c9188' }],
        StartTime: input.startTime,
        EndTime: input.endTime,
        Period: 60,
        Statistics: ['Sum'],
      },
    ]);
  });

  it('no data is []; an empty range asks nothing', async () => {
    cw.on(GetMetricStatisticsCommand).resolves({ Datapoints: [] });
    expect(await alarms.metricSum(input)).toEqual([]);
    expect(await alarms.metricSum({ ...input, endTime: start })).toEqual([]);
    expect(cw.commandCalls(GetMetricStatisticsCommand)).toHaveLength(1);
  });

  it('a range longer than 1,440 periods is asked in windows', async () => {
    cw.on(GetMetricStatisticsCommand).callsFake((i: { StartTime: Date }) => ({
      Datapoints: [{ Timestamp: i.StartTime, Sum: i.StartTime.getTime() === start.getTime() ? 1 : 2 }],
    }));
    const endTime = new Date(start.getTime() + (DATAPOINTS_PER_CALL * 2 + 10) * 60_000);
    expect(await alarms.metricSum({ ...input, endTime })).toEqual([1, 2, 2]);
    const windows = cw.commandCalls(GetMetricStatisticsCommand).map((c) => [c.args[0].input.StartTime, c.args[0].input.EndTime]);
    expect(windows).toEqual([
      [start, at(1440)],
      [at(1440), at(2880)],
      [at(2880), endTime],
    ]);
  });

  it('a failure names the metric and its dimensions', async () => {
    cw.on(GetMetricStatisticsCommand).rejects(awsError('InvalidParameterCombination', 'too many datapoints'));
    await expect(alarms.metricSum(input)).rejects.toMatchObject({
      operation: 'GetMetricStatistics',
      resource: 'metric AWS/ApplicationELB RequestCount (LoadBalancer=app/shop/50dc6c495c0c9188)',
      code: 'InvalidParameterCombination',
    });
  });

  it('timeWindows: none for an empty or reversed range', () => {
    expect(timeWindows(start, start, 60)).toEqual([]);
    expect(timeWindows(at(5), start, 60)).toEqual([]);
    expect(timeWindows(start, at(5), 60)).toEqual([{ start, end: at(5) }]);
  });
});
