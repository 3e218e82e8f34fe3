import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type DescribeAlarmsCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkAlarms } from '../../../src/aws/sdk/cloudwatch.js';
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
    await expect(alarms.putAlarm({ AlarmName: 'shop-green-5xx', EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold' })).rejects.toMatchObject({
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
