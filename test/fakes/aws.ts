/**
 * An in-memory AWS behind the ports, for step tests on a virtual clock. It keeps groups with instances,
 * launch configurations and templates, images, classic load balancers, hosted zones and records,
 * scaling policies and alarms, and behaves like AWS where the handlers depend on it:
 *  - a group launches instances to its DesiredCapacity; they become InService (in the group and in its
 *    load balancers) `inServiceAfterSeconds` after launch, or never when that is null; a group that
 *    weighs instances (WeightedCapacity, DesiredCapacityType vcpu/memory-mib) counts their units;
 *  - launch lifecycle hooks hold each new instance in Pending:Wait until CompleteLifecycleAction or the
 *    heartbeat timeout (then DefaultResult: CONTINUE, or ABANDON: terminated and replaced);
 *  - with `idleScaleIn`, target tracking scales in (to MinSize) a group that gets no traffic;
 *  - with Launch suspended a group launches nothing; with AddToLoadBalancer suspended, instances not yet
 *    InService never join its load balancers and target groups;
 *  - deleting a group deletes its policies (and the alarms target tracking made), not other alarms;
 *  - a group scales by itself on the virtual clock, as AWS does unless the process is suspended: its
 *    scheduled actions run at their time (ScheduledActions), and an alarm in a state whose actions name one
 *    of its scaling policies runs that policy once a minute while it stays so (AlarmNotification); within
 *    MinSize and MaxSize. Instances it scales in wait in Terminating:Wait for the longest termination
 *    hook's heartbeat before they go (ForceDelete skips that);
 *  - a group keeps scheduled actions (PutScheduledUpdateGroupAction refuses a StartTime in the past),
 *    notification configurations (one per topic and type) and a warm pool (WarmPoolConfiguration);
 *  - Route 53 keeps several sets per name and type (by SetIdentifier); change batches apply in order and
 *    are all or nothing, validated as AWS does; INSYNC at once unless `dnsInSync` is false.
 * And for strategies that handle instances themselves:
 *  - RunInstances makes instances (10.0.x.y private IPs, tags from the tag specifications) that are
 *    `pending` until `runningAfterSeconds` have passed; the same ClientToken gives the same instances;
 *    terminated ones are `shutting-down`, then `terminated` (still described, as in AWS);
 *  - attach/detach/terminate-in-group change the group's DesiredCapacity as AWS does, with AWS's
 *    ValidationErrors (attaching beyond MaxSize, going below MinSize, a pending or foreign instance);
 *  - classic load balancers and target groups take registrations; a registered instance is healthy
 *    `healthyAfterRegistrationSeconds` after registration (and once running), deregistered targets drain
 *    for the group's deregistration_delay.timeout_seconds; `setHealthy`/`setTargetHealth` override;
 *  - CreateImage makes a `pending` image (with one EBS snapshot) that turns `available` after
 *    `imageAvailableAfterSeconds`, or `failed` when `imageFails` is set; DeleteImage removes both;
 *  - SSM: a running instance is Online `ssmOnlineAfterSeconds` after it runs (`setPingStatus` overrides);
 *    a command takes `ssmCommandSeconds` on each instance and exits with `setSsmResult`'s code (else 0),
 *    or what `onSsmCommand` says; every command sent is kept in `state.ssmCommands`.
 * And for strategies that move traffic on ALB/NLB listeners, with gates:
 *  - target groups can be created (idempotent by name when the settings are the same, else
 *    DuplicateTargetGroupName), given attributes and tags, and deleted (ResourceInUse while a listener or
 *    rule forwards to one); a group's LoadBalancerArns follows the listeners that forward to it (as AWS,
 *    unlike moto);
 *  - `addAlb`, `addListener`, `addRule` seed load balancers (with DNS names), listeners and rules;
 *    ModifyListener/ModifyRule replace actions atomically, check the target groups and weights (0-999, at
 *    most 5 groups, one load balancer per target group, an enabled target group stickiness with a
 *    duration of 1-604800 s) and describe forward actions as AWS does (one group: TargetGroupArn and a
 *    ForwardConfig; several: a ForwardConfig only); the default rule is changed through the listener only;
 *    DescribeListeners by load balancer lists its listeners;
 *  - alarms keep a state (`setAlarmState`), read by `alarms.states`; `setMetricSum` scripts a metric's Sum
 *    per period (a function of the period's start time, e.g. of the virtual clock), which
 *    `alarms.metricSum` answers for periods that have begun.
 * And EC2's eventual consistency ("Eventual consistency in the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html: "if you run a command to modify or
 * describe the resource that you just created, its ID might not have propagated throughout the system, and you
 * will get an error responding that the resource does not exist"):
 *  - with `notVisibleForPolls` n > 0, an instance made by RunInstances, an image made by CreateImage and a launch
 *    template made by CreateLaunchTemplate are left out of the first n answers that would show them, as the
 *    adapters give a NotFound: describes by id, name or filter give nothing, DeleteImage and DeleteLaunchTemplate
 *    delete nothing (the adapters take NotFound as "already gone"), TerminateInstances terminates nothing and
 *    answers the id as not found ("this doesn't mean that the instance is or will be terminated"), CreateImage
 *    of it is InvalidInstanceID.NotFound, RunInstances with it InvalidLaunchTemplateId.NotFound.
 * Knobs: `inServiceAfterSeconds`, `failOn(operation, error)`, `calls` (the call log), `beforeMutation`,
 * and the ones above. Every operation of every port goes through the call log and `failOn`.
 */
import type {
  AutoScalingGroup,
  CreateAutoScalingGroupCommandInput,
  CreateLaunchConfigurationCommandInput,
  LaunchConfiguration,
  LifecycleHook,
  PutLifecycleHookCommandInput,
  PutScalingPolicyCommandInput,
  PutScheduledUpdateGroupActionCommandInput,
  NotificationConfiguration,
  ScalingPolicy,
  ScheduledUpdateGroupAction,
  UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import type { MetricAlarm, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type {
  CreateImageCommandInput,
  CreateLaunchTemplateCommandInput,
  Image,
  Instance,
  LaunchTemplateVersion,
  ResponseLaunchTemplateData,
  RunInstancesCommandInput,
  Tag as Ec2Tag,
} from '@aws-sdk/client-ec2';
import type {
  Action,
  CreateTargetGroupCommandInput,
  Listener,
  LoadBalancer,
  ProtocolEnum,
  Rule,
  RuleCondition,
  Tag as ElbV2Tag,
  TargetGroup,
  TargetGroupAttribute,
  TargetHealthDescription,
  TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  CreateLoadBalancerCommandInput,
  HealthCheck,
  InstanceState,
  LoadBalancerAttributes,
  LoadBalancerDescription,
  Tag as ElbTag,
  PolicyDescription,
} from '@aws-sdk/client-elastic-load-balancing';
import type { Change, HostedZone, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type {
  AlarmsPort,
  AwsPorts,
  ClassicLoadBalancersPort,
  DnsPort,
  GroupsPort,
  ImagesPort,
  InstancesPort,
  InventoryPort,
  TaggingPort,
  LaunchPort,
  ListenersPort,
  MetricSumInput,
  SsmPort,
  TargetGroupsPort,
} from '../../src/aws/ports.js';
import type { Clock } from '../../src/engine/clock.js';
import { AwsCallError, VerificationError } from '../../src/errors.js';
import { lastRun } from './cron.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

interface FakeInstance {
  id: string;
  az: string;
  readyAt: number; // virtual ms; Infinity = never
  healthy: boolean;
  /** The instance type the group launched (absent in dumps of older fakes: the group's launch's). */
  type?: string;
  /** The capacity units it counts toward DesiredCapacity (absent: 1). */
  weight?: number;
  /** The launch lifecycle hooks it waits for in Pending:Wait (absent: none). */
  waits?: HookWait[];
  /**
   * Launched (or not yet InService) while AddToLoadBalancer was suspended: the group never registers it
   * with its load balancers and target groups, even once the process is resumed.
   */
  notInFront?: boolean;
}

/**
 * A launch lifecycle hook holding an instance in Pending:Wait until CompleteLifecycleAction (`doneAt`,
 * `result`) or its heartbeat timeout (`until`), when the hook's DefaultResult applies: CONTINUE goes on to
 * InService, ABANDON terminates the instance (and the group launches another).
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html
 */
interface HookWait {
  hook: string;
  /** Virtual ms when the heartbeat timeout ends the wait. */
  until: number;
  defaultResult: string;
  doneAt?: number;
  result?: string;
}

/**
 * vCPUs and memory (MiB) of the instance types tests use: what an instance counts toward a group whose
 * DesiredCapacityType is vcpu or memory-mib (https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html).
 */
const INSTANCE_TYPES: Record<string, { vcpu: number; memoryMib: number }> = {
  't3.micro': { vcpu: 2, memoryMib: 1024 },
  't3.small': { vcpu: 2, memoryMib: 2048 },
  'm5.large': { vcpu: 2, memoryMib: 8192 },
  'm5.xlarge': { vcpu: 4, memoryMib: 16384 },
  'm6i.large': { vcpu: 2, memoryMib: 8192 },
  'c5.2xlarge': { vcpu: 8, memoryMib: 16384 },
};

interface GroupState {
  group: Omit<AutoScalingGroup, 'Instances'>;
  instances: FakeInstance[];
  hooks: LifecycleHook[];
  policies: Map<string, ScalingPolicy>;
  // The fields below are absent in dumps of older fakes (test/fixtures/compat): read them with `?? default`.
  /** Scheduled actions (PutScheduledUpdateGroupAction), as DescribeScheduledActions answers them. */
  scheduled?: ScheduledUpdateGroupAction[];
  /** Virtual ms up to which the scheduled actions have run (those due later run on a later call). */
  scheduledUntil?: number;
  /** Virtual ms when a scaling policy last ran for an alarm, by "alarm policy". */
  scaledAt?: Record<string, number>;
  /** Notification configurations (PutNotificationConfiguration): one per topic and type. */
  notifications?: NotificationConfiguration[];
  /** Instances scaled in and held by a termination hook (Terminating:Wait) until `until` (virtual ms). */
  terminating?: { id: string; az: string; type?: string; until: number }[];
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
  /** Policies created for it (DescribeLoadBalancerPolicies with its name); listeners and backends name them. */
  policies?: PolicyDescription[];
}

interface ZoneState {
  zone: HostedZone;
  records: ResourceRecordSet[];
}

/** An EC2 instance bluegreen launched, attached or detached (instances a group launched itself are not here). */
interface Ec2InstanceState {
  instance: Instance;
  /** Virtual ms when it turns running (pending before). */
  runningAt: number;
  /** Virtual ms when it was terminated (shutting-down, then terminated on the next call). */
  terminatedAt?: number;
}

interface TargetState {
  port?: number;
  registeredAt: number;
  /** Virtual ms until which the target drains after deregistration; it is gone after. */
  drainingUntil?: number;
}

interface TargetGroupState {
  group: TargetGroup;
  attributes: TargetGroupAttribute[];
  targets: Record<string, TargetState>;
  /** Tags (v2 DescribeTags); absent: none. */
  tags?: ElbV2Tag[];
}

interface ListenerState {
  /** As described, DefaultActions included (kept normalised as AWS describes them). */
  listener: Listener;
  /** The non-default rules (the default rule is made from the listener's default actions). */
  rules: Rule[];
}

/** A metric's Sum for the period starting at `periodStart` (virtual ms); undefined: no datapoint. */
export type MetricSumSource = (periodStart: number, dimensions: MetricSumInput['dimensions']) => number | undefined;

interface SnapshotState {
  SnapshotId: string;
  ImageId: string;
  Tags: Ec2Tag[];
}

/** What one instance answers to a command. */
export interface SsmResult {
  exitCode: number;
  stdout?: string;
  stderr?: string;
  /** Virtual seconds the command runs (default `ssmCommandSeconds`). */
  seconds?: number;
}

export interface SsmCommandState {
  commandId: string;
  instanceIds: string[];
  commands: string[];
  comment: string;
  timeoutSeconds: number;
  sentAt: number;
  results: Record<string, Required<SsmResult>>;
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
  /** Seconds a RunInstances instance stays pending. Default 0 (running at once). */
  runningAfterSeconds?: number;
  /** Seconds after registration (and running) until a target or classic registration is healthy; null: never. Default 0. */
  healthyAfterRegistrationSeconds?: number | null;
  /** Seconds a new image stays pending. Default 0. */
  imageAvailableAfterSeconds?: number;
  /** Seconds after an instance runs until its SSM agent is Online; null: never registers. Default 0. */
  ssmOnlineAfterSeconds?: number | null;
  /** Seconds a command runs on an instance (unless its result says). Default 1. */
  ssmCommandSeconds?: number;
  /** Answers a new instance, image or launch template is left out of before EC2 shows it (eventual consistency). Default 0. */
  notVisibleForPolls?: number;
  /**
   * CreateAutoScalingGroup / UpdateAutoScalingGroup calls that refuse a new launch template with a ValidationError
   * before Auto Scaling sees it (its view lags EC2's; see `autoScalingSees`). Default 0.
   */
  autoScalingLagCalls?: number;
  /** Target tracking scales in a group that gets no traffic (see `idleScaleIn`). Default false. */
  idleScaleIn?: boolean;
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
  /**
   * Told before every call (the world as the previous call left it has held until now) and after it (the
   * world as this call left it holds from now): how models of time passing (test/fakes/dns-clients.ts) see
   * what happens between calls.
   */
  readonly observers: { before?(operation: string): void; after?(operation: string): void }[] = [];

  runningAfterSeconds: number;
  healthyAfterRegistrationSeconds: number | null;
  imageAvailableAfterSeconds: number;
  /** When true, images still pending end `failed` instead of `available`. */
  imageFails = false;
  ssmOnlineAfterSeconds: number | null;
  ssmCommandSeconds: number;
  /** Decides an instance's result of a command (before `setSsmResult` and the default exit 0). */
  onSsmCommand?: (instanceId: string, commands: string[]) => SsmResult | undefined;
  /**
   * How many answers leave out an instance, image or launch template just made through the ports (EC2's
   * eventual consistency, see the header); Infinity: never shown. Applies to what is made after it is set.
   */
  notVisibleForPolls: number;
  autoScalingLagCalls: number;
  /**
   * A group that gets no requests (no alias record with weight points at its classic load balancers, no
   * listener forwards to its target groups with weight) is below any target tracking target: its policy's
   * low alarm is in ALARM, its high alarm OK, and the policy scales it in (down to MinSize) as the alarm
   * actions run; a group that gets traffic has both OK. The metric itself is not modelled.
   * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html
   */
  idleScaleIn: boolean;

  private readonly failures: Failure[] = [];
  private seq = 0;
  private readonly pingOverrides = new Map<string, string | null>();
  private readonly ssmResults = new Map<string, SsmResult>();
  private readonly targetHealthOverrides = new Map<string, { state: TargetHealthStateEnum; reason?: string }>();
  private readonly unhealthy = new Set<string>();
  private readonly imageReadyAt = new Map<string, number>();
  private readonly clientTokens = new Map<string, string[]>();
  /** Answers left before EC2 shows what was just made, by "instance i-...", "image ami-...", "launch-template lt-...". */
  private readonly notVisible = new Map<string, number>();

  readonly state = {
    images: new Map<string, Image>(),
    zones: new Map<string, ZoneState>(),
    launchConfigurations: new Map<string, LaunchConfiguration>(),
    templates: new Map<string, TemplateState>(),
    loadBalancers: new Map<string, LoadBalancerState>(),
    groups: new Map<string, GroupState>(),
    alarms: new Map<string, MetricAlarm>(),
    instances: new Map<string, Ec2InstanceState>(),
    snapshots: new Map<string, SnapshotState>(),
    targetGroups: new Map<string, TargetGroupState>(),
    /** Explicit registrations with classic load balancers (group members are registered through their group). */
    classicRegistrations: new Map<string, Record<string, number>>(),
    ssmCommands: new Map<string, SsmCommandState>(),
    /** ALB/NLB load balancers by ARN. */
    albs: new Map<string, LoadBalancer>(),
    /** ALB/NLB listeners by ARN, with their rules. */
    listeners: new Map<string, ListenerState>(),
    /** Scripted metric sums by "namespace metricName". */
    metricSums: new Map<string, MetricSumSource>(),
  };

  readonly groups: GroupsPort;
  readonly launch: LaunchPort;
  readonly images: ImagesPort;
  readonly instances: InstancesPort;
  readonly classicLoadBalancers: ClassicLoadBalancersPort;
  readonly targetGroups: TargetGroupsPort;
  readonly dns: DnsPort;
  readonly alarms: AlarmsPort;
  readonly ssm: SsmPort;
  readonly listeners: ListenersPort;
  readonly inventory: InventoryPort;
  readonly tagging: TaggingPort;

  /** The tags each alarm was created with (DescribeAlarms does not show them; GetResources does). */
  private readonly alarmTags = new Map<string, Ec2Tag[]>();
  /** When each resource made through the ports was made (virtual ms), by "type name" as the janitor names types. */
  private readonly born = new Map<string, number>();

  constructor(options: FakeAwsOptions) {
    this.clock = options.clock;
    this.inServiceAfterSeconds = options.inServiceAfterSeconds === undefined ? 30 : options.inServiceAfterSeconds;
    this.omitCanonicalZone = options.omitCanonicalZone ?? false;
    this.runningAfterSeconds = options.runningAfterSeconds ?? 0;
    this.healthyAfterRegistrationSeconds = options.healthyAfterRegistrationSeconds === undefined ? 0 : options.healthyAfterRegistrationSeconds;
    this.imageAvailableAfterSeconds = options.imageAvailableAfterSeconds ?? 0;
    this.ssmOnlineAfterSeconds = options.ssmOnlineAfterSeconds === undefined ? 0 : options.ssmOnlineAfterSeconds;
    this.ssmCommandSeconds = options.ssmCommandSeconds ?? 1;
    this.notVisibleForPolls = options.notVisibleForPolls ?? 0;
    this.autoScalingLagCalls = options.autoScalingLagCalls ?? 0;
    this.idleScaleIn = options.idleScaleIn ?? false;
    this.groups = this.wrap('groups', this.groupsPort(), MUTATING.groups);
    this.launch = this.wrap('launch', this.launchPort(), MUTATING.launch);
    this.images = this.wrap('images', this.imagesPort(), MUTATING.images);
    this.instances = this.wrap('instances', this.instancesPort(), MUTATING.instances);
    this.classicLoadBalancers = this.wrap('classicLoadBalancers', this.lbPort(), MUTATING.classicLoadBalancers);
    this.targetGroups = this.wrap('targetGroups', this.targetGroupsPort(), MUTATING.targetGroups);
    this.dns = this.wrap('dns', this.dnsPort(), MUTATING.dns);
    this.alarms = this.wrap('alarms', this.alarmsPort(), MUTATING.alarms);
    this.ssm = this.wrap('ssm', this.ssmPort(), MUTATING.ssm);
    this.listeners = this.wrap('listeners', this.listenersPort(), MUTATING.listeners);
    this.inventory = this.wrap('inventory', this.inventoryPort(), MUTATING.inventory);
    this.tagging = this.wrap('tagging', this.taggingPort(), MUTATING.tagging);
  }

  // ------------------------------------------------------------ knobs

  /** The next call of `operation` (e.g. "groups.createGroup") throws `error`; `skip` calls pass first. */
  failOn(operation: string, error: Error = awsError(operation), options: { skip?: number; times?: number } = {}): void {
    this.failures.push({ operation, error, skip: options.skip ?? 0, times: options.times ?? 1 });
  }

  callsTo(operation: string): unknown[][] {
    return this.calls.filter((c) => c.operation === operation).map((c) => c.args);
  }

  /** Marks an instance unhealthy (OutOfService in its load balancers, unhealthy in its target groups) or healthy again. */
  setHealthy(instanceId: string, healthy: boolean): void {
    for (const g of this.state.groups.values()) for (const i of g.instances) if (i.id === instanceId) i.healthy = healthy;
    if (healthy) this.unhealthy.delete(instanceId);
    else this.unhealthy.add(instanceId);
  }

  /** Forces an instance's state in every target group (e.g. "unhealthy", "initial"); undefined: back to computed. */
  setTargetHealth(instanceId: string, state: TargetHealthStateEnum | undefined, reason?: string): void {
    if (state === undefined) this.targetHealthOverrides.delete(instanceId);
    else this.targetHealthOverrides.set(instanceId, { state, ...(reason ? { reason } : {}) });
  }

  /** Forces an instance's SSM PingStatus ("ConnectionLost", "Inactive", ...); null: not managed; undefined: computed. */
  setPingStatus(instanceId: string, status: string | null | undefined): void {
    if (status === undefined) this.pingOverrides.delete(instanceId);
    else this.pingOverrides.set(instanceId, status);
  }

  /** What the instance answers to every command from now on (exit code, output, duration). */
  setSsmResult(instanceId: string, result: SsmResult | number): void {
    this.ssmResults.set(instanceId, typeof result === 'number' ? { exitCode: result } : result);
  }

  /**
   * Moves an alarm to a state ("OK", "ALARM", "INSUFFICIENT_DATA") as SetAlarmState does; the alarm must
   * exist. A gate test sets ALARM here (moto: set_alarm_state).
   */
  setAlarmState(name: string, state: string, reason = `set by the test to ${state}`): void {
    const alarm = this.state.alarms.get(name);
    if (!alarm) throw new Error(`FakeAws.setAlarmState: no alarm named ${name}`);
    alarm.StateValue = state as MetricAlarm['StateValue'];
    alarm.StateReason = reason;
    alarm.StateUpdatedTimestamp = new Date(this.clock.now());
  }

  /**
   * Scripts a metric's Sum: `source(periodStart, dimensions)` gives each period's value (undefined: no
   * datapoint), e.g. `(t) => (t < switchedAt + 120_000 ? 50 : 0)` for RequestCount draining after a switch.
   * A constant number means that value in every period.
   */
  setMetricSum(metricName: string, source: MetricSumSource | number, namespace = 'AWS/ApplicationELB'): void {
    this.state.metricSums.set(`${namespace} ${metricName}`, typeof source === 'number' ? () => source : source);
  }

  /** The EC2 view of an instance (launched by RunInstances or by a group), as DescribeInstances gives it. */
  instance(instanceId: string): Instance | undefined {
    this.tick();
    return clone(this.describeInstanceNow(instanceId));
  }

  /** Everything stored, as plain JSON, for "the world is as it was" assertions. */
  snapshot(): unknown {
    this.tick();
    const sorted = <T>(m: Map<string, T>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return JSON.parse(
      JSON.stringify({
        images: sorted(this.state.images),
        zones: sorted(this.state.zones),
        launchConfigurations: sorted(this.state.launchConfigurations),
        templates: sorted(new Map([...this.state.templates].map(([k, t]) => [k, { ...t, versions: Object.fromEntries(t.versions) }]))),
        loadBalancers: sorted(this.state.loadBalancers),
        groups: sorted(
          new Map(
            [...this.state.groups].map(([k, g]) => [
              k,
              {
                group: g.group,
                instances: g.instances.map((i) => i.id),
                hooks: g.hooks,
                policies: sorted(g.policies),
                // Only when there are some, so snapshots recorded before the fake kept them still compare.
                ...(g.scheduled?.length ? { scheduled: g.scheduled } : {}),
                ...(g.notifications?.length ? { notifications: g.notifications } : {}),
              },
            ]),
          ),
        ),
        alarms: sorted(this.state.alarms),
        instances: sorted(this.state.instances),
        snapshots: sorted(this.state.snapshots),
        targetGroups: sorted(this.state.targetGroups),
        classicRegistrations: sorted(this.state.classicRegistrations),
        albs: sorted(this.state.albs),
        listeners: sorted(this.state.listeners),
      }),
    );
  }

  /**
   * Everything the fake holds, as JSON, for fixtures recorded by one run and loaded by another
   * (test/fixtures/compat): its state, the knobs and the private bookkeeping (id counter, overrides,
   * pending images, client tokens, birth times). Maps and Sets become tagged entry arrays, Dates and
   * non-finite numbers tagged values (see encodeDump). Not kept: the call log, `beforeMutation`,
   * `onSsmCommand` and failOn failures (knobs of a test run, not of the world); scripted metric sums are
   * functions, so a fake with any cannot be dumped.
   */
  dump(): FakeAwsDump {
    this.tick();
    if (this.state.metricSums.size > 0)
      throw new Error(`FakeAws.dump: scripted metric sums (${[...this.state.metricSums.keys()].join(', ')}) are functions and cannot be dumped`);
    const { metricSums: _functions, ...state } = this.state;
    return encodeDump({
      version: 1,
      knobs: {
        inServiceAfterSeconds: this.inServiceAfterSeconds,
        omitCanonicalZone: this.omitCanonicalZone,
        dnsInSync: this.dnsInSync,
        runningAfterSeconds: this.runningAfterSeconds,
        healthyAfterRegistrationSeconds: this.healthyAfterRegistrationSeconds,
        imageAvailableAfterSeconds: this.imageAvailableAfterSeconds,
        imageFails: this.imageFails,
        ssmOnlineAfterSeconds: this.ssmOnlineAfterSeconds,
        ssmCommandSeconds: this.ssmCommandSeconds,
        notVisibleForPolls: this.notVisibleForPolls,
        autoScalingLagCalls: this.autoScalingLagCalls,
        idleScaleIn: this.idleScaleIn,
      },
      seq: this.seq,
      state,
      hidden: {
        pingOverrides: this.pingOverrides,
        ssmResults: this.ssmResults,
        targetHealthOverrides: this.targetHealthOverrides,
        unhealthy: this.unhealthy,
        imageReadyAt: this.imageReadyAt,
        clientTokens: this.clientTokens,
        born: this.born,
        notVisible: this.notVisible,
        alarmTags: this.alarmTags,
      },
    }) as FakeAwsDump;
  }

  /** A fake holding what `dump` gave, on `clock` (the fixture's virtual time): as if the same process went on. */
  static load(dump: FakeAwsDump, clock: Clock): FakeAws {
    const d = decodeDump(dump) as {
      version: number;
      knobs: Record<string, unknown>;
      seq: number;
      state: Record<string, Map<unknown, unknown>>;
      hidden: Record<string, Map<unknown, unknown> | Set<unknown>>;
    };
    if (d.version !== 1) throw new Error(`FakeAws.load: unknown dump version ${d.version}`);
    const aws = new FakeAws({ clock });
    Object.assign(aws, d.knobs);
    aws.seq = d.seq;
    const refill = (into: Map<unknown, unknown> | Set<unknown>, from: Map<unknown, unknown> | Set<unknown> | undefined, what: string) => {
      if (from === undefined) throw new Error(`FakeAws.load: the dump has no ${what}`);
      into.clear();
      if (into instanceof Map) for (const [k, v] of from as Map<unknown, unknown>) into.set(k, v);
      else for (const v of from as Set<unknown>) into.add(v);
    };
    for (const [key, map] of Object.entries(aws.state)) if (key !== 'metricSums') refill(map, d.state[key], `state.${key}`);
    const hidden: Record<string, Map<unknown, unknown> | Set<unknown>> = {
      pingOverrides: aws.pingOverrides,
      ssmResults: aws.ssmResults,
      targetHealthOverrides: aws.targetHealthOverrides,
      unhealthy: aws.unhealthy,
      imageReadyAt: aws.imageReadyAt,
      clientTokens: aws.clientTokens,
      born: aws.born,
    };
    for (const [key, into] of Object.entries(hidden)) refill(into, d.hidden[key], key);
    // Dumps recorded before the fake knew eventual consistency have no notVisible: everything is visible.
    if (d.hidden.notVisible) refill(aws.notVisible, d.hidden.notVisible, 'notVisible');
    // Dumps recorded before the fake kept alarm tags have none.
    if (d.hidden.alarmTags) refill(aws.alarmTags, d.hidden.alarmTags, 'alarmTags');
    return aws;
  }

  // ------------------------------------------------------------ seeding (no call log, no failures)

  addImage(imageId: string, name = imageId): void {
    this.state.images.set(imageId, { ImageId: imageId, Name: name, State: 'available' });
  }

  /** A hosted zone; `private`: a private zone (answered only inside its VPCs), as split-horizon DNS has beside a public one. */
  addZone(id: string, name: string, options: { private?: boolean } = {}): void {
    this.state.zones.set(id, {
      zone: { Id: `/hostedzone/${id}`, Name: fqdn(name), CallerReference: id, ...(options.private ? { Config: { PrivateZone: true } } : {}) },
      records: [],
    });
  }

  putRecord(zoneId: string, record: ResourceRecordSet): void {
    const zone = this.zone(zoneId);
    const name = fqdn(record.Name ?? '');
    zone.records = zone.records.filter((r) => !(r.Name === name && r.Type === record.Type && r.SetIdentifier === record.SetIdentifier));
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

  /** A scheduled action of a group, as PutScheduledUpdateGroupAction makes it. */
  addScheduledAction(input: PutScheduledUpdateGroupActionCommandInput): void {
    const g = this.groupState(input.AutoScalingGroupName as string);
    g.scheduledUntil ??= this.clock.now();
    g.scheduled = [...(g.scheduled ?? []).filter((a) => a.ScheduledActionName !== input.ScheduledActionName), scheduledAction(input)];
  }

  addPolicy(input: PutScalingPolicyCommandInput): string {
    return this.putPolicy(input);
  }

  addAlarm(input: PutMetricAlarmCommandInput): void {
    this.putAlarm(input);
  }

  /** Running instances (e.g. blue's, for a swap strategy), tagged; returns their ids. */
  addInstances(count: number, input: Partial<RunInstancesCommandInput> = {}): string[] {
    const ids = this.runInstances({ ImageId: 'ami-0seed', InstanceType: 't3.micro', ...input, MinCount: count, MaxCount: count }, true);
    return ids.map((i) => i.InstanceId as string);
  }

  /**
   * A target group (HTTP:80, instance targets) with these instances registered and healthy; returns its
   * ARN. `options` may set other settings (Port, Protocol, HealthCheckPath, ...) and tags.
   */
  addTargetGroup(
    name: string,
    instanceIds: string[] = [],
    attributes: Record<string, string> = {},
    options: { settings?: Partial<TargetGroup>; tags?: ElbV2Tag[] } = {},
  ): string {
    const arn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}/${this.next().toString(16).padStart(16, '0')}`;
    this.state.targetGroups.set(arn, {
      group: {
        TargetGroupArn: arn,
        TargetGroupName: name,
        Protocol: 'HTTP',
        Port: 80,
        VpcId: 'vpc-0fake',
        TargetType: 'instance',
        HealthCheckPath: '/',
        HealthCheckIntervalSeconds: 30,
        HealthyThresholdCount: 5,
        UnhealthyThresholdCount: 2,
        LoadBalancerArns: [],
        ...clone(options.settings ?? {}),
      },
      attributes: Object.entries({
        'deregistration_delay.timeout_seconds': '300',
        'stickiness.enabled': 'false',
        'slow_start.duration_seconds': '0',
        ...attributes,
      }).map(([Key, Value]) => ({ Key, Value })),
      targets: Object.fromEntries(instanceIds.map((id) => [id, { registeredAt: -Infinity }])),
      ...(options.tags ? { tags: clone(options.tags) } : {}),
    });
    return arn;
  }

  /** An active Application (or Network) Load Balancer with a DNS name; returns its ARN. */
  addAlb(name: string, options: { type?: 'application' | 'network'; scheme?: 'internet-facing' | 'internal' } = {}): string {
    const type = options.type ?? 'application';
    const scheme = options.scheme ?? 'internet-facing';
    const n = this.next();
    const arn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/${type === 'application' ? 'app' : 'net'}/${name}/${n.toString(16).padStart(16, '0')}`;
    const dns = `${scheme === 'internal' ? 'internal-' : ''}${name}-${1000000000 + n}.${type === 'network' ? 'elb' : REGION + '.elb'}.amazonaws.com`;
    this.state.albs.set(arn, {
      LoadBalancerArn: arn,
      LoadBalancerName: name,
      DNSName: type === 'network' ? `${name}-${n.toString(16)}.elb.${REGION}.amazonaws.com` : dns,
      CanonicalHostedZoneId: type === 'network' ? 'Z26RNL4JYFTOTI' : 'Z35SXDOTRQ7X7K',
      Scheme: scheme,
      Type: type,
      State: { Code: 'active' },
      VpcId: 'vpc-0fake',
      AvailabilityZones: [
        { ZoneName: 'us-east-1a', SubnetId: 'subnet-0fakea' },
        { ZoneName: 'us-east-1b', SubnetId: 'subnet-0fakeb' },
      ],
      IpAddressType: 'ipv4',
    });
    return arn;
  }

  /** A listener of the load balancer with these default actions (checked and described as AWS does); returns its ARN. */
  addListener(loadBalancerArn: string, defaultActions: Action[], options: { port?: number; protocol?: ProtocolEnum } = {}): string {
    const lb = this.state.albs.get(loadBalancerArn);
    if (!lb) throw new Error(`FakeAws.addListener: no load balancer ${loadBalancerArn}`);
    const arn = `${loadBalancerArn.replace(':loadbalancer/', ':listener/')}/${this.next().toString(16).padStart(16, '0')}`;
    this.state.listeners.set(arn, {
      listener: {
        ListenerArn: arn,
        LoadBalancerArn: loadBalancerArn,
        Port: options.port ?? 80,
        Protocol: options.protocol ?? (lb.Type === 'network' ? 'TCP' : 'HTTP'),
        DefaultActions: this.checkActions(defaultActions, arn, loadBalancerArn),
      },
      rules: [],
    });
    return arn;
  }

  /** A rule of the listener (priority 1-50000, unique per listener); returns its ARN. */
  addRule(listenerArn: string, rule: { priority: number; actions: Action[]; conditions?: RuleCondition[] }): string {
    const listener = this.state.listeners.get(listenerArn);
    if (!listener) throw new Error(`FakeAws.addRule: no listener ${listenerArn}`);
    if (listener.rules.some((r) => r.Priority === String(rule.priority))) {
      throw new Error(`FakeAws.addRule: priority ${rule.priority} is taken on ${listenerArn}`);
    }
    const arn = `${listenerArn.replace(':listener/', ':listener-rule/')}/${this.next().toString(16).padStart(16, '0')}`;
    listener.rules.push({
      RuleArn: arn,
      Priority: String(rule.priority),
      Conditions: clone(rule.conditions ?? [{ Field: 'path-pattern', Values: ['/*'] }]),
      Actions: this.checkActions(rule.actions, arn, listener.listener.LoadBalancerArn as string),
      IsDefault: false,
    });
    return arn;
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
        for (const o of this.observers) o.before?.(operation);
        try {
          return await call(...args);
        } finally {
          for (const o of this.observers) o.after?.(operation);
        }
      };
      const call = async (...args: unknown[]) => {
        this.calls.push({ operation, args: clone(args) });
        this.tick();
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
        const result = await fn(...clone(args));
        this.noteBirth(operation, args, result);
        return clone(result);
      };
    }
    return wrapped as T;
  }

  /** What was just made is not shown yet for `notVisibleForPolls` answers (eventual consistency). */
  private hide(key: string): void {
    if (this.notVisibleForPolls > 0) this.notVisible.set(key, this.notVisibleForPolls);
  }

  /**
   * Auto Scaling checks the launch template a group names against its own view of EC2, which lags: a template
   * EC2 already describes may still be refused for `autoScalingLagCalls` calls, as AWS answers it ("You must use
   * a valid fully-formed launch template. The specified launch template ... does not exist.", a ValidationError;
   * the eventual consistency of https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
   * reaches the services that read EC2, as Terraform's aws_autoscaling_group retry on it shows).
   */
  private autoScalingSees(group: string, input: CreateAutoScalingGroupCommandInput | UpdateAutoScalingGroupCommandInput): void {
    const spec = input.LaunchTemplate ?? input.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    const byId = spec?.LaunchTemplateId ? [...this.state.templates.values()].find((t) => t.id === spec.LaunchTemplateId)?.name : undefined;
    const name = spec?.LaunchTemplateName ?? byId;
    if (name && this.unseen(`auto-scaling launch-template ${name}`)) {
      throw awsError(
        'groups',
        group,
        'ValidationError',
        `You must use a valid fully-formed launch template. The specified launch template, with template name ${name}, does not exist.`,
      );
    }
  }

  /** True while EC2 does not show `key` yet, without using a poll (what another service sees of it). */
  private unseenNow(key: string): boolean {
    return this.notVisible.has(key);
  }

  /** True while EC2 does not show `key` yet; each answer that leaves it out uses one of its polls. */
  private unseen(key: string): boolean {
    const left = this.notVisible.get(key);
    if (left === undefined) return false;
    if (left <= 1) this.notVisible.delete(key);
    else this.notVisible.set(key, left - 1);
    return true;
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
    const weighted = this.isWeighted(g);
    return {
      ...clone(g.group),
      Instances: g.instances.map((i) => ({
        InstanceId: i.id,
        ...(i.type ? { InstanceType: i.type } : {}),
        AvailabilityZone: i.az,
        LifecycleState: now >= this.readyAtOf(i) ? 'InService' : this.waitingNow(i) ? 'Pending:Wait' : 'Pending',
        HealthStatus: 'Healthy',
        ProtectedFromScaleIn: false,
        // As DescribeAutoScalingGroups: the units each instance counts, in a group that weighs them.
        ...(weighted ? { WeightedCapacity: String(i.weight ?? 1) } : {}),
      })),
    };
  }

  /** The instances of a group, those in Terminating:Wait included (after the others, as AWS lists them by id). */
  private describeMembersNow(g: GroupState): AutoScalingGroup {
    const described = this.describeGroupNow(g);
    const held = (g.terminating ?? []).map((i) => ({
      InstanceId: i.id,
      AvailabilityZone: i.az,
      LifecycleState: 'Terminating:Wait' as const,
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
    }));
    return held.length > 0 ? { ...described, Instances: [...(described.Instances ?? []), ...held] } : described;
  }

  /** When the instance is InService: launched and ready, and released by every launch hook (completed, or timed out). */
  private readyAtOf(i: FakeInstance): number {
    return Math.max(i.readyAt, ...(i.waits ?? []).map((w) => w.doneAt ?? w.until));
  }

  private waitingNow(i: FakeInstance): boolean {
    const now = this.clock.now();
    return (i.waits ?? []).some((w) => w.doneAt === undefined && now < w.until);
  }

  /** Abandoned by a hook: completed with ABANDON, or timed out with DefaultResult ABANDON. */
  private abandoned(i: FakeInstance): boolean {
    const now = this.clock.now();
    return (i.waits ?? []).some((w) => (w.doneAt === undefined ? now >= w.until && w.defaultResult === 'ABANDON' : w.result === 'ABANDON'));
  }

  /** The launch hooks a new instance of the group waits for, from now. */
  private launchWaits(g: GroupState): HookWait[] {
    const now = this.clock.now();
    return g.hooks
      .filter((h) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_LAUNCHING')
      .map((h) => ({
        hook: h.LifecycleHookName as string,
        until: now + (h.HeartbeatTimeout ?? 3600) * 1000,
        defaultResult: h.DefaultResult ?? 'ABANDON',
      }));
  }

  /** Whether the group's sizes are units: weighted overrides, or a DesiredCapacityType of vcpu or memory-mib. */
  private isWeighted(g: GroupState): boolean {
    const type = g.group.DesiredCapacityType;
    return (
      (type !== undefined && type !== 'units') || (g.group.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? []).some((o) => o.WeightedCapacity)
    );
  }

  /**
   * The instance type the group launches next and the units it counts: a mixed instances policy launches
   * its first override (its priority order), weighing it by WeightedCapacity, or by the type's vCPUs or
   * memory when DesiredCapacityType says so; otherwise the launch's type, counting 1.
   * https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-weighting.html
   */
  private nextLaunch(g: GroupState): { type: string; weight: number } {
    const override = (g.group.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? []).find((o) => o.InstanceType);
    const type = override?.InstanceType ?? this.groupInstanceType(g) ?? 't3.micro';
    const size = INSTANCE_TYPES[type] ?? { vcpu: 2, memoryMib: 4096 };
    if (g.group.DesiredCapacityType === 'vcpu') return { type, weight: size.vcpu };
    if (g.group.DesiredCapacityType === 'memory-mib') return { type, weight: size.memoryMib };
    return { type, weight: Math.max(1, Number(override?.WeightedCapacity ?? 1)) };
  }

  private units(g: GroupState): number {
    return g.instances.reduce((sum, i) => sum + (i.weight ?? 1), 0);
  }

  /**
   * Launches instances until their units reach DesiredCapacity (the last may pass it, by less than its
   * weight, as AWS does), or terminates the newest while the rest still make DesiredCapacity.
   */
  private reconcile(g: GroupState, ready = false): void {
    const desired = g.group.DesiredCapacity ?? 0;
    const azs = g.group.AvailabilityZones?.length ? g.group.AvailabilityZones : ['us-east-1a'];
    // Launch suspended: the group launches nothing (ReplaceUnhealthy, scaling, AZRebalance alike).
    while (this.units(g) < desired && !this.suspended(g, 'Launch')) {
      const delay = this.inServiceAfterSeconds;
      const launched = this.nextLaunch(g);
      g.instances.push({
        id: `i-${this.next().toString(16).padStart(17, '0')}`,
        az: azs[g.instances.length % azs.length] as string,
        readyAt: ready ? -Infinity : delay === null ? Infinity : this.clock.now() + delay * 1000,
        healthy: true,
        ...(this.isWeighted(g) ? launched : {}),
        ...(ready || this.launchWaits(g).length === 0 ? {} : { waits: this.launchWaits(g) }),
        ...(this.suspended(g, 'AddToLoadBalancer') ? { notInFront: true } : {}),
      });
    }
    // A termination hook holds an instance scaled in for the hook's heartbeat (nobody completes it here):
    // https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html
    const heartbeat = Math.max(
      0,
      ...g.hooks.filter((h) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_TERMINATING').map((h) => h.HeartbeatTimeout ?? 3600),
    );
    while (g.instances.length > 0 && this.units(g) - ((g.instances.at(-1) as FakeInstance).weight ?? 1) >= desired) {
      const gone = g.instances.pop() as FakeInstance;
      if (heartbeat > 0) {
        (g.terminating ??= []).push({
          id: gone.id,
          az: gone.az,
          ...(gone.type ? { type: gone.type } : {}),
          until: this.clock.now() + heartbeat * 1000,
        });
        for (const registered of this.state.classicRegistrations.values()) delete registered[gone.id];
        for (const tg of this.state.targetGroups.values()) this.drain(tg, gone.id);
      } else {
        this.endInstance(gone.id);
      }
    }
  }

  /** Moves time-driven state on: instances running or terminated, images available, targets drained. */
  private tick(): void {
    const now = this.clock.now();
    for (const e of this.state.instances.values()) {
      const state = e.instance.State?.Name;
      if (state === 'pending' && now >= e.runningAt) e.instance.State = { Code: 16, Name: 'running' };
      // Terminated on the call after the one that terminated it (the terminating call's own tick ran first).
      if (state === 'shutting-down' && e.terminatedAt !== undefined) {
        e.instance.State = { Code: 48, Name: 'terminated' };
        delete e.instance.PrivateIpAddress;
      }
    }
    for (const [id, at] of this.imageReadyAt) {
      const image = this.state.images.get(id);
      if (!image) {
        this.imageReadyAt.delete(id);
      } else if (now >= at) {
        this.imageReadyAt.delete(id);
        if (this.imageFails) {
          image.State = 'failed';
          image.StateReason = { Code: 'Client.InternalError', Message: 'Client.InternalError: injected image failure' };
        } else {
          image.State = 'available';
        }
      }
    }
    for (const tg of this.state.targetGroups.values()) {
      for (const [id, t] of Object.entries(tg.targets)) if (t.drainingUntil !== undefined && now >= t.drainingUntil) delete tg.targets[id];
    }
    if (this.idleScaleIn) this.trackIdleness();
    for (const g of this.state.groups.values()) this.scaleByItself(g, now);
    for (const g of this.state.groups.values()) {
      const abandoned = g.instances.filter((i) => this.abandoned(i));
      if (abandoned.length === 0) continue;
      g.instances = g.instances.filter((i) => !abandoned.includes(i));
      for (const i of abandoned) this.endInstance(i.id);
      this.reconcile(g); // the group launches replacements, which wait for the hooks again
    }
  }

  /** An instance a group scaled in or terminated: gone from the group, shutting down in EC2 when EC2 knows it. */
  private endInstance(id: string): void {
    const e = this.state.instances.get(id);
    if (e && !['shutting-down', 'terminated'].includes(e.instance.State?.Name ?? '')) {
      e.instance.State = { Code: 32, Name: 'shutting-down' };
      e.terminatedAt = this.clock.now();
    }
    for (const registered of this.state.classicRegistrations.values()) delete registered[id];
    for (const tg of this.state.targetGroups.values()) this.drain(tg, id);
  }

  private drain(tg: TargetGroupState, id: string): void {
    const target = tg.targets[id];
    if (!target || target.drainingUntil !== undefined) return;
    const delay = Number(tg.attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value ?? '300');
    target.drainingUntil = this.clock.now() + delay * 1000;
    if (delay <= 0) delete tg.targets[id];
  }

  /** Which group holds the instance, if any. */
  private groupOf(instanceId: string): GroupState | undefined {
    for (const g of this.state.groups.values()) if (g.instances.some((i) => i.id === instanceId)) return g;
    return undefined;
  }

  private privateIp(n: number): string {
    return `10.0.${Math.floor(n / 250) % 256}.${(n % 250) + 4}`;
  }

  /** The EC2 view of any instance: launched by RunInstances (kept in state.instances) or by a group (made up). */
  private describeInstanceNow(id: string): Instance | undefined {
    const e = this.state.instances.get(id);
    if (e) return e.instance;
    for (const g of this.state.groups.values()) {
      // Held by a termination hook, an instance still runs.
      const member = g.instances.find((i) => i.id === id) ?? g.terminating?.find((i) => i.id === id);
      if (!member) continue;
      const n = parseInt(id.slice(2), 16);
      // A group's own instances run at once (InService, in the group and its load balancers, comes later).
      return {
        InstanceId: id,
        ImageId: this.groupImage(g),
        InstanceType: (member.type ?? 't3.micro') as Instance['InstanceType'],
        State: { Code: 16, Name: 'running' },
        PrivateIpAddress: this.privateIp(n),
        Placement: { AvailabilityZone: member.az },
        Tags: [
          { Key: 'aws:autoscaling:groupName', Value: g.group.AutoScalingGroupName },
          ...(g.group.Tags ?? []).filter((t) => t.PropagateAtLaunch).map((t) => ({ Key: t.Key as string, Value: t.Value as string })),
        ],
      };
    }
    return undefined;
  }

  private groupInstanceType(g: GroupState): string | undefined {
    if (g.group.LaunchConfigurationName) return this.state.launchConfigurations.get(g.group.LaunchConfigurationName)?.InstanceType;
    const name =
      g.group.LaunchTemplate?.LaunchTemplateName ?? g.group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateName;
    const t = name ? this.state.templates.get(name) : undefined;
    return t?.versions.get(t.defaultVersion)?.InstanceType;
  }

  private groupImage(g: GroupState): string | undefined {
    if (g.group.LaunchConfigurationName) return this.state.launchConfigurations.get(g.group.LaunchConfigurationName)?.ImageId;
    const name = g.group.LaunchTemplate?.LaunchTemplateName;
    const t = name ? this.state.templates.get(name) : undefined;
    return t?.versions.get(t.defaultVersion)?.ImageId;
  }

  private isRunning(id: string): boolean {
    return this.describeInstanceNow(id)?.State?.Name === 'running';
  }

  // ------------------------------------------------------------ what a group does by itself

  /** idleScaleIn: each target tracking alarm's state from whether its group gets traffic now. */
  private trackIdleness(): void {
    for (const alarm of this.state.alarms.values()) {
      if (!alarm.AlarmName?.startsWith('TargetTracking-')) continue;
      const group = alarm.Dimensions?.find((d) => d.Name === 'AutoScalingGroupName')?.Value;
      const g = group ? this.state.groups.get(group) : undefined;
      if (!g) continue;
      alarm.StateValue = alarm.AlarmName.includes('AlarmLow') && !this.servesTraffic(g) ? 'ALARM' : 'OK';
    }
  }

  /** Whether requests reach the group: an alias record (weight above 0) at one of its classic load balancers, or a listener forwarding to its target groups. */
  private servesTraffic(g: GroupState): boolean {
    const norm = (name: string | undefined) =>
      (name ?? '')
        .toLowerCase()
        .replace(/\.$/, '')
        .replace(/^dualstack\./, '');
    const lbs = new Set((g.group.LoadBalancerNames ?? []).map((n) => norm(this.state.loadBalancers.get(n)?.description.DNSName)));
    for (const zone of this.state.zones.values()) {
      for (const r of zone.records)
        if (r.AliasTarget && (r.Weight === undefined || r.Weight > 0) && lbs.has(norm(r.AliasTarget.DNSName))) return true;
    }
    const tgs = new Set(g.group.TargetGroupARNs ?? []);
    const forwards = (actions: Action[] | undefined) =>
      (actions ?? []).some(
        (a) =>
          (a.TargetGroupArn !== undefined && tgs.has(a.TargetGroupArn) && !a.ForwardConfig) ||
          (a.ForwardConfig?.TargetGroups ?? []).some((t) => t.TargetGroupArn !== undefined && tgs.has(t.TargetGroupArn) && (t.Weight ?? 1) > 0),
      );
    for (const l of this.state.listeners.values()) if (forwards(l.listener.DefaultActions) || l.rules.some((r) => forwards(r.Actions))) return true;
    return false;
  }

  private suspended(g: GroupState, process: string): boolean {
    return !!g.group.SuspendedProcesses?.some((p) => p.ProcessName === process);
  }

  /**
   * What moves a group's capacity without a call, up to now: held instances whose hook timed out go, scheduled
   * actions that came due run, and alarm actions that name its policies run them; then the group reconciles.
   */
  private scaleByItself(g: GroupState, now: number): void {
    if (g.group.WarmPoolConfiguration?.Status === 'PendingDelete') {
      delete g.group.WarmPoolConfiguration;
      delete g.group.WarmPoolSize;
    }
    if (g.terminating?.length) {
      const [gone, held] = [g.terminating.filter((i) => now >= i.until), g.terminating.filter((i) => now < i.until)];
      g.terminating = held;
      for (const i of gone) this.endInstance(i.id);
    }
    const before = JSON.stringify([g.group.MinSize, g.group.MaxSize, g.group.DesiredCapacity]);
    this.runScheduledActions(g, now);
    this.runAlarmPolicies(g, now);
    if (JSON.stringify([g.group.MinSize, g.group.MaxSize, g.group.DesiredCapacity]) !== before) this.reconcile(g);
  }

  /**
   * Scheduled actions due in (scheduledUntil, now] set the sizes they name (a one-time action is deleted
   * after it runs). With ScheduledActions suspended they are skipped, not run later.
   * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html and
   * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-suspend-resume-processes.html
   */
  private runScheduledActions(g: GroupState, now: number): void {
    const from = g.scheduledUntil ?? now;
    g.scheduledUntil = now;
    if (!g.scheduled?.length || this.suspended(g, 'ScheduledActions')) return;
    const due = g.scheduled.flatMap((a) => {
      const start = a.StartTime ? new Date(a.StartTime).getTime() : undefined;
      const end = a.EndTime ? new Date(a.EndTime).getTime() : Infinity;
      const atStart = start !== undefined && start > from && start <= now ? start : undefined;
      const recurring = a.Recurrence ? lastRun(a.Recurrence, Math.max(from, (start ?? -Infinity) - 1), Math.min(now, end)) : undefined;
      const at = Math.max(atStart ?? -Infinity, recurring ?? -Infinity);
      return Number.isFinite(at) ? [{ a, at }] : [];
    });
    for (const { a } of due.sort((x, y) => x.at - y.at)) {
      if (a.MinSize !== undefined) g.group.MinSize = a.MinSize;
      if (a.MaxSize !== undefined) g.group.MaxSize = a.MaxSize;
      if (a.DesiredCapacity !== undefined) g.group.DesiredCapacity = a.DesiredCapacity;
      g.group.DesiredCapacity = this.clamp(g, g.group.DesiredCapacity ?? 0);
      if (!a.Recurrence) g.scheduled = g.scheduled.filter((x) => x !== a);
    }
  }

  /**
   * An alarm invokes an Auto Scaling action once a minute while it stays in the state whose actions name
   * the policy (https://repost.aws/knowledge-center/autoscaling-policy-cloudwatch-alarm); a simple scaling
   * policy waits its cooldown between runs. Suspending AlarmNotification stops target tracking, step and
   * simple scaling policies (https://docs.aws.amazon.com/autoscaling/ec2/userguide/suspend-resume-considerations.html).
   * Predictive scaling is not alarm-driven and not modelled. The metric's value is not known here: a step
   * policy takes its first step adjustment, a target tracking policy one instance (AlarmHigh out, AlarmLow in).
   */
  private runAlarmPolicies(g: GroupState, now: number): void {
    if (this.suspended(g, 'AlarmNotification') || g.policies.size === 0) return;
    for (const alarm of this.state.alarms.values()) {
      if (alarm.ActionsEnabled === false) continue;
      const state = alarm.StateValue;
      const actions = state === 'ALARM' ? alarm.AlarmActions : state === 'OK' ? alarm.OKActions : alarm.InsufficientDataActions;
      for (const policy of g.policies.values()) {
        if (policy.Enabled === false || !policy.PolicyARN || !actions?.includes(policy.PolicyARN)) continue;
        const key = `${alarm.AlarmName} ${policy.PolicyName}`;
        const cooldown = policy.PolicyType === 'SimpleScaling' ? (policy.Cooldown ?? g.group.DefaultCooldown ?? 300) : 0;
        const last = g.scaledAt?.[key];
        if (last !== undefined && now - last < Math.max(60, cooldown) * 1000) continue;
        (g.scaledAt ??= {})[key] = now;
        g.group.DesiredCapacity = this.clamp(g, this.adjusted(g.group.DesiredCapacity ?? 0, policy, alarm.AlarmName ?? ''));
      }
    }
  }

  private adjusted(desired: number, policy: ScalingPolicy, alarmName: string): number {
    if (policy.PolicyType === 'TargetTrackingScaling') {
      if (alarmName.includes('AlarmLow')) return policy.TargetTrackingConfiguration?.DisableScaleIn ? desired : desired - 1;
      return desired + 1;
    }
    const adjustment = (policy.PolicyType === 'StepScaling' ? policy.StepAdjustments?.[0]?.ScalingAdjustment : policy.ScalingAdjustment) ?? 0;
    if (policy.AdjustmentType === 'ExactCapacity') return adjustment;
    if (policy.AdjustmentType === 'PercentChangeInCapacity') return desired + Math.trunc((desired * adjustment) / 100);
    return desired + adjustment;
  }

  /** A scaling activity never takes the group beyond its MinSize and MaxSize. */
  private clamp(g: GroupState, desired: number): number {
    return Math.min(Math.max(desired, g.group.MinSize ?? 0), g.group.MaxSize ?? 0);
  }

  private policyArn(group: string, name: string): string {
    return `arn:aws:autoscaling:${REGION}:${ACCOUNT}:scalingPolicy:${this.next().toString(16).padStart(8, '0')}-0000-4000-8000-000000000000:autoScalingGroupName/${group}:policyName/${name}`;
  }

  // ------------------------------------------------------------ Auto Scaling

  private createGroup(input: CreateAutoScalingGroupCommandInput, ready = false): void {
    const name = input.AutoScalingGroupName as string;
    if (this.state.groups.has(name)) throw awsError('groups', name, 'AlreadyExists', `AutoScalingGroup by this name already exists - ${name}`);
    if (!ready) this.autoScalingSees(name, input);
    if (input.LaunchConfigurationName && !this.state.launchConfigurations.has(input.LaunchConfigurationName)) {
      throw awsError('groups', name, 'ValidationError', `Launch configuration name not found - ${input.LaunchConfigurationName}`);
    }
    if (input.LaunchTemplate?.LaunchTemplateName && !this.state.templates.has(input.LaunchTemplate.LaunchTemplateName)) {
      throw awsError('groups', name, 'ValidationError', `launch template ${input.LaunchTemplate.LaunchTemplateName} not found`);
    }
    for (const lb of input.LoadBalancerNames ?? []) {
      if (!this.state.loadBalancers.has(lb)) throw awsError('groups', name, 'ValidationError', `load balancer ${lb} not found`);
    }
    for (const tg of input.TargetGroupARNs ?? []) {
      if (!this.state.targetGroups.has(tg)) throw awsError('groups', name, 'ValidationError', `target group ${tg} not found`);
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
      // As PutLifecycleHook: a heartbeat of an hour and ABANDON unless the specification says otherwise.
      hooks: (LifecycleHookSpecificationList ?? []).map((h) => ({
        HeartbeatTimeout: 3600,
        DefaultResult: 'ABANDON',
        ...h,
        AutoScalingGroupName: name,
      })),
      policies: new Map(),
      scheduledUntil: this.clock.now(),
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

  private attach(group: string, instanceIds: string[]): void {
    const g = this.groupState(group);
    const ids = [...new Set(instanceIds)].filter((id) => !g.instances.some((i) => i.id === id));
    for (const id of ids) {
      const e = this.describeInstanceNow(id);
      if (!e || e.State?.Name === 'terminated') throw awsError('groups', group, 'ValidationError', `Instance ID(s) [${id}] are invalid.`);
      if (this.groupOf(id)) throw awsError('groups', group, 'ValidationError', `The instance ${id} is already part of an Auto Scaling group.`);
      if (e.State?.Name !== 'running') {
        throw awsError(
          'groups',
          group,
          'ValidationError',
          `Instance ${id} is not in correct state: ${e.State?.Name}. Only running instances can be attached.`,
        );
      }
    }
    const min = g.group.MinSize ?? 0;
    const max = g.group.MaxSize ?? 0;
    const desired = g.group.DesiredCapacity ?? 0;
    if (desired + ids.length > max) {
      throw awsError(
        'groups',
        group,
        'ValidationError',
        `AutoScalingGroup ${group} has min-size=${min}, max-size=${max}, and desired-size=${desired}. To attach ${ids.length} instance${ids.length === 1 ? '' : 's'}, please update the AutoScalingGroup sizes appropriately.`,
      );
    }
    const now = this.clock.now();
    for (const id of ids) {
      const az = this.describeInstanceNow(id)?.Placement?.AvailabilityZone ?? g.group.AvailabilityZones?.[0] ?? 'us-east-1a';
      g.instances.push({ id, az, readyAt: now, healthy: !this.unhealthy.has(id) });
    }
    g.group.DesiredCapacity = desired + ids.length;
  }

  private detach(group: string, instanceIds: string[], decrement: boolean): void {
    const g = this.state.groups.get(group);
    if (!g) return;
    const ids = [...new Set(instanceIds)].filter((id) => g.instances.some((i) => i.id === id));
    if (ids.length === 0) return;
    if (decrement) {
      const min = g.group.MinSize ?? 0;
      const desired = (g.group.DesiredCapacity ?? 0) - ids.length;
      if (desired < min) {
        throw awsError(
          'groups',
          group,
          'ValidationError',
          `AutoScalingGroup ${group} has min-size=${min}, max-size=${g.group.MaxSize}, and desired-size=${g.group.DesiredCapacity}. To detach ${ids.length} instance${ids.length === 1 ? '' : 's'} with decrement, please update the AutoScalingGroup sizes appropriately.`,
        );
      }
      g.group.DesiredCapacity = desired;
    }
    for (const id of ids) {
      // A detached instance keeps running on its own: EC2 knows it from now on.
      if (!this.state.instances.has(id)) {
        this.state.instances.set(id, { instance: clone(this.describeInstanceNow(id) as Instance), runningAt: -Infinity });
      }
      const entry = this.state.instances.get(id) as Ec2InstanceState;
      entry.instance.Tags = (entry.instance.Tags ?? []).filter((t) => t.Key !== 'aws:autoscaling:groupName');
      g.instances = g.instances.filter((i) => i.id !== id);
      for (const tg of this.state.targetGroups.values()) if (g.group.TargetGroupARNs?.includes(tg.group.TargetGroupArn as string)) this.drain(tg, id);
    }
    this.reconcile(g); // launches replacements when the capacity was kept
  }

  private groupsPort(): GroupsPort {
    return {
      describeGroup: async (name) => {
        const g = this.state.groups.get(name);
        return g ? this.describeMembersNow(g) : undefined;
      },
      describeGroups: async (names) =>
        names.flatMap((n) => (this.state.groups.has(n) ? [this.describeMembersNow(this.state.groups.get(n) as GroupState)] : [])),
      listGroupsByTag: async (key, value) =>
        [...this.state.groups.values()]
          .filter((g) => g.group.Tags?.some((t) => t.Key === key && t.Value === value))
          .map((g) => this.describeMembersNow(g)),
      createGroup: async (input) => this.createGroup(input),
      updateGroup: async (input: UpdateAutoScalingGroupCommandInput) => {
        const g = this.groupState(input.AutoScalingGroupName as string);
        this.autoScalingSees(g.group.AutoScalingGroupName as string, input);
        const { AutoScalingGroupName: _n, ...changes } = input;
        // As AWS: a group uses one launch source; naming one drops the other.
        if (changes.LaunchTemplate) delete g.group.LaunchConfigurationName;
        if (changes.LaunchConfigurationName) delete g.group.LaunchTemplate;
        Object.assign(g.group, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
        const min = g.group.MinSize ?? 0;
        const max = g.group.MaxSize ?? 0;
        const desired = g.group.DesiredCapacity ?? 0;
        if (min > max || desired < min || desired > max) {
          throw awsError(
            'groups',
            g.group.AutoScalingGroupName,
            'ValidationError',
            `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
          );
        }
        this.reconcile(g);
      },
      deleteGroup: async (name, options = {}) => {
        const g = this.state.groups.get(name);
        if (!g) return;
        const force = options.force ?? true;
        // https://docs.aws.amazon.com/autoscaling/ec2/userguide/resource-deletion-protection.html
        const protection = g.group.DeletionProtection;
        if (protection === 'prevent-all-deletion' || (protection === 'prevent-force-deletion' && force)) {
          throw awsError('groups', name, 'ValidationError', `AutoScalingGroup ${name} has deletion protection ${protection}`);
        }
        // "If the group has instances or scaling activities in progress, you must specify the option to force
        // the deletion"; a warm pool goes with ForceDelete only (API_DeleteAutoScalingGroup).
        if (!force && (g.instances.length > 0 || (g.terminating?.length ?? 0) > 0)) {
          throw awsError('groups', name, 'ResourceInUse', 'You cannot delete an AutoScalingGroup while there are instances still in the group.');
        }
        if (!force && g.group.WarmPoolConfiguration) {
          throw awsError('groups', name, 'ResourceInUse', 'You cannot delete an AutoScalingGroup while it has a warm pool.');
        }
        for (const p of [...g.policies.keys()]) this.deletePolicyNow(name, p);
        this.state.groups.delete(name);
        // ForceDelete terminates them, those a termination hook holds too (without running the hook).
        for (const i of [...g.instances, ...(g.terminating ?? [])]) this.endInstance(i.id);
      },
      resumeProcesses: async (group, processes) => {
        const g = this.groupState(group);
        g.group.SuspendedProcesses = (g.group.SuspendedProcesses ?? []).filter((p) => !processes.includes(p.ProcessName as string));
        this.reconcile(g); // Launch resumed: the group launches what it could not
      },
      attachInstances: async (group, instanceIds) => this.attach(group, instanceIds),
      detachInstances: async (group, instanceIds, decrement) => this.detach(group, instanceIds, decrement),
      terminateInstanceInGroup: async (instanceId, decrement) => {
        const g = this.groupOf(instanceId);
        if (!g) return; // AWS: "Instance Id not found"; the port succeeds when it is gone
        if (decrement) {
          const desired = (g.group.DesiredCapacity ?? 0) - 1;
          const min = g.group.MinSize ?? 0;
          if (desired < min) {
            throw awsError(
              'groups',
              instanceId,
              'ValidationError',
              `Currently, desiredSize equals minSize (${min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
            );
          }
          g.group.DesiredCapacity = desired;
        }
        g.instances = g.instances.filter((i) => i.id !== instanceId);
        this.endInstance(instanceId);
        this.reconcile(g); // launches a replacement when the capacity was kept
      },
      suspendProcesses: async (group, processes) => {
        const g = this.groupState(group);
        const have = new Set(g.group.SuspendedProcesses?.map((p) => p.ProcessName));
        for (const p of processes) if (!have.has(p)) g.group.SuspendedProcesses?.push({ ProcessName: p, SuspensionReason: 'User suspended' });
        // Instances not yet InService are never added to the load balancers: "it does not add the instances
        // that were launched while this process was suspended" (understand-how-suspending-processes-affects-other-processes).
        if (processes.includes('AddToLoadBalancer')) {
          for (const i of g.instances) if (this.clock.now() < this.readyAtOf(i)) i.notInFront = true;
        }
      },
      enableMetrics: async (group, metrics, granularity) => {
        const g = this.groupState(group);
        const have = new Set(g.group.EnabledMetrics?.map((m) => m.Metric));
        for (const m of metrics) if (!have.has(m)) g.group.EnabledMetrics?.push({ Metric: m, Granularity: granularity });
      },
      describeLifecycleHooks: async (group) => clone(this.state.groups.get(group)?.hooks ?? []),
      completeLifecycleAction: async (group, hook, instanceId, result) => {
        const wait = this.groupState(group)
          .instances.find((i) => i.id === instanceId)
          ?.waits?.find((w) => w.hook === hook && w.doneAt === undefined && this.clock.now() < w.until);
        // AWS: ValidationError "No active Lifecycle Action found"; the port takes it as done.
        if (!wait) return;
        wait.doneAt = this.clock.now();
        wait.result = result;
      },
      putLifecycleHook: async (input: PutLifecycleHookCommandInput) => {
        const g = this.groupState(input.AutoScalingGroupName as string);
        g.hooks = g.hooks.filter((h) => h.LifecycleHookName !== input.LifecycleHookName);
        g.hooks.push({ HeartbeatTimeout: 3600, DefaultResult: 'ABANDON', ...clone(input) });
      },
      describePolicies: async (group) => this.describePoliciesNow(group),
      putPolicy: async (input) => this.putPolicy(input),
      deletePolicy: async (group, name) => this.deletePolicyNow(group, name),
      describeScheduledActions: async (group) => clone(this.state.groups.get(group)?.scheduled ?? []),
      putScheduledAction: async (input) => {
        const g = this.groupState(input.AutoScalingGroupName as string);
        // "If you try to schedule your action in the past, Amazon EC2 Auto Scaling returns an error message."
        // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html
        if (input.StartTime && new Date(input.StartTime).getTime() < this.clock.now()) {
          throw awsError('groups', g.group.AutoScalingGroupName, 'ValidationError', 'Given start time is in the past');
        }
        this.addScheduledAction(input);
      },
      describeNotifications: async (group) => clone(this.state.groups.get(group)?.notifications ?? []),
      putNotification: async (group, topic, types) => {
        const g = this.groupState(group);
        g.notifications = [
          ...(g.notifications ?? []).filter((n) => n.TopicARN !== topic),
          ...types.map((t) => ({ AutoScalingGroupName: group, TopicARN: topic, NotificationType: t })),
        ];
      },
      deleteWarmPool: async (group) => {
        const g = this.state.groups.get(group);
        // Its instances terminate first (none are modelled): PendingDelete, gone on a later call.
        if (g?.group.WarmPoolConfiguration) g.group.WarmPoolConfiguration = { ...g.group.WarmPoolConfiguration, Status: 'PendingDelete' };
      },
      putWarmPool: async (input) => {
        const g = this.groupState(input.AutoScalingGroupName as string);
        const { AutoScalingGroupName: _name, ...pool } = clone(input);
        g.group.WarmPoolConfiguration = { PoolState: 'Stopped', ...pool };
        g.group.WarmPoolSize = 0;
      },
    };
  }

  // ------------------------------------------------------------ launch

  private createLaunchConfiguration(input: CreateLaunchConfigurationCommandInput): void {
    const name = input.LaunchConfigurationName as string;
    if (this.state.launchConfigurations.has(name))
      throw awsError('launch', name, 'AlreadyExists', `Launch Configuration by this name already exists - ${name}`);
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
          if (g.group.LaunchConfigurationName === name)
            throw awsError(
              'launch',
              name,
              'ResourceInUse',
              `Cannot delete launch configuration ${name} because it is attached to AutoScalingGroup ${g.group.AutoScalingGroupName}`,
            );
        }
        this.state.launchConfigurations.delete(name);
      },
      describeLaunchTemplateVersion: async (template, version) => {
        const t = [...this.state.templates.values()].find((x) => (template.id ? x.id === template.id : x.name === template.name));
        if (!t || this.unseen(`launch-template ${t.id}`)) return undefined;
        const n = version === '$Latest' ? Math.max(...t.versions.keys()) : version === '$Default' ? t.defaultVersion : Number(version);
        const data = t.versions.get(n);
        return data
          ? ({
              LaunchTemplateId: t.id,
              LaunchTemplateName: t.name,
              VersionNumber: n,
              DefaultVersion: n === t.defaultVersion,
              LaunchTemplateData: clone(data),
            } satisfies LaunchTemplateVersion)
          : undefined;
      },
      findLaunchTemplate: async (name) => {
        const t = this.state.templates.get(name);
        return t && !this.unseen(`launch-template ${t.id}`) ? { id: t.id, version: 1 } : undefined;
      },
      createLaunchTemplate: async (input: CreateLaunchTemplateCommandInput) => {
        const name = input.LaunchTemplateName as string;
        if (this.state.templates.has(name))
          throw awsError('launch', name, 'InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
        const id = `lt-${this.next().toString(16).padStart(17, '0')}`;
        this.state.templates.set(name, {
          id,
          name,
          versions: new Map([[1, clone(input.LaunchTemplateData) as ResponseLaunchTemplateData]]),
          defaultVersion: 1,
          tags: input.TagSpecifications?.find((s) => s.ResourceType === 'launch-template')?.Tags ?? [],
        });
        this.hide(`launch-template ${id}`);
        if (this.autoScalingLagCalls > 0) this.notVisible.set(`auto-scaling launch-template ${name}`, this.autoScalingLagCalls);
        return { id, version: 1 };
      },
      deleteLaunchTemplate: async (name) => {
        for (const g of this.state.groups.values()) {
          if (g.group.LaunchTemplate?.LaunchTemplateName === name)
            throw awsError('launch', name, 'ResourceInUse', `launch template ${name} is used by ${g.group.AutoScalingGroupName}`);
        }
        const t = this.state.templates.get(name);
        // Not visible yet: AWS answers InvalidLaunchTemplateName.NotFoundException, which the adapter takes as "already gone".
        if (t && this.unseen(`launch-template ${t.id}`)) return;
        this.state.templates.delete(name);
      },
    };
  }

  // ------------------------------------------------------------ images

  private imagesPort(): ImagesPort {
    return {
      describeImage: async (id: string) => (this.unseen(`image ${id}`) ? undefined : clone(this.state.images.get(id))),
      findImageByName: async (name) => {
        const found = [...this.state.images.values()].find(
          (i) => i.Name === name && (i.OwnerId === undefined || i.OwnerId === ACCOUNT) && i.State !== 'deregistered',
        );
        return found && !this.unseen(`image ${found.ImageId}`) ? clone(found) : undefined;
      },
      createImage: async (input: CreateImageCommandInput) => {
        const name = input.Name as string;
        const instance = input.InstanceId ? this.describeInstanceNow(input.InstanceId) : undefined;
        if (!instance || instance.State?.Name === 'terminated' || this.unseen(`instance ${input.InstanceId}`)) {
          throw awsError('images', name, 'InvalidInstanceID.NotFound', `The instance ID '${input.InstanceId}' does not exist`);
        }
        // The name is taken (InvalidAMIName.Duplicate names the image holding it): that image, as the adapter gives it.
        const taken = [...this.state.images.values()].find((i) => i.Name === name && i.State !== 'deregistered');
        if (taken) return taken.ImageId as string;
        const n = this.next();
        const imageId = `ami-${n.toString(16).padStart(17, '0')}`;
        const snapshotId = `snap-${n.toString(16).padStart(17, '0')}`;
        const tagsFor = (type: string) => clone(input.TagSpecifications?.find((t) => t.ResourceType === type)?.Tags ?? []);
        this.state.snapshots.set(snapshotId, { SnapshotId: snapshotId, ImageId: imageId, Tags: tagsFor('snapshot') });
        this.state.images.set(imageId, {
          ImageId: imageId,
          Name: name,
          ...(input.Description ? { Description: input.Description } : {}),
          OwnerId: ACCOUNT,
          State: 'pending',
          SourceInstanceId: input.InstanceId,
          RootDeviceName: '/dev/xvda',
          RootDeviceType: 'ebs',
          BlockDeviceMappings: [
            { DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshotId, VolumeSize: 8, VolumeType: 'gp3', DeleteOnTermination: true } },
          ],
          Tags: tagsFor('image'),
        });
        this.imageReadyAt.set(imageId, this.clock.now() + this.imageAvailableAfterSeconds * 1000);
        this.hide(`image ${imageId}`);
        this.tick();
        return imageId;
      },
      deleteImage: async (imageId) => {
        const image = this.state.images.get(imageId);
        // Not visible yet: the adapter's DescribeImages answers InvalidAMIID.NotFound, which it takes as "already gone".
        if (!image || this.unseen(`image ${imageId}`)) return;
        this.state.images.delete(imageId);
        this.imageReadyAt.delete(imageId);
        for (const m of image.BlockDeviceMappings ?? []) if (m.Ebs?.SnapshotId) this.state.snapshots.delete(m.Ebs.SnapshotId);
      },
      deleteSnapshot: async (snapshotId) => {
        const snapshot = this.state.snapshots.get(snapshotId);
        if (!snapshot) return; // InvalidSnapshot.NotFound: already gone
        const image = this.state.images.get(snapshot.ImageId);
        // "You cannot delete a snapshot of the root device of an EBS volume used by a registered AMI" (DeleteSnapshot).
        if (image && image.State !== 'deregistered') {
          throw awsError(
            'DeleteSnapshot',
            `snapshot ${snapshotId}`,
            'InvalidSnapshot.InUse',
            `The snapshot ${snapshotId} is currently in use by ${snapshot.ImageId}`,
          );
        }
        this.state.snapshots.delete(snapshotId);
      },
    };
  }

  // ------------------------------------------------------------ instances

  private runInstances(input: RunInstancesCommandInput, ready = false): Instance[] {
    const token = input.ClientToken;
    if (token && this.clientTokens.has(token)) {
      // Same token: the same instances, nothing new (AWS keeps tokens for at least a few hours).
      return (this.clientTokens.get(token) as string[]).map((id) => this.state.instances.get(id)?.instance as Instance);
    }
    let image = input.ImageId;
    if (!image && input.LaunchTemplate) {
      const t = [...this.state.templates.values()].find(
        (x) => x.name === input.LaunchTemplate?.LaunchTemplateName || x.id === input.LaunchTemplate?.LaunchTemplateId,
      );
      if (t && this.unseen(`launch-template ${t.id}`)) {
        throw awsError(
          'instances',
          'RunInstances',
          'InvalidLaunchTemplateId.NotFound',
          `The specified launch template, with template ID ${t.id}, does not exist`,
        );
      }
      image = t?.versions.get(t.defaultVersion)?.ImageId;
    }
    if (!image) throw awsError('instances', 'RunInstances', 'MissingParameter', 'The request must contain the parameter ImageId');
    const count = input.MaxCount ?? input.MinCount ?? 1;
    const now = this.clock.now();
    const tags = clone(input.TagSpecifications?.find((t) => t.ResourceType === 'instance')?.Tags ?? []);
    const az = input.Placement?.AvailabilityZone ?? 'us-east-1a';
    const out: Instance[] = [];
    for (let i = 0; i < count; i++) {
      const n = this.next();
      const id = `i-${n.toString(16).padStart(17, '0')}`;
      const running = ready || this.runningAfterSeconds <= 0;
      const instance: Instance = {
        InstanceId: id,
        ImageId: image,
        InstanceType: input.InstanceType ?? 'm1.small',
        State: running ? { Code: 16, Name: 'running' } : { Code: 0, Name: 'pending' },
        PrivateIpAddress: this.privateIp(n),
        Placement: { AvailabilityZone: az },
        LaunchTime: new Date(now),
        AmiLaunchIndex: i,
        ...(input.SubnetId ? { SubnetId: input.SubnetId } : {}),
        ...(input.KeyName ? { KeyName: input.KeyName } : {}),
        ...(input.IamInstanceProfile
          ? {
              IamInstanceProfile: {
                Arn: input.IamInstanceProfile.Arn ?? `arn:aws:iam::${ACCOUNT}:instance-profile/${input.IamInstanceProfile.Name}`,
              },
            }
          : {}),
        SecurityGroups: (input.SecurityGroupIds ?? []).map((GroupId) => ({ GroupId })),
        Tags: clone(tags),
        ...(token ? { ClientToken: token } : {}),
      };
      this.state.instances.set(id, { instance, runningAt: running ? now : now + this.runningAfterSeconds * 1000 });
      if (!ready) this.hide(`instance ${id}`);
      out.push(instance);
    }
    if (token)
      this.clientTokens.set(
        token,
        out.map((i) => i.InstanceId as string),
      );
    return out;
  }

  private instancesPort(): InstancesPort {
    return {
      run: async (input) => this.runInstances(input),
      describe: async (ids) =>
        [...new Set(ids)].flatMap((id) => {
          const found = this.describeInstanceNow(id);
          return found && !this.unseen(`instance ${id}`) ? [clone(found)] : [];
        }),
      listByTag: async (key, value) => {
        const live = ['pending', 'running', 'stopping', 'stopped'];
        const standalone = [...this.state.instances.keys()];
        const members = [...this.state.groups.values()].flatMap((g) => g.instances.map((i) => i.id)).filter((id) => !this.state.instances.has(id));
        return [...standalone, ...members]
          .map((id) => this.describeInstanceNow(id) as Instance)
          .filter((i) => live.includes(i.State?.Name as string) && i.Tags?.some((t) => t.Key === key && t.Value === value))
          .filter((i) => !this.unseen(`instance ${i.InstanceId}`))
          .map(clone);
      },
      terminate: async (ids) => {
        const notFound: string[] = [];
        for (const id of new Set(ids)) {
          const g = this.groupOf(id);
          if (this.unseen(`instance ${id}`)) {
            notFound.push(id); // InvalidInstanceID.NotFound: the instance runs on
          } else if (g) {
            // Terminated behind the group's back: the group launches a replacement (health check replaces it).
            g.instances = g.instances.filter((i) => i.id !== id);
            this.endInstance(id);
            this.reconcile(g);
          } else if (this.state.instances.has(id)) {
            this.endInstance(id);
          } else {
            notFound.push(id);
          }
        }
        return notFound;
      },
    };
  }

  // ------------------------------------------------------------ classic load balancers

  private createLoadBalancer(input: CreateLoadBalancerCommandInput): string {
    const name = input.LoadBalancerName as string;
    const existing = this.state.loadBalancers.get(name);
    if (existing) return existing.description.DNSName as string;
    const dns = `${input.Scheme === 'internal' ? 'internal-' : ''}${name}-${1000000000 + name.length * 7919}.${REGION}.elb.amazonaws.com`;
    // "If you create an HTTPS/SSL listener without associating a security policy, Elastic Load Balancing
    // associates the default predefined security policy, ELBSecurityPolicy-2016-08"
    // (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/ssl-config-update.html); it is then
    // one of the load balancer's own policies, its attributes expanded from the predefined one
    // (https://repost.aws/knowledge-center/elb-listener-policy-cli).
    const secure = (l: { Protocol?: string }) => ['HTTPS', 'SSL'].includes((l.Protocol ?? '').toUpperCase());
    const tls = (input.Listeners ?? []).some(secure);
    this.state.loadBalancers.set(name, {
      ...(tls ? { policies: [sslNegotiationPolicy(DEFAULT_SECURITY_POLICY, DEFAULT_SECURITY_POLICY)] } : {}),
      description: {
        LoadBalancerName: name,
        DNSName: dns,
        ...(this.omitCanonicalZone ? {} : { CanonicalHostedZoneNameID: 'Z35SXDOTRQ7X7K', CanonicalHostedZoneName: dns }),
        ListenerDescriptions: (input.Listeners ?? []).map((l) => ({ Listener: clone(l), PolicyNames: secure(l) ? [DEFAULT_SECURITY_POLICY] : [] })),
        ...(tls ? { Policies: { AppCookieStickinessPolicies: [], LBCookieStickinessPolicies: [], OtherPolicies: [DEFAULT_SECURITY_POLICY] } } : {}),
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
            .flatMap((g) => g.instances.filter((i) => !i.notInFront).map((i) => ({ InstanceId: i.id })));
          for (const id of Object.keys(this.state.classicRegistrations.get(n) ?? {})) {
            if (!instances.some((i) => i.InstanceId === id)) instances.push({ InstanceId: id });
          }
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
        this.state.classicRegistrations.delete(name);
      },
      registerInstances: async (name, ids) => {
        lb(name);
        for (const id of ids) {
          const found = this.describeInstanceNow(id);
          if (!found || found.State?.Name === 'terminated')
            throw awsError('classicLoadBalancers', name, 'InvalidInstance', `The specified EndPoint is not valid: ${id}`);
        }
        const registered = this.state.classicRegistrations.get(name) ?? {};
        for (const id of ids) registered[id] ??= this.clock.now();
        this.state.classicRegistrations.set(name, registered);
      },
      deregisterInstances: async (name, ids) => {
        const registered = this.state.classicRegistrations.get(name);
        if (!registered) return;
        for (const id of ids) delete registered[id];
        if (Object.keys(registered).length === 0) this.state.classicRegistrations.delete(name);
      },
      instanceHealth: async (name): Promise<InstanceState[]> => {
        lb(name);
        const now = this.clock.now();
        const inService = (id: string) => ({ InstanceId: id, State: 'InService', ReasonCode: 'N/A', Description: 'N/A' });
        const outOfService = (id: string) => ({
          InstanceId: id,
          State: 'OutOfService',
          ReasonCode: 'Instance',
          Description: 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.',
        });
        const states: InstanceState[] = [...this.state.groups.values()]
          .filter((g) => g.group.LoadBalancerNames?.includes(name))
          .flatMap((g) =>
            g.instances.filter((i) => !i.notInFront).map((i) => (now >= this.readyAtOf(i) && i.healthy ? inService(i.id) : outOfService(i.id))),
          );
        for (const [id, at] of Object.entries(this.state.classicRegistrations.get(name) ?? {})) {
          if (states.some((s) => s.InstanceId === id)) continue;
          states.push(this.registrationHealthy(id, at) ? inService(id) : outOfService(id));
        }
        return states;
      },
      describePolicies: async (name) => clone(lb(name).policies ?? []),
      createPolicy: async (name, policy) => {
        const found = lb(name);
        const policies = (found.policies ??= []);
        // AWS answers DuplicatePolicyName; the port takes an existing policy of that name as done.
        if (policies.some((p) => p.PolicyName === policy.PolicyName)) return;
        const reference = policy.PolicyAttributeDescriptions?.find((a) => a.AttributeName === REFERENCE_SECURITY_POLICY)?.AttributeValue;
        // A policy made from a predefined one is described with that one's protocols and ciphers expanded.
        policies.push(
          policy.PolicyTypeName === 'SSLNegotiationPolicyType' && reference
            ? sslNegotiationPolicy(policy.PolicyName as string, reference)
            : clone(policy),
        );
        const summary = (found.description.Policies ??= { AppCookieStickinessPolicies: [], LBCookieStickinessPolicies: [], OtherPolicies: [] });
        const attr = (key: string) => policy.PolicyAttributeDescriptions?.find((a) => a.AttributeName === key)?.AttributeValue;
        if (policy.PolicyTypeName === 'LBCookieStickinessPolicyType') {
          (summary.LBCookieStickinessPolicies ??= []).push({
            PolicyName: policy.PolicyName,
            CookieExpirationPeriod: Number(attr('CookieExpirationPeriod') ?? 0),
          });
        } else if (policy.PolicyTypeName === 'AppCookieStickinessPolicyType') {
          (summary.AppCookieStickinessPolicies ??= []).push({ PolicyName: policy.PolicyName, CookieName: attr('CookieName') });
        } else {
          (summary.OtherPolicies ??= []).push(policy.PolicyName as string);
        }
      },
      // https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_SetLoadBalancerPoliciesOfListener.html:
      // the policies replace the listener's; each must exist (PolicyNotFound), the listener too (ListenerNotFound).
      setListenerPolicies: async (name, port, names) => {
        const found = lb(name);
        const listener = found.description.ListenerDescriptions?.find((l) => l.Listener?.LoadBalancerPort === port);
        if (!listener) throw awsError('classicLoadBalancers', name, 'ListenerNotFound', `There is no listener on port ${port}`);
        for (const n of names) {
          if (!(found.policies ?? []).some((p) => p.PolicyName === n))
            throw awsError('classicLoadBalancers', name, 'PolicyNotFound', `There is no policy named ${n}`);
        }
        listener.PolicyNames = [...names];
      },
      // https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_SetLoadBalancerPoliciesForBackendServer.html
      setBackendPolicies: async (name, port, names) => {
        const found = lb(name);
        for (const n of names) {
          if (!(found.policies ?? []).some((p) => p.PolicyName === n))
            throw awsError('classicLoadBalancers', name, 'PolicyNotFound', `There is no policy named ${n}`);
        }
        const backends = (found.description.BackendServerDescriptions ?? []).filter((b) => b.InstancePort !== port);
        found.description.BackendServerDescriptions = names.length > 0 ? [...backends, { InstancePort: port, PolicyNames: [...names] }] : backends;
      },
    };
  }

  /** A registered instance passes health checks: running, not marked unhealthy, registered long enough. */
  private registrationHealthy(id: string, registeredAt: number): boolean {
    const delay = this.healthyAfterRegistrationSeconds;
    if (delay === null || this.unhealthy.has(id) || !this.isRunning(id)) return false;
    const e = this.state.instances.get(id);
    const since = Math.max(registeredAt, e ? e.runningAt : -Infinity);
    return this.clock.now() >= since + delay * 1000;
  }

  // ------------------------------------------------------------ target groups

  private targetGroupsPort(): TargetGroupsPort {
    const tg = (arn: string) => {
      const found = this.state.targetGroups.get(arn);
      if (!found) throw awsError('targetGroups', arn, 'TargetGroupNotFound', 'One or more target groups not found');
      return found;
    };
    return {
      describe: async (arns) => [...new Set(arns)].flatMap((arn) => (this.state.targetGroups.has(arn) ? [this.describeTargetGroupNow(tg(arn))] : [])),
      attributes: async (arn) => clone(tg(arn).attributes),
      health: async (arn): Promise<TargetHealthDescription[]> => {
        const group = tg(arn);
        const targets: Record<string, TargetState> = { ...group.targets };
        // Members of a group attached to this target group are registered through it when they go
        // InService (never, for a group whose instances never do).
        for (const g of this.state.groups.values()) {
          if (!g.group.TargetGroupARNs?.includes(arn)) continue;
          for (const i of g.instances) if (!i.notInFront) targets[i.id] ??= { registeredAt: i.healthy ? this.readyAtOf(i) : Infinity };
        }
        return Object.entries(targets).map(([id, t]) => {
          const target = { Id: id, Port: t.port ?? group.group.Port };
          const override = this.targetHealthOverrides.get(id);
          let health: TargetHealthDescription['TargetHealth'];
          if (t.drainingUntil !== undefined) {
            health = { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' };
          } else if (override) {
            health = { State: override.state, ...(override.reason ? { Reason: override.reason as never } : {}) };
          } else if (!this.describeInstanceNow(id) || !['running', 'pending'].includes(this.describeInstanceNow(id)?.State?.Name as string)) {
            health = { State: 'unused', Reason: 'Target.InvalidState', Description: 'Target is in the stopped or terminated state' };
          } else if (this.unhealthy.has(id)) {
            health = { State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' };
          } else if (this.registrationHealthy(id, t.registeredAt)) {
            health = { State: 'healthy' };
          } else {
            health = { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' };
          }
          return { Target: target, HealthCheckPort: 'traffic-port', TargetHealth: health };
        });
      },
      register: async (arn, ids, port) => {
        const group = tg(arn);
        for (const id of ids) {
          const found = this.describeInstanceNow(id);
          if (!found || found.State?.Name === 'terminated') {
            throw awsError(
              'targetGroups',
              arn,
              'InvalidTarget',
              'The following targets are not in a running state and cannot be registered: ' + `'${id}'`,
            );
          }
        }
        for (const id of ids) {
          const existing = group.targets[id];
          // Registering a draining target again makes it a fresh registration.
          if (!existing || existing.drainingUntil !== undefined)
            group.targets[id] = { registeredAt: this.clock.now(), ...(port === undefined ? {} : { port }) };
        }
      },
      deregister: async (arn, ids) => {
        const group = this.state.targetGroups.get(arn);
        if (!group) return;
        for (const id of ids) this.drain(group, id);
      },
      create: async (input) => this.createTargetGroup(input),
      findByName: async (name) => {
        const found = [...this.state.targetGroups.values()].find((g) => g.group.TargetGroupName === name);
        return found ? this.describeTargetGroupNow(found) : undefined;
      },
      modifyAttributes: async (arn, attributes) => {
        const group = tg(arn);
        for (const a of attributes) {
          if (!a.Key || a.Value === undefined) throw awsError('targetGroups', arn, 'ValidationError', 'An attribute needs a Key and a Value');
        }
        for (const a of attributes) {
          const existing = group.attributes.find((x) => x.Key === a.Key);
          if (existing) existing.Value = a.Value;
          else group.attributes.push({ Key: a.Key, Value: a.Value });
        }
      },
      tags: async (arns) =>
        Object.fromEntries(
          [...new Set(arns)].flatMap((arn) => {
            const group = this.state.targetGroups.get(arn);
            return group ? [[arn, clone(group.tags ?? [])]] : [];
          }),
        ),
      delete: async (arn) => {
        if (!this.state.targetGroups.has(arn)) return;
        const user = [...this.state.listeners.values()].find(
          (l) => forwardsTo(l.listener.DefaultActions, arn) || l.rules.some((r) => forwardsTo(r.Actions, arn)),
        );
        if (user) {
          throw awsError('targetGroups', arn, 'ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`);
        }
        this.state.targetGroups.delete(arn);
      },
    };
  }

  /** As DescribeTargetGroups answers: LoadBalancerArns are the load balancers whose listeners forward to it. */
  private describeTargetGroupNow(state: TargetGroupState): TargetGroup {
    const arn = state.group.TargetGroupArn as string;
    const lbs = new Set(state.group.LoadBalancerArns ?? []);
    for (const l of this.state.listeners.values()) {
      if (forwardsTo(l.listener.DefaultActions, arn) || l.rules.some((r) => forwardsTo(r.Actions, arn))) {
        lbs.add(l.listener.LoadBalancerArn as string);
      }
    }
    return { ...clone(state.group), LoadBalancerArns: [...lbs] };
  }

  /** The settings CreateTargetGroup compares when the name exists (the same: the existing group is returned). */
  private static readonly TARGET_GROUP_SETTINGS = [
    'Protocol',
    'ProtocolVersion',
    'Port',
    'VpcId',
    'TargetType',
    'IpAddressType',
    'HealthCheckProtocol',
    'HealthCheckPort',
    'HealthCheckEnabled',
    'HealthCheckPath',
    'HealthCheckIntervalSeconds',
    'HealthCheckTimeoutSeconds',
    'HealthyThresholdCount',
    'UnhealthyThresholdCount',
  ] as const;

  private createTargetGroup(input: CreateTargetGroupCommandInput): TargetGroup {
    const name = input.Name as string;
    if (!name || !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name)) {
      throw awsError(
        'targetGroups',
        name ?? '?',
        'ValidationError',
        `Target group name '${name}' must be 1-32 letters, digits or hyphens, not starting or ending with a hyphen`,
      );
    }
    const settings: Partial<TargetGroup> = {
      Protocol: input.Protocol ?? 'HTTP',
      Port: input.Port ?? 80,
      VpcId: input.VpcId ?? 'vpc-0fake',
      TargetType: input.TargetType ?? 'instance',
      HealthCheckProtocol: input.HealthCheckProtocol ?? input.Protocol ?? 'HTTP',
      HealthCheckPort: input.HealthCheckPort ?? 'traffic-port',
      HealthCheckEnabled: input.HealthCheckEnabled ?? true,
      HealthCheckPath: input.HealthCheckPath ?? '/',
      HealthCheckIntervalSeconds: input.HealthCheckIntervalSeconds ?? 30,
      HealthCheckTimeoutSeconds: input.HealthCheckTimeoutSeconds ?? 5,
      HealthyThresholdCount: input.HealthyThresholdCount ?? 5,
      UnhealthyThresholdCount: input.UnhealthyThresholdCount ?? 2,
      ...(input.ProtocolVersion || ['HTTP', 'HTTPS'].includes(input.Protocol ?? 'HTTP') ? { ProtocolVersion: input.ProtocolVersion ?? 'HTTP1' } : {}),
      IpAddressType: input.IpAddressType ?? 'ipv4',
      ...(input.Matcher ? { Matcher: clone(input.Matcher) } : { Matcher: { HttpCode: '200' } }),
    };
    const existing = [...this.state.targetGroups.values()].find((g) => g.group.TargetGroupName === name);
    if (existing) {
      const differs = FakeAws.TARGET_GROUP_SETTINGS.some(
        (key) => input[key as keyof CreateTargetGroupCommandInput] !== undefined && existing.group[key] !== settings[key],
      );
      if (differs)
        throw awsError('targetGroups', name, 'DuplicateTargetGroupName', 'A target group with the same name exists, but with different settings');
      return this.describeTargetGroupNow(existing);
    }
    const arn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}/${this.next().toString(16).padStart(16, '0')}`;
    const state: TargetGroupState = {
      group: { TargetGroupArn: arn, TargetGroupName: name, ...settings, LoadBalancerArns: [] },
      // AWS's defaults; a copy of another group sets its attributes with ModifyTargetGroupAttributes.
      attributes: Object.entries({
        'deregistration_delay.timeout_seconds': '300',
        'stickiness.enabled': 'false',
        'stickiness.type': 'lb_cookie',
        'stickiness.lb_cookie.duration_seconds': '86400',
        'slow_start.duration_seconds': '0',
        'load_balancing.algorithm.type': 'round_robin',
      }).map(([Key, Value]) => ({ Key, Value })),
      targets: {},
      tags: clone(input.Tags ?? []),
    };
    this.state.targetGroups.set(arn, state);
    return this.describeTargetGroupNow(state);
  }

  // ------------------------------------------------------------ listeners

  /**
   * Checks actions as ModifyListener/ModifyRule do and returns them as AWS describes them: a forward to
   * one group has TargetGroupArn and a ForwardConfig (weight 1 unless given); to several, a ForwardConfig only.
   * As AWS documents:
   *  - a target group serves one load balancer ("Load balancers per target group: 1", not adjustable,
   *    https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html; the
   *    LoadBalancerArns of API_TargetGroup: "You can use each target group with only one load balancer"):
   *    forwarding from `loadBalancerArn` to a group another load balancer forwards to is TargetGroupAssociationLimit;
   *  - target group stickiness, when enabled, needs DurationSeconds, 1-604800 seconds
   *    (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupStickinessConfig.html:
   *    "You must specify this value when enabling target group stickiness").
   */
  private checkActions(actions: Action[], resource: string, loadBalancerArn: string): Action[] {
    if (actions.length === 0) throw awsError('listeners', resource, 'ValidationError', 'At least one action is required');
    return actions.map((given) => {
      const action = clone(given);
      if (action.Type !== 'forward') return action;
      const groups = action.ForwardConfig?.TargetGroups ?? (action.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn }] : []);
      if (groups.length === 0) throw awsError('listeners', resource, 'ValidationError', 'A forward action needs a target group');
      if (groups.length > 5) throw awsError('listeners', resource, 'TooManyTargetGroups', 'A forward action can have at most 5 target groups');
      if (action.TargetGroupArn && action.ForwardConfig && (groups.length !== 1 || groups[0]?.TargetGroupArn !== action.TargetGroupArn)) {
        throw awsError(
          'listeners',
          resource,
          'ValidationError',
          'With both TargetGroupArn and ForwardConfig, ForwardConfig must hold that one target group only',
        );
      }
      for (const g of groups) {
        if (!g.TargetGroupArn || !this.state.targetGroups.has(g.TargetGroupArn)) {
          throw awsError('listeners', resource, 'TargetGroupNotFound', `Target group '${g.TargetGroupArn}' not found`);
        }
        if (g.Weight !== undefined && (!Number.isInteger(g.Weight) || g.Weight < 0 || g.Weight > 999)) {
          throw awsError('listeners', resource, 'ValidationError', `Weight ${g.Weight} must be an integer from 0 to 999`);
        }
        const other = this.describeTargetGroupNow(this.state.targetGroups.get(g.TargetGroupArn) as TargetGroupState).LoadBalancerArns?.find(
          (lb) => lb !== loadBalancerArn,
        );
        if (other) {
          throw awsError(
            'listeners',
            resource,
            'TargetGroupAssociationLimit',
            `Target group '${g.TargetGroupArn}' is already associated with load balancer '${other}'; a target group can be used with only one load balancer`,
          );
        }
      }
      const stickiness = action.ForwardConfig?.TargetGroupStickinessConfig;
      if (stickiness?.Enabled) {
        const d = stickiness.DurationSeconds;
        if (d === undefined || !Number.isInteger(d) || d < 1 || d > 604800) {
          throw awsError(
            'listeners',
            resource,
            'ValidationError',
            `Target group stickiness duration ${d} must be an integer from 1 to 604800 seconds`,
          );
        }
      }
      const forward = {
        TargetGroups: groups.map((g) => ({ TargetGroupArn: g.TargetGroupArn, Weight: g.Weight ?? 1 })),
        TargetGroupStickinessConfig: clone(action.ForwardConfig?.TargetGroupStickinessConfig ?? { Enabled: false }),
      };
      const { TargetGroupArn: _arn, ForwardConfig: _config, ...rest } = action;
      return groups.length === 1
        ? { ...rest, TargetGroupArn: groups[0]?.TargetGroupArn, ForwardConfig: forward }
        : { ...rest, ForwardConfig: forward };
    });
  }

  private listenerState(arn: string): ListenerState {
    const found = this.state.listeners.get(arn);
    if (!found) throw awsError('listeners', arn, 'ListenerNotFound', 'One or more listeners not found');
    return found;
  }

  /** The listener's rules as DescribeRules gives them: by priority, the default rule last. */
  private rulesNow(arn: string, l: ListenerState): Rule[] {
    const byPriority = [...l.rules].sort((a, b) => Number(a.Priority) - Number(b.Priority));
    const defaultRule: Rule = {
      RuleArn: `${arn.replace(':listener/', ':listener-rule/')}/default`,
      Priority: 'default',
      Conditions: [],
      Actions: clone(l.listener.DefaultActions ?? []),
      IsDefault: true,
    };
    return [...clone(byPriority), defaultRule];
  }

  private listenersPort(): ListenersPort {
    return {
      describe: async (arn) => clone(this.state.listeners.get(arn)?.listener),
      ofLoadBalancer: async (lbArn) =>
        [...this.state.listeners.values()].filter((l) => l.listener.LoadBalancerArn === lbArn).map((l) => clone(l.listener)),
      rules: async (arn) => this.rulesNow(arn, this.listenerState(arn)),
      modify: async (arn, defaultActions) => {
        const l = this.listenerState(arn);
        l.listener.DefaultActions = this.checkActions(defaultActions, arn, l.listener.LoadBalancerArn as string); // all or nothing
      },
      modifyRule: async (ruleArn, actions) => {
        for (const [arn, l] of this.state.listeners) {
          if (ruleArn === `${arn.replace(':listener/', ':listener-rule/')}/default`) {
            throw awsError('listeners', ruleArn, 'OperationNotPermitted', 'The default rule cannot be modified with ModifyRule: use ModifyListener');
          }
          const rule = l.rules.find((r) => r.RuleArn === ruleArn);
          if (rule) {
            rule.Actions = this.checkActions(actions, ruleArn, l.listener.LoadBalancerArn as string); // all or nothing
            return;
          }
        }
        throw awsError('listeners', ruleArn, 'RuleNotFound', 'One or more rules not found');
      },
      loadBalancer: async (arn) => clone(this.state.albs.get(arn)),
    };
  }

  // ------------------------------------------------------------ SSM

  /** PingStatus as DescribeInstanceInformation would say; undefined: not a managed instance. */
  private pingStatusOf(id: string): string | undefined {
    const override = this.pingOverrides.get(id);
    if (override !== undefined) return override ?? undefined;
    const instance = this.describeInstanceNow(id);
    const state = instance?.State?.Name;
    if (!instance || state === 'pending' || this.ssmOnlineAfterSeconds === null) return undefined;
    if (state !== 'running') return state === 'terminated' ? 'Inactive' : 'ConnectionLost';
    const e = this.state.instances.get(id);
    const since = e ? e.runningAt : -Infinity;
    return this.clock.now() >= since + this.ssmOnlineAfterSeconds * 1000 ? 'Online' : undefined;
  }

  private ssmPort(): SsmPort {
    return {
      pingStatus: async (ids) =>
        Object.fromEntries(
          [...new Set(ids)].flatMap((id) => {
            const status = this.pingStatusOf(id);
            return status ? [[id, status]] : [];
          }),
        ),
      sendShellCommand: async (instanceIds, commands, comment, timeoutSeconds) => {
        if (instanceIds.length === 0 || instanceIds.length > 50) {
          throw awsError('ssm', 'SendCommand', 'ValidationException', `InstanceIds: between 1 and 50 ids (got ${instanceIds.length})`);
        }
        const unmanaged = instanceIds.filter((id) => this.pingStatusOf(id) === undefined);
        if (unmanaged.length) throw awsError('ssm', unmanaged.join(', '), 'InvalidInstanceId', 'Instances not in a valid state for account');
        const commandId = `${this.next().toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
        const results: Record<string, Required<SsmResult>> = {};
        for (const id of instanceIds) {
          const r = this.onSsmCommand?.(id, clone(commands)) ?? this.ssmResults.get(id) ?? { exitCode: 0 };
          results[id] = { exitCode: r.exitCode, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds: r.seconds ?? this.ssmCommandSeconds };
        }
        this.state.ssmCommands.set(commandId, {
          commandId,
          instanceIds: [...instanceIds],
          commands: clone(commands),
          comment,
          timeoutSeconds,
          sentAt: this.clock.now(),
          results,
        });
        return commandId;
      },
      invocation: async (commandId, instanceId) => {
        const command = this.state.ssmCommands.get(commandId);
        const result = command?.results[instanceId];
        if (!command || !result) return undefined;
        const elapsed = (this.clock.now() - command.sentAt) / 1000;
        if (this.pingStatusOf(instanceId) !== 'Online' && elapsed < command.timeoutSeconds) {
          return { status: 'Pending', exitCode: -1, stdout: '', stderr: '' };
        }
        if (elapsed >= command.timeoutSeconds && result.seconds > command.timeoutSeconds) {
          return { status: 'TimedOut', exitCode: -1, stdout: result.stdout, stderr: result.stderr };
        }
        if (elapsed < result.seconds) return { status: 'InProgress', exitCode: -1, stdout: '', stderr: '' };
        return { status: result.exitCode === 0 ? 'Success' : 'Failed', exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
      },
    };
  }

  // ------------------------------------------------------------ Route 53

  private dnsPort(): DnsPort {
    return {
      getHostedZone: async (id) => clone(this.state.zones.get(id.replace(/^\/hostedzone\//, ''))?.zone),
      // As ListHostedZonesByName: public and private zones alike, several of one name possible.
      listZonesByName: async (name) => [...this.state.zones.values()].filter((z) => z.zone.Name === fqdn(name)).map((z) => clone(z.zone)),
      getRecord: async (zoneId, name, type) => {
        const zone = this.state.zones.get(zoneId.replace(/^\/hostedzone\//, ''));
        return clone(zone?.records.find((r) => r.Name === fqdn(name) && r.Type === type.toUpperCase() && !r.SetIdentifier));
      },
      getRecordSets: async (zoneId, name, type) => {
        const zone = this.state.zones.get(zoneId.replace(/^\/hostedzone\//, ''));
        return clone((zone?.records ?? []).filter((r) => r.Name === fqdn(name) && r.Type === type.toUpperCase()));
      },
      // As Route 53: the changes apply in order, and the batch is all or nothing. CREATE of a set that
      // exists, DELETE of one that does not or whose values differ, a set identifier without a weight, and a
      // simple set beside weighted ones of the same name and type are each an InvalidChangeBatch.
      change: async (zoneId, changes: Change[], _comment) => {
        const zone = this.zone(zoneId);
        const records = clone(zone.records);
        for (const change of changes) {
          const set = change.ResourceRecordSet as ResourceRecordSet;
          const name = fqdn(set.Name ?? '');
          const which = `${name} ${set.Type}${set.SetIdentifier ? ` (${set.SetIdentifier})` : ''}`;
          const invalid = (detail: string) => awsError('dns', name, 'InvalidChangeBatch', `${change.Action} ${which}: ${detail}`);
          const index = records.findIndex((r) => r.Name === name && r.Type === set.Type && r.SetIdentifier === set.SetIdentifier);
          if (change.Action === 'CREATE' && index >= 0) throw invalid('it already exists');
          if (change.Action === 'DELETE') {
            if (index < 0) throw invalid('it was not found');
            if (!sameRecordSet(records[index] as ResourceRecordSet, { ...set, Name: name }))
              throw invalid('the values provided do not match the current values');
            records.splice(index, 1);
            continue;
          }
          if (set.SetIdentifier !== undefined && set.Weight === undefined) throw invalid('a set identifier needs a routing policy (Weight)');
          if (set.SetIdentifier === undefined && set.Weight !== undefined) throw invalid('a weight needs a set identifier');
          const others = records.filter((r, i) => i !== index && r.Name === name && r.Type === set.Type);
          if (others.some((r) => (r.SetIdentifier === undefined) !== (set.SetIdentifier === undefined))) {
            throw invalid('a simple record set and weighted ones of the same name and type cannot coexist');
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
    const { Tags: tags, ...rest } = clone(input);
    // Tags count only when the alarm is created: "If you are using this operation to update an existing alarm,
    // any tags you specify in this parameter are ignored" (PutMetricAlarm, CloudWatch API Reference).
    if (!this.state.alarms.has(input.AlarmName as string)) {
      const own = (tags ?? []).flatMap((t) => (t.Key ? [{ Key: t.Key, Value: t.Value ?? '' }] : []));
      if (own.length > 0) this.alarmTags.set(input.AlarmName as string, own);
      else this.alarmTags.delete(input.AlarmName as string);
    }
    this.state.alarms.set(input.AlarmName as string, {
      ...rest,
      AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${input.AlarmName}`,
      // "The time stamp of the last update to the alarm configuration" (MetricAlarm, CloudWatch API Reference).
      AlarmConfigurationUpdatedTimestamp: new Date(this.clock.now()),
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
        for (const n of names) {
          this.state.alarms.delete(n);
          this.alarmTags.delete(n);
        }
      },
      states: async (names) =>
        Object.fromEntries(
          [...new Set(names)].flatMap((n) => {
            const alarm = this.state.alarms.get(n);
            return alarm ? [[n, { state: alarm.StateValue ?? 'INSUFFICIENT_DATA', reason: alarm.StateReason ?? '' }]] : [];
          }),
        ),
      metricSum: async (input) => {
        if (!(input.periodSeconds > 0))
          throw awsError('alarms', input.metricName, 'InvalidParameterValue', 'The parameter Period must be greater than 0');
        const source = this.state.metricSums.get(`${input.namespace} ${input.metricName}`);
        if (!source) return [];
        const out: number[] = [];
        const now = this.clock.now();
        const step = input.periodSeconds * 1000;
        // One datapoint per period that has begun by now and has data, oldest first.
        for (let t = input.startTime.getTime(); t < input.endTime.getTime() && t < now; t += step) {
          const value = source(t, clone(input.dimensions));
          if (value !== undefined) out.push(value);
        }
        return out;
      },
    };
  }

  // ------------------------------------------------------------ inventory (bluegreen gc)

  /** When a resource was made ("auto-scaling-group", "launch-configuration", "image", ...), or undefined when seeded. */
  bornAt(type: string, name: string): number | undefined {
    return this.born.get(`${type} ${name}`);
  }

  /** Sets when a resource was made (e.g. a seeded one), as its CreatedTime/CreationDate in inventory answers. */
  setBornAt(type: string, name: string, ms: number): void {
    this.born.set(`${type} ${name}`, ms);
  }

  private noteBirth(operation: string, args: unknown[], result: unknown): void {
    const input = (args[0] ?? {}) as Record<string, unknown>;
    const at = this.clock.now();
    const note = (type: string, name: unknown) => {
      if (typeof name === 'string' && !this.born.has(`${type} ${name}`)) this.born.set(`${type} ${name}`, at);
    };
    switch (operation) {
      case 'groups.createGroup':
        return note('auto-scaling-group', input.AutoScalingGroupName);
      case 'launch.createLaunchConfiguration':
        return note('launch-configuration', input.LaunchConfigurationName);
      case 'launch.createLaunchTemplate':
        return note('launch-template', input.LaunchTemplateName);
      case 'images.createImage':
        return note('image', result);
      case 'classicLoadBalancers.create':
        return note('load-balancer', input.LoadBalancerName);
      case 'targetGroups.create':
        return note('target-group', input.Name);
      case 'alarms.putAlarm':
        return note('alarm', input.AlarmName);
      default:
    }
  }

  private dated(type: string, name: string | undefined): Date | undefined {
    const at = name === undefined ? undefined : this.born.get(`${type} ${name}`);
    return at === undefined ? undefined : new Date(at);
  }

  private inventoryPort(): InventoryPort {
    const tagged = (tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined, key: string, value: string) =>
      !!tags?.some((t) => t.Key === key && t.Value === value);
    return {
      launchConfigurationsByPrefix: async (prefix) =>
        [...this.state.launchConfigurations.values()]
          .filter((lc) => lc.LaunchConfigurationName?.startsWith(prefix))
          .map((lc) => ({ ...clone(lc), CreatedTime: this.dated('launch-configuration', lc.LaunchConfigurationName) })),
      launchTemplatesByTag: async (key, value) =>
        [...this.state.templates.values()]
          .filter((t) => tagged(t.tags, key, value) && !this.unseen(`launch-template ${t.id}`))
          .map((t) => ({
            LaunchTemplateId: t.id,
            LaunchTemplateName: t.name,
            CreateTime: this.dated('launch-template', t.name),
            DefaultVersionNumber: t.defaultVersion,
            LatestVersionNumber: Math.max(...t.versions.keys()),
            Tags: clone(t.tags),
          })),
      // DescribeImages with an image-id filter: deregistered images are not described.
      images: async (ids) =>
        [...new Set(ids)].flatMap((id) => {
          const i = this.state.images.get(id);
          if (!i || i.State === 'deregistered' || (i.OwnerId !== undefined && i.OwnerId !== ACCOUNT) || this.unseen(`image ${id}`)) return [];
          const at = this.dated('image', id);
          return [{ ...clone(i), ...(at ? { CreationDate: at.toISOString() } : {}) }];
        }),
      snapshots: async (ids) =>
        [...new Set(ids)].flatMap((id) => {
          const snap = this.state.snapshots.get(id);
          if (!snap) return [];
          const at = this.dated('snapshot', id) ?? this.dated('image', snap.ImageId);
          return [
            {
              SnapshotId: id,
              OwnerId: ACCOUNT,
              State: 'completed' as const,
              Description: `Created by CreateImage for ${snap.ImageId}`,
              ...(at ? { StartTime: at } : {}),
              Tags: clone(snap.Tags),
            },
          ];
        }),
      groupsOfInstances: async (ids) =>
        Object.fromEntries(
          [...new Set(ids)].flatMap((id) => {
            const g = this.groupOf(id);
            return g ? [[id, g.group.AutoScalingGroupName as string]] : [];
          }),
        ),
    };
  }

  // ------------------------------------------------------------ tagging (Resource Groups Tagging API)

  /**
   * GetResources as AWS answers it: the ARN and tags of every resource of the region whose tag `key` has
   * exactly `value`, across services, but for Auto Scaling groups, which it does not return ("the
   * GetTagKeys, GetTagValues and GetResources operations aren't supported at this time" for them:
   * https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html), and launch
   * configurations, which have no tags. Launch templates are answered, as AWS does (moto 5.2.1 does not).
   * Terminated instances are still listed while EC2 still describes them.
   */
  private taggingPort(): TaggingPort {
    const own = (tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined) =>
      (tags ?? []).flatMap((t) => (t.Key ? [{ Key: t.Key, Value: t.Value ?? '' }] : []));
    const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
    return {
      resourcesTagged: async (key, value) => {
        const all: { arn: string; tags: { Key: string; Value: string }[] }[] = [];
        const members = [...this.state.groups.values()].flatMap((g) => [...g.instances, ...(g.terminating ?? [])].map((i) => i.id));
        for (const id of new Set([...this.state.instances.keys(), ...members])) {
          if (!this.unseenNow(`instance ${id}`)) all.push({ arn: arn('ec2', `instance/${id}`), tags: own(this.describeInstanceNow(id)?.Tags) });
        }
        for (const i of this.state.images.values()) {
          if (!this.unseenNow(`image ${i.ImageId}`)) all.push({ arn: arn('ec2', `image/${i.ImageId}`), tags: own(i.Tags) });
        }
        for (const snap of this.state.snapshots.values()) all.push({ arn: arn('ec2', `snapshot/${snap.SnapshotId}`), tags: own(snap.Tags) });
        for (const t of this.state.templates.values()) {
          if (!this.unseenNow(`launch-template ${t.id}`)) all.push({ arn: arn('ec2', `launch-template/${t.id}`), tags: own(t.tags) });
        }
        for (const lb of this.state.loadBalancers.values()) {
          all.push({ arn: arn('elasticloadbalancing', `loadbalancer/${lb.description.LoadBalancerName}`), tags: own(lb.tags) });
        }
        for (const tg of this.state.targetGroups.values()) all.push({ arn: tg.group.TargetGroupArn as string, tags: own(tg.tags) });
        for (const name of this.state.alarms.keys()) all.push({ arn: arn('cloudwatch', `alarm:${name}`), tags: own(this.alarmTags.get(name)) });
        return all.filter((r) => r.tags.some((t) => t.Key === key && t.Value === value));
      },
    };
  }
}

/** Which operations of each port change something (the others only read). */
const MUTATING = {
  groups: [
    'createGroup',
    'updateGroup',
    'deleteGroup',
    'suspendProcesses',
    'resumeProcesses',
    'enableMetrics',
    'putLifecycleHook',
    'completeLifecycleAction',
    'putPolicy',
    'deletePolicy',
    'putScheduledAction',
    'putNotification',
    'putWarmPool',
    'deleteWarmPool',
    'attachInstances',
    'detachInstances',
    'terminateInstanceInGroup',
  ],
  launch: ['createLaunchConfiguration', 'deleteLaunchConfiguration', 'createLaunchTemplate', 'deleteLaunchTemplate'],
  images: ['createImage', 'deleteImage', 'deleteSnapshot'],
  instances: ['run', 'terminate'],
  classicLoadBalancers: [
    'create',
    'configureHealthCheck',
    'modifyAttributes',
    'delete',
    'registerInstances',
    'deregisterInstances',
    'createPolicy',
    'setListenerPolicies',
    'setBackendPolicies',
  ],
  targetGroups: ['register', 'deregister', 'create', 'modifyAttributes', 'delete'],
  listeners: ['modify', 'modifyRule'],
  dns: ['change'],
  alarms: ['putAlarm', 'deleteAlarms'],
  ssm: ['sendShellCommand'],
  inventory: [],
  tagging: [],
} as const satisfies Record<string, readonly string[]>;

/** A scheduled action as DescribeScheduledActions describes it (Time is its next start, like StartTime). */
function scheduledAction(input: PutScheduledUpdateGroupActionCommandInput): ScheduledUpdateGroupAction {
  const name = input.ScheduledActionName as string;
  const group = input.AutoScalingGroupName as string;
  return {
    ...structuredClone(input),
    ScheduledActionARN: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:scheduledUpdateGroupAction:00000000-0000-4000-8000-000000000000:autoScalingGroupName/${group}:scheduledActionName/${name}`,
    ...(input.StartTime ? { Time: input.StartTime } : {}),
  };
}

/** Route 53's DELETE test: the set as given equals the stored one (alias names compared without case or final dot). */
/** The security policy AWS gives an HTTPS/SSL listener created without one. */
export const DEFAULT_SECURITY_POLICY = 'ELBSecurityPolicy-2016-08';
const REFERENCE_SECURITY_POLICY = 'Reference-Security-Policy';

/**
 * An SSLNegotiationPolicyType policy made from a predefined security policy, as DescribeLoadBalancerPolicies
 * describes it: Reference-Security-Policy first, then the protocols and ciphers it stands for (a few here).
 */
function sslNegotiationPolicy(name: string, reference: string): PolicyDescription {
  const modern = reference.includes('TLS-1-2');
  const attributes: Record<string, string> = {
    [REFERENCE_SECURITY_POLICY]: reference,
    'Protocol-TLSv1': String(!modern),
    'Protocol-TLSv1.1': String(!modern),
    'Protocol-TLSv1.2': 'true',
    'Server-Defined-Cipher-Order': 'true',
    'ECDHE-RSA-AES128-GCM-SHA256': 'true',
    'AES128-SHA': String(!modern),
  };
  return {
    PolicyName: name,
    PolicyTypeName: 'SSLNegotiationPolicyType',
    PolicyAttributeDescriptions: Object.entries(attributes).map(([AttributeName, AttributeValue]) => ({ AttributeName, AttributeValue })),
  };
}

function sameRecordSet(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  const norm = (r: ResourceRecordSet) =>
    JSON.stringify([
      fqdn(r.Name ?? ''),
      r.Type,
      r.SetIdentifier ?? null,
      r.Weight ?? null,
      r.TTL ?? null,
      (r.ResourceRecords ?? []).map((v) => v.Value),
      r.AliasTarget ? [r.AliasTarget.HostedZoneId, fqdn(r.AliasTarget.DNSName ?? ''), r.AliasTarget.EvaluateTargetHealth ?? false] : null,
    ]);
  return norm(a) === norm(b);
}

/** True when one of the actions forwards to the target group (TargetGroupArn or a ForwardConfig entry). */
function forwardsTo(actions: Action[] | undefined, targetGroupArn: string): boolean {
  return (actions ?? []).some(
    (a) => a.TargetGroupArn === targetGroupArn || (a.ForwardConfig?.TargetGroups ?? []).some((g) => g.TargetGroupArn === targetGroupArn),
  );
}

/** FakeAws.dump's JSON: plain data, with Maps, Sets, Dates and non-finite numbers tagged. */
export type FakeAwsDump = { version: 1 } & Record<string, unknown>;

/** A value as JSON: {$map: entries}, {$set: values}, {$date: ISO}, {$number: "Infinity"}; undefined keys dropped. */
export function encodeDump(value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [encodeDump(k), encodeDump(v)]) };
  if (value instanceof Set) return { $set: [...value].map(encodeDump) };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  if (typeof value === 'function') throw new Error('FakeAws.dump: a function cannot be dumped');
  if (Array.isArray(value)) return value.map(encodeDump);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, encodeDump(v)]),
    );
  }
  return value;
}

/** encodeDump reversed. */
export function decodeDump(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeDump);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (Array.isArray(o.$map)) return new Map((o.$map as [unknown, unknown][]).map(([k, v]) => [decodeDump(k), decodeDump(v)]));
  if (Array.isArray(o.$set)) return new Set((o.$set as unknown[]).map(decodeDump));
  if (typeof o.$date === 'string') return new Date(o.$date);
  if (typeof o.$number === 'string') return Number(o.$number);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeDump(v)]));
}

export function awsError(operation: string, resource = 'resource', code = 'InternalFailure', detail = 'injected failure'): AwsCallError {
  return new AwsCallError(operation, resource, code, detail);
}
