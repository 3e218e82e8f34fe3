/**
 * A realistic blue stack in moto, built through the AWS SDK the way an operator's stack would look:
 * VPC with two subnets in two AZs, a security group, a launch configuration with the fields people
 * actually set, a classic ELB with two listeners, a health check and attributes, a group of N
 * instances behind it with tags, a simple scaling policy triggered by a CloudWatch alarm (which also
 * notifies an SNS topic), optionally a lifecycle hook, a hosted zone with an alias A record to the
 * ELB, and an AMI for the release (created from a blue instance).
 *
 * With `launchTemplate: true` the group launches from an EC2 launch template instead (as `$Latest`,
 * two versions, so `$Latest` and `$Default` differ); the launch configuration is still created, unused,
 * as it is left behind after a move to a launch template.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  DescribePoliciesCommand,
  PutLifecycleHookCommand,
  PutScalingPolicyCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateImageCommand,
  CreateKeyPairCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
  RegisterImageCommand,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import {
  ConfigureHealthCheckCommand,
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingClient,
  ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';

/** The hosted zone id of classic ELBs in us-east-1 (moto's descriptions lack CanonicalHostedZoneNameID). */
export const CLASSIC_ELB_ZONE_US_EAST_1 = 'Z35SXDOTRQ7X7K';

export interface AwsClients {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  elb: ElasticLoadBalancingClient;
  cloudwatch: CloudWatchClient;
  route53: Route53Client;
}

export function clients(endpoint: string): AwsClients {
  const common = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 2,
  };
  return {
    ec2: new EC2Client(common),
    autoscaling: new AutoScalingClient(common),
    elb: new ElasticLoadBalancingClient(common),
    cloudwatch: new CloudWatchClient(common),
    route53: new Route53Client(common),
  };
}

export interface BlueStackOptions {
  service?: string;
  /** Instances in the blue group; default 2. */
  instances?: number;
  /** Adds an EC2_INSTANCE_LAUNCHING lifecycle hook to the group; default false. */
  lifecycleHook?: boolean;
  domain?: string;
  /**
   * Blue's group launches from an EC2 launch template referenced as `$Latest` (version 2; version 1,
   * the `$Default`, differs in InstanceType) instead of the launch configuration; default false.
   * The template has the launch configuration's settings except UserData (moto cannot launch from a
   * template with UserData).
   */
  launchTemplate?: boolean;
  /**
   * The classic load balancer's connection draining timeout in seconds (default 30); 0 turns draining
   * off. Tests that wait out draining (swap-instances) set it low.
   */
  drainingSeconds?: number;
}

export interface BlueStack {
  service: string;
  region: 'us-east-1';
  vpcId: string;
  subnetIds: [string, string];
  availabilityZones: [string, string];
  securityGroupId: string;
  keyName: string;
  instanceProfile: string;
  userData: string;
  blueImageId: string;
  releaseImageId: string;
  /** Blue's launch configuration (with `launchTemplate`, it exists but the group does not use it). */
  launchConfigurationName: string;
  /** With `launchTemplate`: blue's template, the version the group asks for, and what that resolves to. */
  launchTemplate?: { id: string; name: string; requested: '$Latest'; latestVersion: number; defaultVersion: number };
  loadBalancerName: string;
  loadBalancerDnsName: string;
  groupName: string;
  instanceIds: string[];
  policyName: string;
  policyArn: string;
  alarmName: string;
  snsTopicArn: string;
  lifecycleHookName?: string;
  hostedZoneId: string;
  zoneName: string;
  recordName: string;
}

export async function buildBlueStack(endpoint: string, options: BlueStackOptions = {}): Promise<BlueStack> {
  const { ec2, autoscaling, elb, cloudwatch, route53 } = clients(endpoint);
  const service = options.service ?? 'shop';
  const count = options.instances ?? 2;
  const zoneName = options.domain ?? 'example.com';
  const recordName = `${service}.${zoneName}`;
  const azs: [string, string] = ['us-east-1a', 'us-east-1b'];

  // Network.
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnetA = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: azs[0] }));
  const subnetB = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: azs[1] }));
  const subnetIds: [string, string] = [subnetA.Subnet!.SubnetId!, subnetB.Subnet!.SubnetId!];
  const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${service}-web`, Description: `${service} web servers`, VpcId: vpcId }));
  const securityGroupId = sg.GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: securityGroupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
        { IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
      ],
    }),
  );
  const keyName = `${service}-deploy`;
  await ec2.send(new CreateKeyPairCommand({ KeyName: keyName }));

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

  // Launch configuration with the fields a real one carries.
  const launchConfigurationName = `${service}-lc-v1`;
  const instanceProfile = `${service}-app`;
  // The instance profile the launch configuration names must exist in IAM: RunInstances (swap-instances'
  // launch, replica-dns' image builder) refuses an unknown one, as AWS does (moto's Auto Scaling does not check).
  await createInstanceProfile(endpoint, instanceProfile);
  const userData = Buffer.from('#!/bin/bash\nsystemctl start shop\n').toString('base64');
  await autoscaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: launchConfigurationName,
      ImageId: blueImageId,
      InstanceType: 't3.micro',
      KeyName: keyName,
      SecurityGroups: [securityGroupId],
      IamInstanceProfile: instanceProfile,
      UserData: userData,
      InstanceMonitoring: { Enabled: true },
      EbsOptimized: false,
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true } },
        { DeviceName: '/dev/xvdb', Ebs: { VolumeSize: 50, VolumeType: 'gp3', DeleteOnTermination: true, Encrypted: true } },
      ],
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
    }),
  );

  // Optionally a launch template with the same settings (version 2 = $Latest, version 1 = $Default).
  let launchTemplate: BlueStack['launchTemplate'];
  if (options.launchTemplate) {
    const name = `${service}-lt`;
    const data = (instanceType: string): RequestLaunchTemplateData => ({
      ImageId: blueImageId,
      InstanceType: instanceType as RequestLaunchTemplateData['InstanceType'],
      KeyName: keyName,
      SecurityGroupIds: [securityGroupId],
      IamInstanceProfile: { Name: instanceProfile },
      // No UserData: moto 5.2.1 fails (HTTP 500, an assertion) to launch a group's instances from a
      // launch template that has UserData.
      Monitoring: { Enabled: true },
      EbsOptimized: false,
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true } },
        { DeviceName: '/dev/xvdb', Ebs: { VolumeSize: 50, VolumeType: 'gp3', DeleteOnTermination: true, Encrypted: true } },
      ],
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: service }] }],
    });
    const made = await ec2.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: name, VersionDescription: 'v1', LaunchTemplateData: data('t3.nano') }),
    );
    const id = made.LaunchTemplate!.LaunchTemplateId!;
    const v2 = await ec2.send(
      new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: id, VersionDescription: 'v2', LaunchTemplateData: data('t3.micro') }),
    );
    const latestVersion = v2.LaunchTemplateVersion!.VersionNumber!;
    const described = await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] }));
    const defaultVersion = described.LaunchTemplates![0]!.DefaultVersionNumber!;
    if (latestVersion === defaultVersion) throw new Error(`launch template ${name}: $Latest and $Default are both version ${latestVersion}`);
    launchTemplate = { id, name, requested: '$Latest', latestVersion, defaultVersion };
  }

  // Classic load balancer: two listeners, a health check, attributes, tags.
  const loadBalancerName = `${service}-blue`;
  const lb = await elb.send(
    new CreateLoadBalancerCommand({
      LoadBalancerName: loadBalancerName,
      Listeners: [
        { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 },
        { Protocol: 'TCP', LoadBalancerPort: 443, InstanceProtocol: 'TCP', InstancePort: 8443 },
      ],
      Subnets: subnetIds,
      SecurityGroups: [securityGroupId],
      Scheme: 'internet-facing',
      Tags: [
        { Key: 'team', Value: 'checkout' },
        { Key: 'service', Value: service },
      ],
    }),
  );
  await elb.send(
    new ConfigureHealthCheckCommand({
      LoadBalancerName: loadBalancerName,
      HealthCheck: { Target: 'HTTP:8080/health', Interval: 10, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 3 },
    }),
  );
  await elb.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerName: loadBalancerName,
      LoadBalancerAttributes: {
        ConnectionDraining: options.drainingSeconds === 0 ? { Enabled: false } : { Enabled: true, Timeout: options.drainingSeconds ?? 30 },
        CrossZoneLoadBalancing: { Enabled: true },
        ConnectionSettings: { IdleTimeout: 120 },
      },
    }),
  );

  // The group, over both subnets, behind the load balancer.
  const groupName = `${service}-blue`;
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: groupName,
      ...(launchTemplate
        ? { LaunchTemplate: { LaunchTemplateName: launchTemplate.name, Version: launchTemplate.requested } }
        : { LaunchConfigurationName: launchConfigurationName }),
      MinSize: count,
      MaxSize: Math.max(4, count * 2),
      DesiredCapacity: count,
      DefaultCooldown: 180,
      VPCZoneIdentifier: subnetIds.join(','),
      LoadBalancerNames: [loadBalancerName],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 120,
      TerminationPolicies: ['OldestInstance', 'Default'],
      NewInstancesProtectedFromScaleIn: false,
      Tags: [
        { Key: 'Name', Value: `${service}-web`, PropagateAtLaunch: true },
        { Key: 'team', Value: 'checkout', PropagateAtLaunch: true },
        { Key: 'cost-center', Value: 'cc-42', PropagateAtLaunch: false },
      ],
    }),
  );

  // Simple scaling policy and the alarm that triggers it (and notifies a topic).
  const policyName = `${service}-scale-out`;
  await autoscaling.send(
    new PutScalingPolicyCommand({
      AutoScalingGroupName: groupName,
      PolicyName: policyName,
      PolicyType: 'SimpleScaling',
      AdjustmentType: 'ChangeInCapacity',
      ScalingAdjustment: 1,
      Cooldown: 300,
    }),
  );
  // moto's PutScalingPolicy returns no PolicyARN: read it back.
  const policies = await autoscaling.send(new DescribePoliciesCommand({ AutoScalingGroupName: groupName, PolicyNames: [policyName] }));
  const policyArn = policies.ScalingPolicies?.[0]?.PolicyARN;
  if (!policyArn) throw new Error('moto returned no PolicyARN for the scaling policy');
  const snsTopicArn = `arn:aws:sns:us-east-1:123456789012:${service}-alerts`;
  const alarmName = `${service}-cpu-high`;
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: alarmName,
      AlarmDescription: `Scale ${service} out when CPU is high`,
      ActionsEnabled: true,
      AlarmActions: [policyArn, snsTopicArn],
      OKActions: [snsTopicArn],
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/EC2',
      Statistic: 'Average',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: groupName }],
      Period: 60,
      EvaluationPeriods: 2,
      Threshold: 70,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    }),
  );

  let lifecycleHookName: string | undefined;
  if (options.lifecycleHook) {
    lifecycleHookName = `${service}-warmup`;
    await autoscaling.send(
      new PutLifecycleHookCommand({
        AutoScalingGroupName: groupName,
        LifecycleHookName: lifecycleHookName,
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        // Within health.timeout (60s): with hooks.launching wait, plan refuses a longer heartbeat.
        HeartbeatTimeout: 60,
        DefaultResult: 'CONTINUE',
      }),
    );
  }

  const group = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
  const instanceIds = (group.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => i.InstanceId!);
  if (instanceIds.length !== count) throw new Error(`blue group has ${instanceIds.length} instances, expected ${count}`);

  // The release: an image made from a blue instance (as a build pipeline would bake it).
  const release = await ec2.send(
    new CreateImageCommand({ InstanceId: instanceIds[0]!, Name: `${service}-v2`, Description: `${service} release v2`, NoReboot: true }),
  );
  const releaseImageId = release.ImageId!;

  // DNS: a hosted zone with an alias A record to the load balancer.
  const zone = await route53.send(new CreateHostedZoneCommand({ Name: zoneName, CallerReference: `zone-${Date.now()}-${Math.random()}` }));
  const hostedZoneId = zone.HostedZone!.Id!.replace(/^\/hostedzone\//, '');
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      ChangeBatch: {
        Comment: 'blue serves the site',
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: recordName,
              Type: 'A',
              AliasTarget: { HostedZoneId: CLASSIC_ELB_ZONE_US_EAST_1, DNSName: lb.DNSName!, EvaluateTargetHealth: false },
            },
          },
        ],
      },
    }),
  );

  return {
    service,
    region: 'us-east-1',
    vpcId,
    subnetIds,
    availabilityZones: azs,
    securityGroupId,
    keyName,
    instanceProfile,
    userData,
    blueImageId,
    releaseImageId,
    launchConfigurationName,
    ...(launchTemplate ? { launchTemplate } : {}),
    loadBalancerName,
    loadBalancerDnsName: lb.DNSName!,
    groupName,
    instanceIds,
    policyName,
    policyArn,
    alarmName,
    snsTopicArn,
    ...(lifecycleHookName ? { lifecycleHookName } : {}),
    hostedZoneId,
    zoneName,
    recordName,
  };
}

/**
 * CreateInstanceProfile through IAM's query API (no IAM client among the dependencies): moto routes the
 * request by the service in the credential scope and does not check the signature.
 */
export async function createInstanceProfile(endpoint: string, name: string): Promise<void> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Action: 'CreateInstanceProfile', InstanceProfileName: name, Version: '2010-05-08' }),
  });
  const text = await res.text();
  if (!res.ok && !text.includes('EntityAlreadyExists')) throw new Error(`CreateInstanceProfile ${name}: HTTP ${res.status} ${text.slice(0, 300)}`);
}

export interface ConfigOverrides {
  groupName?: string;
  image?: string;
  hostedZoneId?: string;
  recordName?: string;
  healthTimeout?: string;
  healthInterval?: string;
  retireAfter?: string;
  retireAction?: 'scale-to-zero' | 'delete' | 'keep';
}

/** The YAML text of a config for the stack (written by hand, as a user would). */
export function configYaml(stack: BlueStack, o: ConfigOverrides = {}): string {
  return `# bluegreen configuration for the ${stack.service} test stack
service: ${stack.service}
region: ${stack.region}
strategy: replica-dns

blue:
  autoScalingGroup: ${o.groupName ?? stack.groupName}

release:
  image: ${o.image ?? stack.releaseImageId}

dns:
  hostedZoneId: ${o.hostedZoneId ?? stack.hostedZoneId}
  name: ${o.recordName ?? stack.recordName}

health:
  timeout: ${o.healthTimeout ?? '60s'}
  interval: ${o.healthInterval ?? '1s'}

retire:
  after: ${o.retireAfter ?? '0s'}
  action: ${o.retireAction ?? 'scale-to-zero'}
`;
}

/** Writes bluegreen.yml for the stack into a new temp dir; returns the dir and the file. */
export async function writeConfig(stack: BlueStack, overrides: ConfigOverrides = {}, dir?: string): Promise<{ dir: string; file: string }> {
  const where = dir ?? (await mkdtemp(join(tmpdir(), 'bluegreen-test-')));
  const file = join(where, 'bluegreen.yml');
  await writeFile(file, configYaml(stack, overrides));
  return { dir: where, file };
}

export interface SnapshotOptions {
  /**
   * Leave out instances EC2 reports as terminated. EC2 (and moto) keeps listing a terminated instance
   * for a while, so after a rollback has deleted green's group its instances are still there, as
   * `terminated`: compare a snapshot from before a deployment with one after its rollback with this set.
   */
  ignoreTerminatedInstances?: boolean;
}

/**
 * Everything a deployment could create or change, read back from moto, in a stable order: compare
 * two snapshots to prove that a command changed nothing.
 */
export async function snapshotAws(endpoint: string, options: SnapshotOptions = {}): Promise<Record<string, unknown>> {
  const { ec2, autoscaling, elb, cloudwatch, route53 } = clients(endpoint);
  const groups = await autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  const lcs = await autoscaling.send(new DescribeLaunchConfigurationsCommand({}));
  const policies = await autoscaling.send(new DescribePoliciesCommand({}));
  const lbs = await elb.send(new DescribeLoadBalancersCommand({}));
  const alarms = await cloudwatch.send(new DescribeAlarmsCommand({}));
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
  const instances = await ec2.send(new DescribeInstancesCommand({}));
  const templates = await ec2.send(new DescribeLaunchTemplatesCommand({}));
  const zones = await route53.send(new ListHostedZonesCommand({}));
  const records: unknown[] = [];
  for (const z of zones.HostedZones ?? []) {
    const r = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: z.Id! }));
    records.push(
      ...(r.ResourceRecordSets ?? []).map((s) => ({ zone: z.Name, name: s.Name, type: s.Type, alias: s.AliasTarget?.DNSName, ttl: s.TTL })),
    );
  }
  const sort = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
  return {
    groups: sort(groups.AutoScalingGroups ?? [], (g) => g.AutoScalingGroupName!).map((g) => ({
      name: g.AutoScalingGroupName,
      lc: g.LaunchConfigurationName,
      lt: g.LaunchTemplate ? `${g.LaunchTemplate.LaunchTemplateName ?? g.LaunchTemplate.LaunchTemplateId}:${g.LaunchTemplate.Version}` : undefined,
      min: g.MinSize,
      max: g.MaxSize,
      desired: g.DesiredCapacity,
      lbs: g.LoadBalancerNames,
      instances: (g.Instances ?? []).map((i) => i.InstanceId).sort(),
      suspended: (g.SuspendedProcesses ?? []).map((p) => p.ProcessName).sort(),
      tags: (g.Tags ?? []).map((t) => `${t.Key}=${t.Value}`).sort(),
    })),
    launchConfigurations: (lcs.LaunchConfigurations ?? []).map((l) => `${l.LaunchConfigurationName}:${l.ImageId}`).sort(),
    launchTemplates: (templates.LaunchTemplates ?? [])
      .map((t) => `${t.LaunchTemplateName}:latest=${t.LatestVersionNumber}:default=${t.DefaultVersionNumber}`)
      .sort(),
    policies: (policies.ScalingPolicies ?? []).map((p) => `${p.AutoScalingGroupName}/${p.PolicyName}`).sort(),
    loadBalancers: sort(lbs.LoadBalancerDescriptions ?? [], (l) => l.LoadBalancerName!).map((l) => ({
      name: l.LoadBalancerName,
      instances: (l.Instances ?? []).map((i) => i.InstanceId).sort(),
    })),
    alarms: (alarms.MetricAlarms ?? []).map((a) => `${a.AlarmName}:${(a.AlarmActions ?? []).join(',')}`).sort(),
    images: (images.Images ?? []).map((i) => `${i.ImageId}:${i.Name}`).sort(),
    instances: (instances.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .filter((i) => !(options.ignoreTerminatedInstances && i.State?.Name === 'terminated'))
      .map((i) => `${i.InstanceId}:${i.State?.Name}`)
      .sort(),
    records: sort(records as Array<{ name: string }>, (r) => `${r.name}`),
  };
}

/** Where the stack's alias record points now (DNS name, lower case, no trailing dot). */
export async function recordTarget(aws: AwsClients, stack: BlueStack): Promise<string | undefined> {
  const r = await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: stack.hostedZoneId }));
  const rec = r.ResourceRecordSets?.find((s) => s.Name === `${stack.recordName}.` && s.Type === 'A');
  return rec?.AliasTarget?.DNSName?.replace(/\.$/, '').toLowerCase();
}

/** A classic load balancer's DNS name, in the same form as recordTarget. */
export async function lbDns(aws: AwsClients, name: string): Promise<string> {
  const r = await aws.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: [name] }));
  return r.LoadBalancerDescriptions![0]!.DNSName!.replace(/\.$/, '').toLowerCase();
}
