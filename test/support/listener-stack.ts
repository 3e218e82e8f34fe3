/**
 * A blue stack behind an Application Load Balancer in moto, for strategy replica-listener, built through the
 * AWS SDK the way an operator's stack looks: a VPC with two subnets in two AZs, a security group, a launch
 * configuration (or, with `launchTemplate`, a launch template), an internet-facing ALB, blue's target group
 * with a health check, non-default attributes (deregistration delay, stickiness, slow start, algorithm) and
 * tags, an HTTP listener whose default action forwards to it, one more listener rule (path /api/*) that
 * forwards to it too, a group of N instances registered with the target group, and an AMI for the release
 * (created from a blue instance).
 *
 * What moto does with these (probed with moto 5.2.1; see the notes by the helpers below):
 * - a group's instances are registered with its target groups and `healthy` at once;
 * - DescribeRules also lists the listener's default rule (`IsDefault: true`, Priority `default`), whose
 *   actions follow ModifyListener;
 * - a forward sent as `{ TargetGroupArn }` is described so (AWS adds a ForwardConfig with that one group);
 *   a weighted ForwardConfig is described as sent, with `TargetGroupStickinessConfig` `{ Enabled: false }`
 *   added when absent; weights are not validated, nor is a forward to a deleted target group;
 * - ModifyListener does not update a target group's LoadBalancerArns (a target group created later and
 *   forwarded to by a modified listener lists none); a target group that a listener or rule forwards to
 *   cannot be deleted (ResourceInUse), as on AWS;
 * - terminated instances stay in the target group as `healthy`: assert on groups, not on target health.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  type Action,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { clients, createInstanceProfile, snapshotAws, type AwsClients, type SnapshotOptions } from './blue-stack.js';

export interface ListenerAwsClients extends AwsClients {
  elbv2: ElasticLoadBalancingV2Client;
}

/** blue-stack's clients plus Elastic Load Balancing v2. */
export function listenerClients(endpoint: string): ListenerAwsClients {
  return {
    ...clients(endpoint),
    elbv2: new ElasticLoadBalancingV2Client({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 2,
    }),
  };
}

export interface ListenerStackOptions {
  service?: string;
  /** Instances in the blue group; default 2. */
  instances?: number;
  /**
   * Blue's target group deregistration delay in seconds (default 1). The strategy waits at least this
   * long before it retires blue, so tests keep it small.
   */
  deregistrationDelaySeconds?: number;
  /** Blue's group launches from an EC2 launch template (`$Latest`) instead of a launch configuration. */
  launchTemplate?: boolean;
}

export interface ListenerStack {
  service: string;
  region: 'us-east-1';
  vpcId: string;
  subnetIds: [string, string];
  securityGroupId: string;
  blueImageId: string;
  releaseImageId: string;
  /** Blue's launch configuration (absent with `launchTemplate`). */
  launchConfigurationName?: string;
  launchTemplateName?: string;
  loadBalancerArn: string;
  loadBalancerName: string;
  loadBalancerDnsName: string;
  targetGroupArn: string;
  targetGroupName: string;
  /** The attributes blue's target group was given beyond the defaults, as set. */
  targetGroupAttributes: Record<string, string>;
  targetGroupTags: Record<string, string>;
  listenerArn: string;
  /** The rule (path /api/*, priority 10) that forwards to blue's target group besides the default action. */
  apiRuleArn: string;
  groupName: string;
  instanceIds: string[];
  deregistrationDelaySeconds: number;
}

export async function buildListenerStack(endpoint: string, options: ListenerStackOptions = {}): Promise<ListenerStack> {
  const { ec2, autoscaling, elbv2 } = listenerClients(endpoint);
  const service = options.service ?? 'shop';
  const count = options.instances ?? 2;
  const delay = options.deregistrationDelaySeconds ?? 1;
  const azs = ['us-east-1a', 'us-east-1b'] as const;

  // Network.
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnetA = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.1.0/24', AvailabilityZone: azs[0] }));
  const subnetB = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.2.0/24', AvailabilityZone: azs[1] }));
  const subnetIds: [string, string] = [subnetA.Subnet!.SubnetId!, subnetB.Subnet!.SubnetId!];
  const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${service}-web`, Description: `${service} web servers`, VpcId: vpcId }));
  const securityGroupId = sg.GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: securityGroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.1.0.0/16' }] }],
    }),
  );

  // The image blue runs.
  const blueImage = await ec2.send(
    new RegisterImageCommand({
      Name: `${service}-v1`,
      Description: `${service} release v1`,
      Architecture: 'x86_64',
      RootDeviceName: '/dev/xvda',
      VirtualizationType: 'hvm',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true } }],
    }),
  );
  const blueImageId = blueImage.ImageId!;

  // How blue launches.
  const instanceProfile = `${service}-app`;
  await createInstanceProfile(endpoint, instanceProfile);
  let launchConfigurationName: string | undefined;
  let launchTemplateName: string | undefined;
  if (options.launchTemplate) {
    launchTemplateName = `${service}-lt`;
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: launchTemplateName,
        VersionDescription: 'v1',
        // No UserData: moto 5.2.1 cannot launch a group's instances from a template that has it.
        LaunchTemplateData: {
          ImageId: blueImageId,
          InstanceType: 't3.micro',
          SecurityGroupIds: [securityGroupId],
          IamInstanceProfile: { Name: instanceProfile },
          Monitoring: { Enabled: true },
          MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
        },
      }),
    );
  } else {
    launchConfigurationName = `${service}-lc-v1`;
    await autoscaling.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: launchConfigurationName,
        ImageId: blueImageId,
        InstanceType: 't3.micro',
        SecurityGroups: [securityGroupId],
        IamInstanceProfile: instanceProfile,
        UserData: Buffer.from('#!/bin/bash\nsystemctl start shop\n').toString('base64'),
        InstanceMonitoring: { Enabled: true },
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
      }),
    );
  }

  // The load balancer.
  const loadBalancerName = service;
  const lb = (
    await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: loadBalancerName,
        Type: 'application',
        Scheme: 'internet-facing',
        Subnets: subnetIds,
        SecurityGroups: [securityGroupId],
        Tags: [{ Key: 'service', Value: service }],
      }),
    )
  ).LoadBalancers![0]!;
  const loadBalancerArn = lb.LoadBalancerArn!;

  // Blue's target group: a health check, attributes and tags that differ from the defaults.
  const targetGroupName = `${service}-blue`;
  const targetGroupTags = { team: 'checkout', service };
  const tg = (
    await elbv2.send(
      new CreateTargetGroupCommand({
        Name: targetGroupName,
        Protocol: 'HTTP',
        ProtocolVersion: 'HTTP1',
        Port: 8080,
        VpcId: vpcId,
        TargetType: 'instance',
        HealthCheckProtocol: 'HTTP',
        HealthCheckPort: 'traffic-port',
        HealthCheckEnabled: true,
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 15,
        HealthCheckTimeoutSeconds: 6,
        HealthyThresholdCount: 3,
        UnhealthyThresholdCount: 4,
        Matcher: { HttpCode: '200-299' },
        Tags: Object.entries(targetGroupTags).map(([Key, Value]) => ({ Key, Value })),
      }),
    )
  ).TargetGroups![0]!;
  const targetGroupArn = tg.TargetGroupArn!;
  const targetGroupAttributes: Record<string, string> = {
    'deregistration_delay.timeout_seconds': String(delay),
    'stickiness.enabled': 'true',
    'stickiness.type': 'lb_cookie',
    'stickiness.lb_cookie.duration_seconds': '3600',
    'slow_start.duration_seconds': '30',
    'load_balancing.algorithm.type': 'least_outstanding_requests',
  };
  await elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: targetGroupArn,
      Attributes: Object.entries(targetGroupAttributes).map(([Key, Value]) => ({ Key, Value })),
    }),
  );

  // The listener and one more rule, both forwarding to blue.
  const listener = (
    await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
      }),
    )
  ).Listeners![0]!;
  const listenerArn = listener.ListenerArn!;
  const rule = (
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
      }),
    )
  ).Rules![0]!;
  const apiRuleArn = rule.RuleArn!;

  // Blue's group, registered with the target group.
  const groupName = `${service}-blue`;
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: groupName,
      ...(launchTemplateName
        ? { LaunchTemplate: { LaunchTemplateName: launchTemplateName, Version: '$Latest' } }
        : { LaunchConfigurationName: launchConfigurationName }),
      MinSize: count,
      MaxSize: Math.max(4, count * 2),
      DesiredCapacity: count,
      DefaultCooldown: 180,
      VPCZoneIdentifier: subnetIds.join(','),
      TargetGroupARNs: [targetGroupArn],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 120,
      TerminationPolicies: ['OldestInstance', 'Default'],
      Tags: [
        { Key: 'Name', Value: `${service}-web`, PropagateAtLaunch: true },
        { Key: 'team', Value: 'checkout', PropagateAtLaunch: true },
      ],
    }),
  );
  const group = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
  const instanceIds = (group.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => i.InstanceId!);
  if (instanceIds.length !== count) throw new Error(`blue group has ${instanceIds.length} instances, expected ${count}`);

  // The release: an image made from a blue instance.
  const release = await ec2.send(
    new CreateImageCommand({ InstanceId: instanceIds[0]!, Name: `${service}-v2`, Description: `${service} release v2`, NoReboot: true }),
  );

  return {
    service,
    region: 'us-east-1',
    vpcId,
    subnetIds,
    securityGroupId,
    blueImageId,
    releaseImageId: release.ImageId!,
    ...(launchConfigurationName ? { launchConfigurationName } : {}),
    ...(launchTemplateName ? { launchTemplateName } : {}),
    loadBalancerArn,
    loadBalancerName,
    loadBalancerDnsName: lb.DNSName!,
    targetGroupArn,
    targetGroupName,
    targetGroupAttributes,
    targetGroupTags,
    listenerArn,
    apiRuleArn,
    groupName,
    instanceIds,
    deregistrationDelaySeconds: delay,
  };
}

// ---------------------------------------------------------------- the config

export interface ListenerConfigOverrides {
  groupName?: string;
  image?: string;
  listenerArn?: string;
  healthTimeout?: string;
  healthInterval?: string;
  retireAfter?: string;
  retireAction?: 'scale-to-zero' | 'delete' | 'keep';
  /** traffic.steps, traffic.hold and traffic.stickiness.duration; absent: no traffic section (all at once). */
  traffic?: { steps: number[]; hold?: string; stickiness?: string };
  /** listener.alsoAttached; absent: not written. */
  alsoAttached?: string[];
  /** gates.alarms; absent: no gates section. */
  alarms?: string[];
}

/** The YAML text of a replica-listener config for the stack (written by hand, as a user would). */
export function listenerConfigYaml(stack: ListenerStack, o: ListenerConfigOverrides = {}): string {
  const traffic = o.traffic
    ? `\ntraffic:\n  steps: [${o.traffic.steps.join(', ')}]\n${o.traffic.hold ? `  hold: ${o.traffic.hold}\n` : ''}${
        o.traffic.stickiness ? `  stickiness:\n    duration: ${o.traffic.stickiness}\n` : ''
      }`
    : '';
  const alsoAttached = o.alsoAttached ? `  alsoAttached: [${o.alsoAttached.map((a) => `'${a}'`).join(', ')}]\n` : '';
  const gates = o.alarms ? `\ngates:\n  alarms: [${o.alarms.join(', ')}]\n` : '';
  return `# bluegreen configuration for the ${stack.service} test stack behind an ALB
service: ${stack.service}
region: ${stack.region}
strategy: replica-listener

blue:
  autoScalingGroup: ${o.groupName ?? stack.groupName}

release:
  image: ${o.image ?? stack.releaseImageId}

listener:
  arn: ${o.listenerArn ?? stack.listenerArn}
${alsoAttached}
health:
  timeout: ${o.healthTimeout ?? '60s'}
  interval: ${o.healthInterval ?? '1s'}

retire:
  after: ${o.retireAfter ?? '0s'}
  action: ${o.retireAction ?? 'scale-to-zero'}
${traffic}${gates}`;
}

/** Writes bluegreen.yml for the stack into a new temp dir (or `dir`); returns the dir and the file. */
export async function writeListenerConfig(
  stack: ListenerStack,
  overrides: ListenerConfigOverrides = {},
  dir?: string,
): Promise<{ dir: string; file: string }> {
  const where = dir ?? (await mkdtemp(join(tmpdir(), 'bluegreen-listener-test-')));
  const file = join(where, 'bluegreen.yml');
  await writeFile(file, listenerConfigYaml(stack, overrides));
  return { dir: where, file };
}

// ---------------------------------------------------------------- reading it back

/** One target group a forward action sends to, with its weight (a plain TargetGroupArn forward: weight 1). */
export interface Forward {
  targetGroupArn: string;
  weight: number;
}

/**
 * The target groups a list of actions forwards to, in a form that does not depend on how the forward is
 * written: `{ TargetGroupArn }` alone (what moto describes for one group) and a ForwardConfig of one group
 * (what AWS describes) give the same answer. Sorted by ARN. Non-forward actions are left out.
 */
export function forwardsOf(actions: readonly Action[] | undefined): Forward[] {
  const out: Forward[] = [];
  for (const a of actions ?? []) {
    if (a.Type !== 'forward') continue;
    const groups = a.ForwardConfig?.TargetGroups;
    if (groups && groups.length > 0) {
      for (const g of groups) out.push({ targetGroupArn: g.TargetGroupArn!, weight: g.Weight ?? 1 });
    } else if (a.TargetGroupArn) {
      out.push({ targetGroupArn: a.TargetGroupArn, weight: 1 });
    }
  }
  return out.sort((x, y) => x.targetGroupArn.localeCompare(y.targetGroupArn));
}

/** Where the stack's listener default action and its /api/* rule forward now. */
export async function listenerRouting(aws: ListenerAwsClients, stack: ListenerStack): Promise<{ default: Forward[]; api: Forward[] }> {
  const listener = (await aws.elbv2.send(new DescribeListenersCommand({ ListenerArns: [stack.listenerArn] }))).Listeners?.[0];
  const rules = (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: stack.listenerArn }))).Rules ?? [];
  const api = rules.find((r) => r.RuleArn === stack.apiRuleArn);
  return { default: forwardsOf(listener?.DefaultActions), api: forwardsOf(api?.Actions) };
}

/** A target group's attributes as a map. */
export async function targetGroupAttributes(aws: ListenerAwsClients, arn: string): Promise<Record<string, string>> {
  const r = await aws.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
  return Object.fromEntries((r.Attributes ?? []).map((a) => [a.Key!, a.Value!]));
}

/** A target group's tags as a map. */
export async function targetGroupTags(aws: ListenerAwsClients, arn: string): Promise<Record<string, string>> {
  const r = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
  return Object.fromEntries((r.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key!, t.Value!]));
}

export async function allTargetGroups(aws: ListenerAwsClients): Promise<TargetGroup[]> {
  return (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
}

/**
 * The settings of a target group that a copy must carry (everything CreateTargetGroup takes that the
 * description shows, but the name and ARN).
 */
export function targetGroupSettings(tg: TargetGroup): Record<string, unknown> {
  return {
    protocol: tg.Protocol,
    protocolVersion: tg.ProtocolVersion,
    port: tg.Port,
    vpcId: tg.VpcId,
    targetType: tg.TargetType,
    ipAddressType: tg.IpAddressType,
    healthCheck: {
      protocol: tg.HealthCheckProtocol,
      port: tg.HealthCheckPort,
      enabled: tg.HealthCheckEnabled,
      path: tg.HealthCheckPath,
      interval: tg.HealthCheckIntervalSeconds,
      timeout: tg.HealthCheckTimeoutSeconds,
      healthy: tg.HealthyThresholdCount,
      unhealthy: tg.UnhealthyThresholdCount,
      matcher: tg.Matcher,
    },
  };
}

/**
 * snapshotAws plus Elastic Load Balancing v2: load balancers, target groups (settings, attributes, tags, by
 * name), listeners and rules (where they forward, by target group name) and which target groups each
 * Auto Scaling group is registered with. Compare two to prove a command left AWS as it was.
 * Target health is left out (moto keeps terminated instances in target groups as `healthy`).
 */
export async function snapshotListenerAws(endpoint: string, options: SnapshotOptions = {}): Promise<Record<string, unknown>> {
  const aws = listenerClients(endpoint);
  const base = await snapshotAws(endpoint, options);
  const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const tgs = await allTargetGroups(aws);
  const nameOf = new Map(tgs.map((t) => [t.TargetGroupArn!, t.TargetGroupName!]));
  const named = (forwards: Forward[]) => forwards.map((f) => `${nameOf.get(f.targetGroupArn) ?? f.targetGroupArn}:${f.weight}`);
  const targetGroups = [];
  for (const tg of [...tgs].sort((a, b) => a.TargetGroupName!.localeCompare(b.TargetGroupName!))) {
    targetGroups.push({
      name: tg.TargetGroupName,
      ...targetGroupSettings(tg),
      attributes: await targetGroupAttributes(aws, tg.TargetGroupArn!),
      tags: await targetGroupTags(aws, tg.TargetGroupArn!),
    });
  }
  const listeners = [];
  for (const lb of [...lbs].sort((a, b) => a.LoadBalancerName!.localeCompare(b.LoadBalancerName!))) {
    const ls = (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
    for (const l of [...ls].sort((a, b) => (a.Port ?? 0) - (b.Port ?? 0))) {
      const rules = (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }))).Rules ?? [];
      listeners.push({
        loadBalancer: lb.LoadBalancerName,
        port: l.Port,
        protocol: l.Protocol,
        defaultActions: named(forwardsOf(l.DefaultActions)),
        rules: rules
          .filter((r) => !r.IsDefault)
          .sort((a, b) => Number(a.Priority) - Number(b.Priority))
          .map((r) => ({ priority: r.Priority, conditions: r.Conditions, forwards: named(forwardsOf(r.Actions)) })),
      });
    }
  }
  const groups = (await aws.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
  return {
    ...base,
    loadBalancersV2: lbs.map((l) => `${l.LoadBalancerName}:${l.Type}:${l.Scheme}`).sort(),
    targetGroups,
    listeners,
    groupTargetGroups: groups
      .map(
        (g) =>
          `${g.AutoScalingGroupName}:${(g.TargetGroupARNs ?? [])
            .map((a) => nameOf.get(a) ?? a)
            .sort()
            .join(',')}`,
      )
      .sort(),
  };
}

// ---------------------------------------------------------------- counting the calls a run makes

/** One AWS request that went through a CallRecorder. */
export interface RecordedCall {
  /** Order of arrival, from 0. */
  seq: number;
  /** The signing name of the service (credential scope): elasticloadbalancing, route53, autoscaling, ... */
  service: string;
  /** The operation: Action= of query protocols, the operation of JSON and RPC v2 protocols, else "METHOD /path". */
  action: string;
  method: string;
  path: string;
  body: string;
}

export interface CallRecorder {
  /** Give this to the CLI as AWS_ENDPOINT_URL (awsEnv(recorder.endpoint)). */
  endpoint: string;
  calls: RecordedCall[];
  stop(): Promise<void>;
}

/**
 * A pass-through HTTP proxy in front of moto that keeps every request (service, operation, body), so a test
 * can count the calls a CLI run made, e.g. how many ModifyListener calls restored the listener. Nothing is
 * changed on the way: moto gets the same request and the CLI the same response.
 */
export async function startCallRecorder(target: string): Promise<CallRecorder> {
  const { createServer, request } = await import('node:http');
  const to = new URL(target);
  const calls: RecordedCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const path = req.url ?? '/';
      const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '?';
      const target = req.headers['x-amz-target'];
      const action =
        (typeof target === 'string' ? target.split('.').pop() : undefined) ??
        /\/operation\/([A-Za-z]+)/.exec(path)?.[1] ??
        /(?:^|&)Action=([A-Za-z]+)/.exec(text)?.[1] ??
        `${req.method} ${path.split('?')[0]}`;
      calls.push({ seq: calls.length, service, action, method: req.method ?? '', path, body: text });
      const forward = request({ host: to.hostname, port: to.port, method: req.method, path, headers: req.headers }, (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      });
      forward.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The target groups (with weights) a recorded ModifyListener or ModifyRule call sets, from its query
 * parameters (`DefaultActions.member.1.TargetGroupArn`, `...ForwardConfig.TargetGroups.member.N.TargetGroupArn`
 * and `.Weight`). A plain TargetGroupArn forward has weight 1; a ForwardConfig group without Weight, 1.
 */
export function forwardsInCall(call: RecordedCall): Forward[] {
  const params = new URLSearchParams(call.body);
  const byAction = new Map<string, Forward[]>();
  for (const [key, value] of params) {
    const m = /^((?:DefaultActions|Actions)\.member\.\d+)\.(?:(ForwardConfig\.TargetGroups\.member\.\d+)\.)?TargetGroupArn$/.exec(key);
    if (!m) continue;
    const action = m[1]!;
    const list = byAction.get(action) ?? [];
    if (m[2]) {
      const weight = params.get(`${action}.${m[2]}.Weight`);
      list.push({ targetGroupArn: value, weight: weight === null ? 1 : Number(weight) });
    } else if (![...params.keys()].some((k) => k.startsWith(`${action}.ForwardConfig.TargetGroups.`))) {
      list.push({ targetGroupArn: value, weight: 1 });
    }
    byAction.set(action, list);
  }
  return [...byAction.values()].flat().sort((x, y) => x.targetGroupArn.localeCompare(y.targetGroupArn));
}
