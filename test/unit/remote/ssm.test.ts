import { describe, expect, it } from 'vitest';
import { SsmRunner, ssmScript } from '../../../src/remote/ssm.js';
import type { CommandOutcome, RemoteHost } from '../../../src/remote/types.js';
import { InputError, RemoteCommandError, RemoteConnectError, VerificationError } from '../../../src/errors.js';
import { FakeAws, awsError } from '../../fakes/aws.js';
import { VirtualClock } from '../../support/virtual-clock.js';

function world(options: { hosts?: number; ssmOnlineAfterSeconds?: number | null; ssmCommandSeconds?: number } = {}) {
  const clock = new VirtualClock();
  const aws = new FakeAws({
    clock,
    ssmOnlineAfterSeconds: options.ssmOnlineAfterSeconds === undefined ? 0 : options.ssmOnlineAfterSeconds,
    ssmCommandSeconds: options.ssmCommandSeconds ?? 4,
  });
  const ids = aws.addInstances(options.hosts ?? 3, { TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'shop' }] }] });
  const hosts: RemoteHost[] = ids.map((instanceId) => ({ instanceId, address: aws.instance(instanceId)?.PrivateIpAddress as string }));
  const runner = new SsmRunner(aws.ssm, clock, { pollIntervalSeconds: 2, commandTimeoutSeconds: 600 });
  return { clock, aws, hosts, ids, runner };
}

const env = { BLUEGREEN_SERVICE: 'shop', BLUEGREEN_DEPLOYMENT: 'k3x9a', BLUEGREEN_RELEASE: "it's 1.2" };

describe('ssmScript', () => {
  it('exports the environment quoted, finds the instance id on the instance, then execs the command', () => {
    expect(ssmScript('bin/migrate --to "$BLUEGREEN_RELEASE"', env)).toEqual([
      "export BLUEGREEN_SERVICE='shop'",
      "export BLUEGREEN_DEPLOYMENT='k3x9a'",
      "export BLUEGREEN_RELEASE='it'\\''s 1.2'",
      'BLUEGREEN_INSTANCE_ID="${AWS_SSM_INSTANCE_ID:-}"',
      'if [ -z "$BLUEGREEN_INSTANCE_ID" ]; then',
      '  bluegreen_imds_token=$(curl -sf -m 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token) &&',
      '    BLUEGREEN_INSTANCE_ID=$(curl -sf -m 2 -H "X-aws-ec2-metadata-token: $bluegreen_imds_token" http://169.254.169.254/latest/meta-data/instance-id)',
      'fi',
      'export BLUEGREEN_INSTANCE_ID',
      `exec /bin/sh -c 'bin/migrate --to "$BLUEGREEN_RELEASE"'`,
    ]);
  });

  it('never takes BLUEGREEN_INSTANCE_ID from the shared environment', () => {
    expect(ssmScript('true', { BLUEGREEN_INSTANCE_ID: 'i-wrong' }).join('\n')).not.toContain('i-wrong');
  });
});

describe('probe', () => {
  it('resolves at once when every agent is Online', async () => {
    const { runner, hosts, clock, aws } = world();
    const progress: string[] = [];
    await runner.probe(hosts, { connectTimeoutSeconds: 10, attempts: 3, parallel: 5, onProgress: (r, t) => progress.push(`${r}/${t}`) });
    expect(progress).toEqual(['3/3']);
    expect(clock.sleeps).toEqual([]);
    expect(aws.callsTo('ssm.pingStatus')).toHaveLength(1); // one call for all (the adapter batches by 50)
  });

  it('waits on the clock until the agents come Online', async () => {
    const { runner, hosts, clock, aws } = world({ ssmOnlineAfterSeconds: 12 });
    const progress: string[] = [];
    await runner.probe(hosts, { connectTimeoutSeconds: 10, attempts: 3, parallel: 5, onProgress: (r, t) => progress.push(`${r}/${t}`) });
    expect(progress).toEqual(['0/3', '0/3', '0/3', '3/3']);
    expect(clock.sleeps).toEqual([5000, 5000, 5000]);
    expect(aws.callsTo('ssm.pingStatus')).toHaveLength(4);
  });

  it('fails after attempts x timeout with RemoteConnectError naming the instance and its status', async () => {
    const { runner, hosts, clock, aws } = world();
    aws.setPingStatus(hosts[1]!.instanceId, 'ConnectionLost');
    aws.setPingStatus(hosts[2]!.instanceId, null);
    const start = clock.now();
    const error = await runner.probe(hosts, { connectTimeoutSeconds: 5, attempts: 2, parallel: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteConnectError);
    expect(error).toMatchObject({ host: hosts[1]!.instanceId, reason: 'unreachable' });
    expect((error as Error).message).toBe(
      `cannot reach ${hosts[1]!.instanceId}: unreachable (SSM agent not online after 10 s: PingStatus ConnectionLost; 1 more not Online: ${hosts[2]!.instanceId})`,
    );
    expect(clock.now() - start).toBe(10_000);
  });

  it('says when an instance is not managed at all', async () => {
    const { runner, hosts } = world({ hosts: 1, ssmOnlineAfterSeconds: null });
    await expect(runner.probe(hosts, { connectTimeoutSeconds: 5, attempts: 1, parallel: 1 })).rejects.toThrow(
      /SSM agent not online after 5 s: not a managed instance/,
    );
  });

  it('passes AWS failures through', async () => {
    const { runner, hosts, aws } = world();
    aws.failOn('ssm.pingStatus', awsError('DescribeInstanceInformation', 'SSM status', 'AccessDeniedException', 'not authorized'));
    await expect(runner.probe(hosts, { connectTimeoutSeconds: 5, attempts: 1, parallel: 1 })).rejects.toMatchObject({
      name: 'AwsCallError',
      code: 'AccessDeniedException',
    });
  });

  it('does nothing for no hosts', async () => {
    const { runner, aws } = world();
    await runner.probe([], { connectTimeoutSeconds: 5, attempts: 1, parallel: 1 });
    expect(aws.calls).toHaveLength(0);
  });
});

describe('run', () => {
  it('runs each command in order, one SendCommand per batch of `parallel`, and returns every outcome', async () => {
    const { runner, hosts, aws, ids } = world({ hosts: 5 });
    const outcomes: CommandOutcome[] = [];
    const result = await runner.run(hosts, { commands: ['bin/migrate', 'bin/warm'], env, parallel: 2, onOutcome: (o) => outcomes.push(o) });

    const sent = aws.callsTo('ssm.sendShellCommand') as [string[], string[], string, number][];
    expect(sent.map(([instanceIds, , comment]) => [instanceIds, comment])).toEqual([
      [ids.slice(0, 2), 'bluegreen: command 1/2: bin/migrate'],
      [ids.slice(2, 4), 'bluegreen: command 1/2: bin/migrate'],
      [ids.slice(4), 'bluegreen: command 1/2: bin/migrate'],
      [ids.slice(0, 2), 'bluegreen: command 2/2: bin/warm'],
      [ids.slice(2, 4), 'bluegreen: command 2/2: bin/warm'],
      [ids.slice(4), 'bluegreen: command 2/2: bin/warm'],
    ]);
    expect(sent[0]![1]).toEqual(ssmScript('bin/migrate', env));
    expect(sent[0]![3]).toBe(600);
    expect(result).toHaveLength(10);
    expect(outcomes).toEqual(result);
    expect(result[0]).toEqual({
      instanceId: ids[0],
      address: hosts[0]!.address,
      index: 0,
      command: 'bin/migrate',
      exitCode: 0,
      durationMs: 4000,
      stderrTail: [],
    });
    expect(result.map((o) => `${o.index}:${o.instanceId}`)).toEqual([...ids.map((id) => `0:${id}`), ...ids.map((id) => `1:${id}`)]);
  });

  it('sends at most 50 instances a command', async () => {
    const { runner, hosts, aws } = world({ hosts: 60 });
    await runner.run(hosts, { commands: ['true'], env: {}, parallel: 100 });
    expect((aws.callsTo('ssm.sendShellCommand') as [string[]][]).map(([ids]) => ids.length)).toEqual([50, 10]);
  });

  it('polls on the clock until every invocation of the batch has ended', async () => {
    const { runner, hosts, aws, clock } = world({ hosts: 2, ssmCommandSeconds: 5 });
    aws.setSsmResult(hosts[1]!.instanceId, { exitCode: 0, seconds: 9, stdout: 'done\n' });
    const result = await runner.run(hosts, { commands: ['bin/migrate'], env, parallel: 2 });
    expect(clock.sleeps).toEqual([2000, 2000, 2000, 2000, 2000]);
    expect(result.map((o) => o.durationMs)).toEqual([6000, 10000]);
  });

  it('on a non-zero exit: the batch ends, no further batch or command starts, RemoteCommandError names host, command, code and stderr', async () => {
    const { runner, hosts, aws, ids } = world({ hosts: 4 });
    aws.setSsmResult(ids[1]!, {
      exitCode: 3,
      stdout: 'migrating\n',
      stderr: `${Array.from({ length: 25 }, (_, i) => `line ${i + 1}`).join('\n')}\n`,
    });
    const lines: string[] = [];
    const outcomes: CommandOutcome[] = [];
    const error = await runner
      .run(hosts, {
        commands: ['bin/migrate', 'bin/warm'],
        env,
        parallel: 2,
        onLine: (host, stream, line) => lines.push(`${host.instanceId} ${stream} ${line}`),
        onOutcome: (o) => outcomes.push(o),
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RemoteCommandError);
    expect(error).toMatchObject({ host: ids[1], command: 'bin/migrate', commandExitCode: 3 });
    expect((error as RemoteCommandError).stderrTail).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 6}`));
    expect(aws.callsTo('ssm.sendShellCommand')).toHaveLength(1);
    expect(outcomes.map((o) => [o.instanceId, o.exitCode])).toEqual([
      [ids[0], 0],
      [ids[1], 3],
    ]);
    expect(lines).toContain(`${ids[1]} stdout migrating`);
    expect(lines).toContain(`${ids[1]} stderr line 25`);
  });

  it('a command SSM times out counts as a failure with exit -1 and says so', async () => {
    const { runner, hosts, aws } = world({ hosts: 1 });
    aws.setSsmResult(hosts[0]!.instanceId, { exitCode: 0, seconds: 10_000 });
    const error = await runner.run(hosts, { commands: ['sleep 10000'], env: {}, parallel: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCommandError);
    expect(error).toMatchObject({ commandExitCode: -1 });
    expect((error as RemoteCommandError).stderrTail.at(-1)).toMatch(/^\[ssm\] command .* ended TimedOut$/);
  });

  it('gives up with VerificationError when SSM never reports an end (command timeout plus slack)', async () => {
    const { hosts, aws, clock } = world({ hosts: 1 });
    const port = { ...aws.ssm, invocation: async () => undefined };
    const runner = new SsmRunner(port, clock, { commandTimeoutSeconds: 30, pollIntervalSeconds: 10 });
    const start = clock.now();
    const error = await runner.run(hosts, { commands: ['true'], env: {}, parallel: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error).not.toBeInstanceOf(RemoteCommandError);
    expect((error as Error).message).toMatch(/^timed out after 150s waiting for command "true" \(SSM command .*\) to end on i-/);
    expect((error as Error).message).toContain('not yet known');
    expect(clock.now() - start).toBe(150_000);
  });

  it('a different exit code per instance, and the first failed host in order is named', async () => {
    const { runner, hosts, aws, ids } = world({ hosts: 3 });
    aws.onSsmCommand = (id) => ({ exitCode: id === ids[0] ? 0 : id === ids[1] ? 2 : 7 });
    await expect(runner.run(hosts, { commands: ['x'], env: {}, parallel: 3 })).rejects.toMatchObject({ host: ids[1], commandExitCode: 2 });
  });

  it('stops before sending when aborted', async () => {
    const { runner, hosts, aws } = world({ hosts: 1 });
    const controller = new AbortController();
    controller.abort(new Error('interrupted'));
    await expect(runner.run(hosts, { commands: ['x'], env: {}, parallel: 1, signal: controller.signal })).rejects.toThrow('interrupted');
    expect(aws.callsTo('ssm.sendShellCommand')).toHaveLength(0);
  });

  it('refuses an environment variable name the shell cannot take', async () => {
    const { runner, hosts } = world({ hosts: 1 });
    await expect(runner.run(hosts, { commands: ['x'], env: { 'BAD-NAME': 'v' }, parallel: 1 })).rejects.toBeInstanceOf(InputError);
  });

  it('returns [] for no hosts, and close() is a no-op', async () => {
    const { runner, aws } = world();
    expect(await runner.run([], { commands: ['x'], env: {}, parallel: 1 })).toEqual([]);
    await runner.close();
    expect(aws.callsTo('ssm.sendShellCommand')).toHaveLength(0);
  });
});
