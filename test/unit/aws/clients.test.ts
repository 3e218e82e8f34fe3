import { describe, expect, it } from 'vitest';
import { AwsClients, DEFAULT_MAX_ATTEMPTS } from '../../../src/aws/sdk/clients.js';
import { SdkGroups } from '../../../src/aws/sdk/groups.js';
import { SdkAlarms } from '../../../src/aws/sdk/cloudwatch.js';

/** Answers every command with `output` from inside the client's stack, after the onCall middleware ran. */
function shortCircuit(client: { middlewareStack: { add: (...args: never[]) => void } }, output: (commandInput: Record<string, unknown>) => object) {
  const add = client.middlewareStack.add as unknown as (
    mw: (next: unknown) => (args: { input: Record<string, unknown> }) => Promise<unknown>,
    options: object,
  ) => void;
  add(() => async (args) => ({ output: { $metadata: {}, ...output(args.input) }, response: {} }), {
    step: 'initialize',
    name: 'testShortCircuit',
    priority: 'low',
  });
}

describe('AwsClients', () => {
  it('tells onCall the service and operation of every command sent', async () => {
    const calls: string[] = [];
    const clients = new AwsClients({ region: 'us-east-1', onCall: (service, operation) => calls.push(`${service} ${operation}`) });
    shortCircuit((await clients.autoScaling()).client, () => ({ AutoScalingGroups: [] }));
    shortCircuit((await clients.cloudWatch()).client, () => ({ MetricAlarms: [] }));

    await new SdkGroups(clients).describeGroups(Array.from({ length: 250 }, (_, i) => `g${i}`));
    await new SdkAlarms(clients).describeAlarms(['a']);

    expect(calls).toEqual([
      'autoscaling DescribeAutoScalingGroups',
      'autoscaling DescribeAutoScalingGroups',
      'autoscaling DescribeAutoScalingGroups',
      'cloudwatch DescribeAlarms',
    ]);
  });

  it('builds one client per service, on first use', async () => {
    const clients = new AwsClients({ region: 'eu-west-1' });
    const first = await clients.ec2();
    expect(await clients.ec2()).toBe(first);
    expect(await first.client.config.region()).toBe('eu-west-1');
  });

  it('resolves the credentials once for all its clients (the default chain is not run per service)', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDSHARED';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    try {
      const clients = new AwsClients({ region: 'us-east-1' });
      const first = (await clients.autoScaling()).client;
      const second = (await clients.cloudWatch()).client;
      const a = await first.config.credentials();
      const b = await second.config.credentials();
      expect(a.accessKeyId).toBe('AKIDSHARED');
      // The one memoised identity: a second resolution of the chain would give a new object.
      expect(b).toBe(a);
      // Another AwsClients resolves its own.
      const other = await (await new AwsClients({ region: 'us-east-1' }).autoScaling()).client.config.credentials();
      expect(other).not.toBe(a);
    } finally {
      for (const [k, v] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('configures the SDK retry strategy: adaptive, several attempts', async () => {
    const { client } = await new AwsClients({ region: 'us-east-1' }).route53();
    const strategy = (await client.config.retryStrategy()) as { mode?: string };
    expect(strategy.mode).toBe('adaptive');
    expect(await client.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(DEFAULT_MAX_ATTEMPTS).toBeGreaterThanOrEqual(5);
  });

  it('sets no endpoint of its own, leaving AWS_ENDPOINT_URL to the SDK', async () => {
    const { client } = await new AwsClients({ region: 'us-east-1' }).classicElb();
    expect(client.config.endpoint).toBeUndefined();
  });

  it('leaves the region to the SDK when none is given', async () => {
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = 'ap-southeast-2';
    try {
      const { client } = await new AwsClients().cloudWatch();
      expect(await client.config.region()).toBe('ap-southeast-2');
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });
});
