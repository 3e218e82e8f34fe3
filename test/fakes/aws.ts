/**
 * An in-memory AWS behind the ports, for step tests on a virtual clock. It keeps groups with instances,
 * launch configurations and templates, images, classic load balancers, hosted zones and records,
 * scaling policies and alarms, and behaves like AWS where the handlers depend on it:
 *  - a group launches instances to its DesiredCapacity; they become InService (in the group and in its
 *    load balancers) `inServiceAfterSeconds` after launch, or never when that is null;
 *  - deleting a group deletes its policies (and the alarms target tracking made), not other alarms;
 *  - Route 53 change batches are all or nothing; INSYNC at once unless `dnsInSync` is false.
 * Knobs: `inServiceAfterSeconds`, `failOn(operation, error)`, `calls` (the call log), `beforeMutation`.
 */
import type {
  AutoScalingGroup,
  CreateAutoScalingGroupCommandInput,
  CreateLaunchConfigurationCommandInput,
  LaunchConfiguration,
  LifecycleHook,
  PutLifecycleHookCommandInput,
  PutScalingPolicyCommandInput,
  ScalingPolicy,
  UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import type { MetricAlarm, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { CreateLaunchTemplateCommandInput, Image, LaunchTemplateVersion, ResponseLaunchTemplateData, Tag as Ec2Tag } from '@aws-sdk/client-ec2';
import type {
  CreateLoadBalancerCommandInput,
  HealthCheck,
  InstanceState,
  LoadBalancerAttributes,
  LoadBalancerDescription,
  Tag as ElbTag,
} from '@aws-sdk/client-elastic-load-balancing';
import type { Change, HostedZone, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type {
  AlarmsPort,
  AwsPorts,
  ClassicLoadBalancersPort,
  DnsPort,
  GroupsPort,
  ImagesPort,
  LaunchPort,
} from '../../src/aws/ports.js';
import type { Clock } from '../../src/engine/clock.js';
import { AwsCallError, VerificationError } from '../../src/errors.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

interface FakeInstance {
  id: string;
  az: string;
  readyAt: number; // virtual ms; Infinity = never
  healthy: boolean;
}

interface GroupState {
  group: Omit<AutoScalingGroup, 'Instances'>;
  instances: FakeInstance[];
  hooks: LifecycleHook[];
  policies: Map<string, ScalingPolicy>;
}

interface TemplateState {
  id: string;
  name: string;
  versions: Map<number, ResponseLaunchTemplateData>;
  defaultVersion: number;
  tags: Ec2Tag[];
}

interface LoadBalancerState {
  description: LoadBalancerDescription;
  attributes: LoadBalancerAttributes;
  tags: ElbTag[];
}

interface ZoneState {
  zone: HostedZone;
  records: ResourceRecordSet[];
}

export interface Failure {
  operation: string;
  error: Error;
  /** How many calls of the operation to let through first (default 0: the next one fails). */
  skip: number;
  /** How many calls fail (default 1). */
  times: number;
}

export interface FakeAwsOptions {
  clock: Clock;
  /** Seconds after launch until a new instance is InService; null: never. Default 30. */
  inServiceAfterSeconds?: number | null;
  /** Leave CanonicalHostedZoneNameID out of load balancer descriptions, as moto does. */
  omitCanonicalZone?: boolean;
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));
const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();

export class FakeAws implements AwsPorts {
  readonly clock: Clock;
  inServiceAfterSeconds: number | null;
  omitCanonicalZone: boolean;
  /** When false, waitInSync times out. */
  dnsInSync = true;
  /** Every call made through the ports, in order, with its arguments. */
  readonly calls: { operation: string; args: unknown[] }[] = [];
  /** Called before every mutating operation (after failure injection): lets a test check the journal. */
  beforeMutation?: (operation: string, args: unknown[]) => void;

  private readonly failures: Failure[] = [];
  private seq = 0;

  readonly state = {
    images: new Map<string, Image>(),
    zones: new Map<string, ZoneState>(),
    launchConfigurations: new Map<string, LaunchConfiguration>(),
    templates: new Map<string, TemplateState>(),
    loadBalancers: new Map<string, LoadBalancerState>(),
    groups: new Map<string, GroupState>(),
    alarms: new Map<string, MetricAlarm>(),
  };

  readonly groups: GroupsPort;
  readonly launch: LaunchPort;
  readonly images: ImagesPort;
  readonly classicLoadBalancers: ClassicLoadBalancersPort;
  readonly dns: DnsPort;
  readonly alarms: AlarmsPort;

  constructor(options: FakeAwsOptions) {
    this.clock = options.clock;
    this.inServiceAfterSeconds = options.inServiceAfterSeconds === undefined ? 30 : options.inServiceAfterSeconds;
    this.omitCanonicalZone = options.omitCanonicalZone ?? false;
    this.groups = this.wrap('groups', this.groupsPort(), MUTATING.groups);
    this.launch = this.wrap('launch', this.launchPort(), MUTATING.launch);
    this.images = this.wrap('images', { describeImage: async (id: string) => clone(this.state.images.get(id)) }, []);
    this.classicLoadBalancers = this.wrap('classicLoadBalancers', this.lbPort(), MUTATING.classicLoadBalancers);
    this.dns = this.wrap('dns', this.dnsPort(), MUTATING.dns);
    this.alarms = this.wrap('alarms', this.alarmsPort(), MUTATING.alarms);
  }

  // ------------------------------------------------------------ knobs

  /** The next call of `operation` (e.g. "groups.createGroup") throws `error`; `skip` calls pass first. */
  failOn(operation: string, error: Error = awsError(operation), options: { skip?: number; times?: number } = {}): void {
    this.failures.push({ operation, error, skip: options.skip ?? 0, times: options.times ?? 1 });
  }

  callsTo(operation: string): unknown[][] {
    return this.calls.filter((c) => c.operation === operation).map((c) => c.args);
  }

  /** Marks an instance unhealthy (OutOfService in its load balancer) or healthy again. */
  setHealthy(instanceId: string, healthy: boolean): void {
    for (const g of this.state.groups.values()) for (const i of g.instances) if (i.id === instanceId) i.healthy = healthy;
  }

  /** Everything stored, as plain JSON, for "the world is as it was" assertions. */
  snapshot(): unknown {
    const sorted = <T>(m: Map<string, T>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return JSON.parse(
      JSON.stringify({
        images: sorted(this.state.images),
        zones: sorted(this.state.zones),
        launchConfigurations: sorted(this.state.launchConfigurations),
        templates: sorted(
          new Map([...this.state.templates].map(([k, t]) => [k, { ...t, versions: Object.fromEntries(t.versions) }])),
        ),
        loadBalancers: sorted(this.state.loadBalancers),
        groups: sorted(
          new Map(
            [...this.state.groups].map(([k, g]) => [
              k,
              { group: g.group, instances: g.instances.map((i) => i.id), hooks: g.hooks, policies: sorted(g.policies) },
            ]),
          ),
        ),
        alarms: sorted(this.state.alarms),
      }),
    );
  }

  // ------------------------------------------------------------ seeding (no call log, no failures)

  addImage(imageId: string, name = imageId): void {
    this.state.images.set(imageId, { ImageId: imageId, Name: name, State: 'available' });
  }

  addZone(id: string, name: string): void {
    this.state.zones.set(id, { zone: { Id: `/hostedzone/${id}`, Name: fqdn(name), CallerReference: id }, records: [] });
  }

  putRecord(zoneId: string, record: ResourceRecordSet): void {
    const zone = this.zone(zoneId);
    const name = fqdn(record.Name ?? '');
    zone.records = zone.records.filter((r) => !(r.Name === name && r.Type === record.Type));
    zone.records.push({ ...clone(record), Name: name });
  }

  addLaunchConfiguration(lc: CreateLaunchConfigurationCommandInput): void {
    this.createLaunchConfiguration(lc);
  }

  addLaunchTemplate(name: string, versions: ResponseLaunchTemplateData[], defaultVersion = 1): string {
    const id = `lt-${this.next().toString(16).padStart(17, '0')}`;
    this.state.templates.set(name, {
      id,
      name,
      versions: new Map(versions.map((d, i) => [i + 1, clone(d)])),
      defaultVersion,
      tags: [],
    });
    return id;
  }

  addLoadBalancer(input: CreateLoadBalancerCommandInput, healthCheck?: HealthCheck, attributes?: LoadBalancerAttributes): string {
    const dns = this.createLoadBalancer(input);
    const lb = this.state.loadBalancers.get(input.LoadBalancerName as string) as LoadBalancerState;
    if (healthCheck) lb.description.HealthCheck = clone(healthCheck);
    if (attributes) lb.attributes = { ...lb.attributes, ...clone(attributes) };
    return dns;
  }

  /** A group whose instances are InService already. */
  addGroup(input: CreateAutoScalingGroupCommandInput, extra: Partial<AutoScalingGroup> = {}): void {
    this.createGroup(input, true);
    const g = this.groupState(input.AutoScalingGroupName as string);
    Object.assign(g.group, clone(extra));
  }

  addPolicy(input: PutScalingPolicyCommandInput): string {
    return this.putPolicy(input);
  }

  addAlarm(input: PutMetricAlarmCommandInput): void {
    this.putAlarm(input);
  }

  // ------------------------------------------------------------ plumbing

  private next(): number {
    return ++this.seq;
  }

  private wrap<T extends object>(prefix: string, port: T, mutating: readonly string[]): T {
    const wrapped: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(port) as [string, (...args: unknown[]) => Promise<unknown>][]) {
      const operation = `${prefix}.${name}`;
      wrapped[name] = async (...args: unknown[]) => {
        this.calls.push({ operation, args: clone(args) });
        const failure = this.failures.find((f) => f.operation === operation);
        if (failure) {
          if (failure.skip > 0) failure.skip--;
          else {
            if (--failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
            throw failure.error;
          }
        }
        if (mutating.includes(name)) this.beforeMutation?.(operation, args);
        await Promise.resolve();
        return clone(await fn(...clone(args)));
      };
    }
    return wrapped as T;
  }

  private zone(id: string): ZoneState {
    const zone = this.state.zones.get(id.replace(/^\/hostedzone\//, ''));
    if (!zone) throw awsError('dns', id, 'NoSuchHostedZone');
    return zone;
  }

  private groupState(name: string): GroupState {
    const g = this.state.groups.get(name);
    if (!g) throw awsError('groups', name, 'ValidationError', `AutoScalingGroup name not found - ${name}`);
    return g;
  }

  private describeGroupNow(g: GroupState): AutoScalingGroup {
    const now = this.clock.now();
    return {
      ...clone(g.group),
      Instances: g.instances.map((i) => ({
        InstanceId: i.id,
        AvailabilityZone: i.az,
        LifecycleState: now >= i.readyAt ? 'InService' : 'Pending',
        HealthStatus: 'Healthy',
        ProtectedFromScaleIn: false,
      })),
    } as AutoScalingGroup;
  }

  /** Launches or terminates instances until the group has DesiredCapacity of them. */
  private reconcile(g: GroupState, ready = false): void {
    const desired = g.group.DesiredCapacity ?? 0;
    const azs = g.group.AvailabilityZones?.length ? g.group.AvailabilityZones : ['us-east-1a'];
    while (g.instances.length < desired) {
      const delay = this.inServiceAfterSeconds;
      g.instances.push({
        id: `i-${this.next().toString(16).padStart(17, '0')}`,
        az: azs[g.instances.length % azs.length] as string,
        readyAt: ready ? -Infinity : delay === null ? Infinity : this.clock.now() + delay * 1000,
        healthy: true,
      });
    }
    while (g.instances.length > desired) g.instances.pop();
  }

  private policyArn(group: string, name: string): string {
    return `arn:aws:autoscaling:${REGION}:${ACCOUNT}:scalingPolicy:${this.next().toString(16).padStart(8, '0')}-0000-4000-8000-000000000000:autoScalingGroupName/${group}:policyName/${name}`;
  }

  // ------------------------------------------------------------ Auto Scaling

  private createGroup(input: CreateAutoScalingGroupCommandInput, ready = false): void {
    const name = input.AutoScalingGroupName as string;
    if (this.state.groups.has(name)) throw awsError('groups', name, 'AlreadyExists', `AutoScalingGroup by this name already exists - ${name}`);
    if (input.LaunchConfigurationName && !this.state.launchConfigurations.has(input.LaunchConfigurationName)) {
      throw awsError('groups', name, 'ValidationError', `Launch configuration name not found - ${input.LaunchConfigurationName}`);
    }
    if (input.LaunchTemplate?.LaunchTemplateName && !this.state.templates.has(input.LaunchTemplate.LaunchTemplateName)) {
      throw awsError('groups', name, 'ValidationError', `launch template ${input.LaunchTemplate.LaunchTemplateName} not found`);
    }
    for (const lb of input.LoadBalancerNames ?? []) {
      if (!this.state.loadBalancers.has(lb)) throw awsError('groups', name, 'ValidationError', `load balancer ${lb} not found`);
    }
    const { LifecycleHookSpecificationList, Tags, ...rest } = clone(input);
    const g: GroupState = {
      group: {
        ...rest,
        AutoScalingGroupARN: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:${this.next()}:autoScalingGroupName/${name}`,
        DesiredCapacity: input.DesiredCapacity ?? input.MinSize,
        DefaultCooldown: input.DefaultCooldown ?? 300,
        AvailabilityZones: input.AvailabilityZones ?? ['us-east-1a', 'us-east-1b'],
        HealthCheckType: input.HealthCheckType ?? 'EC2',
        CreatedTime: undefined,
        SuspendedProcesses: [],
        EnabledMetrics: [],
        Tags: (Tags ?? []).map((t) => ({ ...t, ResourceId: name, ResourceType: 'auto-scaling-group' })),
      },
      instances: [],
      hooks: (LifecycleHookSpecificationList ?? []).map((h) => ({ ...h, AutoScalingGroupName: name })),
      policies: new Map(),
    };
    this.state.groups.set(name, g);
    this.reconcile(g, ready);
  }

  private putPolicy(input: PutScalingPolicyCommandInput): string {
    const group = input.AutoScalingGroupName as string;
    const name = input.PolicyName as string;
    const g = this.groupState(group);
    const existing = g.policies.get(name);
    const arn = existing?.PolicyARN ?? this.policyArn(group, name);
    const { AutoScalingGroupName: _g, ...rest } = clone(input);
    g.policies.set(name, { ...rest, AutoScalingGroupName: group, PolicyARN: arn, PolicyType: input.PolicyType ?? 'SimpleScaling' });
    if (input.TargetTrackingConfiguration && !existing) {
      // AWS makes (and later deletes) the alarms of a target tracking policy itself.
      for (const which of ['AlarmHigh', 'AlarmLow']) {
        const alarmName = `TargetTracking-${group}-${which}-${this.next()}`;
        this.state.alarms.set(alarmName, {
          AlarmName: alarmName,
          AlarmActions: [arn],
          MetricName: 'CPUUtilization',
          Namespace: 'AWS/EC2',
          Dimensions: [{ Name: 'AutoScalingGroupName', Value: group }],
        });
      }
    }
    return arn;
  }

  private deletePolicyNow(group: string, name: string): void {
    const policy = this.state.groups.get(group)?.policies.get(name);
    if (!policy) return;
    this.state.groups.get(group)?.policies.delete(name);
    for (const [alarmName, alarm] of this.state.alarms) {
      if (alarmName.startsWith('TargetTracking-') && alarm.AlarmActions?.includes(policy.PolicyARN as string)) this.state.alarms.delete(alarmName);
    }
  }

  private describePoliciesNow(group: string): ScalingPolicy[] {
    const g = this.state.groups.get(group);
    if (!g) return [];
    return [...g.policies.values()].map((p) => ({
      ...clone(p),
      Alarms: [...this.state.alarms.values()]
        .filter((a) => [...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].includes(p.PolicyARN as string))
        .map((a) => ({ AlarmName: a.AlarmName, AlarmARN: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${a.AlarmName}` })),
    }));
  }

  private groupsPort(): GroupsPort {
    return {
      describeGroup: async (name) => {
        const g = this.state.groups.get(name);
        return g ? this.describeGroupNow(g) : undefined;
      },
      describeGroups: async (names) => names.flatMap((n) => (this.state.groups.has(n) ? [this.describeGroupNow(this.state.groups.get(n) as GroupState)] : [])),
      listGroupsByTag: async (key, value) =>
        [...this.state.groups.values()].filter((g) => g.group.Tags?.some((t) => t.Key === key && t.Value === value)).map((g) => this.describeGroupNow(g)),
      createGroup: async (input) => this.createGroup(input),
      updateGroup: async (input: UpdateAutoScalingGroupCommandInput) => {
        const g = this.groupState(input.AutoScalingGroupName as string);
        const { AutoScalingGroupName: _n, ...changes } = input;
        Object.assign(g.group, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
        const min = g.group.MinSize ?? 0;
        const max = g.group.MaxSize ?? 0;
        const desired = g.group.DesiredCapacity ?? 0;
        if (min > max || desired < min || desired > max) {
          throw awsError('groups', g.group.AutoScalingGroupName as string, 'ValidationError', `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
        }
        this.reconcile(g);
      },
      deleteGroup: async (name) => {
        const g = this.state.groups.get(name);
        if (!g) return;
        for (const p of [...g.policies.keys()]) this.deletePolicyNow(name, p);
        this.state.groups.delete(name);
      },
      suspendProcesses: async (group, processes) => {
        const g = this.groupState(group);
        const have = new Set(g.group.SuspendedProcesses?.map((p) => p.ProcessName));
        for (const p of processes) if (!have.has(p)) g.group.SuspendedProcesses?.push({ ProcessName: p, SuspensionReason: 'User suspended' });
      },
      enableMetrics: async (group, metrics, granularity) => {
        const g = this.groupState(group);
        const have = new Set(g.group.EnabledMetrics?.map((m) => m.Metric));
        for (const m of metrics) if (!have.has(m)) g.group.EnabledMetrics?.push({ Metric: m, Granularity: granularity });
      },
      describeLifecycleHooks: async (group) => clone(this.state.groups.get(group)?.hooks ?? []),
      putLifecycleHook: async (input: PutLifecycleHookCommandInput) => {
        const g = this.groupState(input.AutoScalingGroupName as string);
        g.hooks = g.hooks.filter((h) => h.LifecycleHookName !== input.LifecycleHookName);
        g.hooks.push({ HeartbeatTimeout: 3600, DefaultResult: 'ABANDON', ...clone(input) });
      },
      describePolicies: async (group) => this.describePoliciesNow(group),
      putPolicy: async (input) => this.putPolicy(input),
      deletePolicy: async (group, name) => this.deletePolicyNow(group, name),
    };
  }

  // ------------------------------------------------------------ launch

  private createLaunchConfiguration(input: CreateLaunchConfigurationCommandInput): void {
    const name = input.LaunchConfigurationName as string;
    if (this.state.launchConfigurations.has(name)) throw awsError('launch', name, 'AlreadyExists', `Launch Configuration by this name already exists - ${name}`);
    this.state.launchConfigurations.set(name, {
      ...clone(input),
      LaunchConfigurationName: name,
      LaunchConfigurationARN: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:launchConfiguration:${this.next()}:launchConfigurationName/${name}`,
      ImageId: input.ImageId,
      InstanceType: input.InstanceType,
      KeyName: input.KeyName ?? '',
      KernelId: input.KernelId ?? '',
      RamdiskId: input.RamdiskId ?? '',
      CreatedTime: undefined,
    });
  }

  private launchPort(): LaunchPort {
    return {
      describeLaunchConfiguration: async (name) => clone(this.state.launchConfigurations.get(name)),
      createLaunchConfiguration: async (input) => this.createLaunchConfiguration(input),
      deleteLaunchConfiguration: async (name) => {
        for (const g of this.state.groups.values()) {
          if (g.group.LaunchConfigurationName === name) throw awsError('launch', name, 'ResourceInUse', `Cannot delete launch configuration ${name} because it is attached to AutoScalingGroup ${g.group.AutoScalingGroupName}`);
        }
        this.state.launchConfigurations.delete(name);
      },
      describeLaunchTemplateVersion: async (template, version) => {
        const t = [...this.state.templates.values()].find((x) => (template.id ? x.id === template.id : x.name === template.name));
        if (!t) return undefined;
        const n = version === '$Latest' ? Math.max(...t.versions.keys()) : version === '$Default' ? t.defaultVersion : Number(version);
        const data = t.versions.get(n);
        return data
          ? ({ LaunchTemplateId: t.id, LaunchTemplateName: t.name, VersionNumber: n, DefaultVersion: n === t.defaultVersion, LaunchTemplateData: clone(data) } satisfies LaunchTemplateVersion)
          : undefined;
      },
      findLaunchTemplate: async (name) => {
        const t = this.state.templates.get(name);
        return t ? { id: t.id, version: 1 } : undefined;
      },
      createLaunchTemplate: async (input: CreateLaunchTemplateCommandInput) => {
        const name = input.LaunchTemplateName as string;
        if (this.state.templates.has(name)) throw awsError('launch', name, 'InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
        const id = `lt-${this.next().toString(16).padStart(17, '0')}`;
        this.state.templates.set(name, {
          id,
          name,
          versions: new Map([[1, clone(input.LaunchTemplateData) as ResponseLaunchTemplateData]]),
          defaultVersion: 1,
          tags: input.TagSpecifications?.find((s) => s.ResourceType === 'launch-template')?.Tags ?? [],
        });
        return { id, version: 1 };
      },
      deleteLaunchTemplate: async (name) => {
        for (const g of this.state.groups.values()) {
          if (g.group.LaunchTemplate?.LaunchTemplateName === name) throw awsError('launch', name, 'ResourceInUse', `launch template ${name} is used by ${g.group.AutoScalingGroupName}`);
        }
        this.state.templates.delete(name);
      },
    };
  }

  // ------------------------------------------------------------ classic load balancers

  private createLoadBalancer(input: CreateLoadBalancerCommandInput): string {
    const name = input.LoadBalancerName as string;
    const existing = this.state.loadBalancers.get(name);
    if (existing) return existing.description.DNSName as string;
    const dns = `${input.Scheme === 'internal' ? 'internal-' : ''}${name}-${1000000000 + name.length * 7919}.${REGION}.elb.amazonaws.com`;
    this.state.loadBalancers.set(name, {
      description: {
        LoadBalancerName: name,
        DNSName: dns,
        ...(this.omitCanonicalZone ? {} : { CanonicalHostedZoneNameID: 'Z35SXDOTRQ7X7K', CanonicalHostedZoneName: dns }),
        ListenerDescriptions: (input.Listeners ?? []).map((l) => ({ Listener: clone(l), PolicyNames: [] })),
        AvailabilityZones: input.AvailabilityZones ?? ['us-east-1a', 'us-east-1b'],
        Subnets: input.Subnets ?? [],
        SecurityGroups: input.SecurityGroups ?? [],
        Scheme: input.Scheme ?? 'internet-facing',
        HealthCheck: { Target: 'TCP:80', Interval: 30, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 10 },
        Instances: [],
      },
      attributes: {
        ConnectionDraining: { Enabled: false, Timeout: 300 },
        CrossZoneLoadBalancing: { Enabled: false },
        ConnectionSettings: { IdleTimeout: 60 },
        AccessLog: { Enabled: false },
      },
      tags: clone(input.Tags ?? []),
    });
    return dns;
  }

  private lbPort(): ClassicLoadBalancersPort {
    const lb = (name: string) => {
      const found = this.state.loadBalancers.get(name);
      if (!found) throw awsError('classicLoadBalancers', name, 'LoadBalancerNotFound', `There is no ACTIVE Load Balancer named '${name}'`);
      return found;
    };
    return {
      describe: async (names) =>
        names.flatMap((n) => {
          const found = this.state.loadBalancers.get(n);
          if (!found) return [];
          const instances = [...this.state.groups.values()]
            .filter((g) => g.group.LoadBalancerNames?.includes(n))
            .flatMap((g) => g.instances.map((i) => ({ InstanceId: i.id })));
          return [{ ...clone(found.description), Instances: instances }];
        }),
      describeAttributes: async (name) => clone(lb(name).attributes),
      describeTags: async (names) => Object.fromEntries(names.flatMap((n) => (this.state.loadBalancers.has(n) ? [[n, clone(lb(n).tags)]] : []))),
      create: async (input) => this.createLoadBalancer(input),
      configureHealthCheck: async (name, healthCheck) => {
        lb(name).description.HealthCheck = clone(healthCheck);
      },
      modifyAttributes: async (name, attributes) => {
        const found = lb(name);
        found.attributes = { ...found.attributes, ...clone(attributes) };
      },
      delete: async (name) => {
        this.state.loadBalancers.delete(name);
      },
      instanceHealth: async (name): Promise<InstanceState[]> => {
        lb(name);
        const now = this.clock.now();
        return [...this.state.groups.values()]
          .filter((g) => g.group.LoadBalancerNames?.includes(name))
          .flatMap((g) =>
            g.instances.map((i) =>
              now >= i.readyAt && i.healthy
                ? { InstanceId: i.id, State: 'InService', ReasonCode: 'N/A', Description: 'N/A' }
                : { InstanceId: i.id, State: 'OutOfService', ReasonCode: 'Instance', Description: 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.' },
            ),
          );
      },
    };
  }

  // ------------------------------------------------------------ Route 53

  private dnsPort(): DnsPort {
    return {
      getHostedZone: async (id) => clone(this.state.zones.get(id.replace(/^\/hostedzone\//, ''))?.zone),
      getRecord: async (zoneId, name, type) => {
        const zone = this.state.zones.get(zoneId.replace(/^\/hostedzone\//, ''));
        return clone(zone?.records.find((r) => r.Name === fqdn(name) && r.Type === type && !r.SetIdentifier));
      },
      change: async (zoneId, changes: Change[], _comment) => {
        const zone = this.zone(zoneId);
        const records = clone(zone.records);
        for (const change of changes) {
          const set = change.ResourceRecordSet as ResourceRecordSet;
          const name = fqdn(set.Name ?? '');
          const index = records.findIndex((r) => r.Name === name && r.Type === set.Type && r.SetIdentifier === set.SetIdentifier);
          if (change.Action === 'CREATE' && index >= 0) throw awsError('dns', name, 'InvalidChangeBatch', `it already exists`);
          if (change.Action === 'DELETE') {
            if (index < 0) throw awsError('dns', name, 'InvalidChangeBatch', `it was not found`);
            records.splice(index, 1);
            continue;
          }
          if (index >= 0) records.splice(index, 1);
          records.push({ ...clone(set), Name: name });
        }
        zone.records = records; // all or nothing
        return `/change/C${this.next().toString().padStart(12, '0')}`;
      },
      waitInSync: async (changeId, timeoutSeconds) => {
        if (!this.dnsInSync) throw new VerificationError(`change ${changeId} was not INSYNC after ${timeoutSeconds}s`);
      },
    };
  }

  // ------------------------------------------------------------ CloudWatch

  private putAlarm(input: PutMetricAlarmCommandInput): void {
    const { Tags: _tags, ...rest } = clone(input);
    this.state.alarms.set(input.AlarmName as string, {
      ...rest,
      AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${input.AlarmName}`,
      StateValue: 'INSUFFICIENT_DATA',
    });
  }

  private alarmsPort(): AlarmsPort {
    return {
      describeAlarms: async (names) => names.flatMap((n) => (this.state.alarms.has(n) ? [clone(this.state.alarms.get(n) as MetricAlarm)] : [])),
      describeAlarmsForAction: async (prefix) =>
        [...this.state.alarms.values()]
          .filter((a) => [...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].some((x) => x.startsWith(prefix)))
          .map(clone),
      putAlarm: async (input) => this.putAlarm(input),
      deleteAlarms: async (names) => {
        for (const n of names) this.state.alarms.delete(n);
      },
    };
  }
}

/** Which operations of each port change something (the others only read). */
const MUTATING = {
  groups: ['createGroup', 'updateGroup', 'deleteGroup', 'suspendProcesses', 'enableMetrics', 'putLifecycleHook', 'putPolicy', 'deletePolicy'],
  launch: ['createLaunchConfiguration', 'deleteLaunchConfiguration', 'createLaunchTemplate', 'deleteLaunchTemplate'],
  classicLoadBalancers: ['create', 'configureHealthCheck', 'modifyAttributes', 'delete'],
  dns: ['change'],
  alarms: ['putAlarm', 'deleteAlarms'],
} as const satisfies Record<string, readonly string[]>;

export function awsError(operation: string, resource = 'resource', code = 'InternalFailure', detail = 'injected failure'): AwsCallError {
  return new AwsCallError(operation, resource, code, detail);
}
