/**
 * The least-privilege IAM policy for one config: pure. What a strategy's steps, observation and undo
 * can call is a list of port methods, composed from the parts its plan uses (the release kind and how
 * commands run, the gates, retire.untilRequestsBelow); actions.ts maps each method to its IAM actions.
 * The first statement of docs/iam-policy.json is the union of every policy this makes (a test says so).
 */
import type { Config, StrategyName } from '../config/schema.js';
import { LEFTOVER_TYPES, type LeftoverType } from '../janitor/plan.js';
import type { LiveStack } from '../strategies/types.js';
import { actionsOf, PARAMETER_ACTIONS, STATE_OBJECT_ACTIONS, VOLUME_KEY_ACTIONS, type PortMethod } from './actions.js';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** What a config asks for, as far as IAM cares. */
export interface PolicyNeeds {
  strategy: StrategyName;
  release: 'image' | 'commands';
  /** How commands run; only with release commands. */
  via?: 'ssh' | 'ssm';
  /** gates.alarms is set. */
  alarmGates: boolean;
  /** retire.untilRequestsBelow is set. */
  requestCount: boolean;
  /** hooks.launching complete: bluegreen completes green's launch lifecycle hooks. */
  completeHooks?: boolean;
  /** state.s3 is set: the bucket and key prefix of the journal and lock. Absent: a local directory (no AWS). */
  state?: { bucket: string; prefix: string };
  /**
   * What the live stack has that makes AWS check more on the caller's behalf, as observe found it
   * (`iam-policy --observe`); absent when only the config was read.
   */
  live?: Pick<LiveStack, 'rolesForAutoScaling' | 'volumeKeys'>;
}

export function needsOf(config: Config, live?: LiveStack): PolicyNeeds {
  const replica = config.strategy === 'swap-instances' ? undefined : config;
  return {
    strategy: config.strategy,
    release: config.release.kind,
    ...(config.release.kind === 'commands' ? { via: config.release.via } : {}),
    alarmGates: (replica?.gates?.alarms.length ?? 0) > 0,
    requestCount: replica?.retire.untilRequestsBelow !== undefined,
    ...(replica?.hooks?.launching === 'complete' ? { completeHooks: true } : {}),
    ...(config.state.s3 ? { state: { bucket: config.state.s3.bucket, prefix: config.state.s3.prefix } } : {}),
    ...(live ? { live: { rolesForAutoScaling: live.rolesForAutoScaling ?? [], volumeKeys: live.volumeKeys ?? [] } } : {}),
  };
}

/** Whether bluegreen itself launches instances or bakes images (not only Auto Scaling on its behalf). */
function launchesItself(needs: PolicyNeeds): boolean {
  return needs.release === 'commands' || needs.strategy === 'swap-instances';
}

// ---------------------------------------------------------------- the parts, as port methods

/** Reading blue's launch configuration or template and its image (every strategy observes these). */
const READ_LAUNCH: PortMethod[] = ['launch.describeLaunchConfiguration', 'launch.describeLaunchTemplateVersion', 'images.describeImage'];

/** A copy of blue's launch configuration or template with the new image, deleted on undo. */
const COPY_LAUNCH: PortMethod[] = [
  'launch.createLaunchConfiguration',
  'launch.deleteLaunchConfiguration',
  'launch.findLaunchTemplate',
  'launch.createLaunchTemplate',
  'launch.deleteLaunchTemplate',
];

/**
 * A replica group of blue's, its lifecycle hooks, scaling policies and their alarms; retired or deleted
 * (scale-to-zero suspends what would scale blue up, and a rollback resumes it).
 */
const REPLICA_GROUP: PortMethod[] = [
  'groups.describeGroup',
  'groups.listGroupsByTag',
  'groups.createGroup',
  'groups.updateGroup',
  'groups.deleteGroup',
  'groups.suspendProcesses',
  'groups.resumeProcesses',
  'groups.enableMetrics',
  'groups.describeLifecycleHooks',
  'groups.putLifecycleHook',
  'groups.describePolicies',
  'groups.putPolicy',
  'groups.deletePolicy',
  // what else of blue's group green gets: its scheduled actions, notifications and warm pool
  'groups.describeScheduledActions',
  'groups.putScheduledAction',
  'groups.describeNotifications',
  'groups.putNotification',
  'groups.putWarmPool',
  // retire.action delete: blue's warm pool first, then its group without ForceDelete
  'groups.deleteWarmPool',
  'alarms.describeAlarms',
  'alarms.describeAlarmsForAction',
  'alarms.putAlarm',
  'alarms.deleteAlarms',
];

/** Instances launched like blue's (swap-instances' new instances, a builder to bake from), and their removal. */
const LAUNCH_INSTANCES: PortMethod[] = [
  'instances.run',
  'instances.describe',
  'instances.listByTag',
  'instances.terminate',
  'groups.describeGroup',
  'groups.detachInstances',
];

/** Baking an image from an instance, deleted (with its snapshots) on undo. */
const BAKE_IMAGE: PortMethod[] = ['images.findImageByName', 'images.createImage', 'images.describeImage', 'images.deleteImage'];

/** Release commands over SSM Run Command (ssh needs no AWS call). */
const RUN_SSM: PortMethod[] = ['ssm.pingStatus', 'ssm.sendShellCommand', 'ssm.invocation'];

const STRATEGY_PARTS: Record<StrategyName, PortMethod[]> = {
  // A replica group behind a copy of blue's classic load balancer; a Route 53 alias record moves.
  'replica-dns': [
    ...REPLICA_GROUP,
    'classicLoadBalancers.describe',
    'classicLoadBalancers.describeAttributes',
    'classicLoadBalancers.describeTags',
    'classicLoadBalancers.create',
    'classicLoadBalancers.configureHealthCheck',
    'classicLoadBalancers.modifyAttributes',
    'classicLoadBalancers.delete',
    'classicLoadBalancers.instanceHealth',
    // blue's listener, backend and stickiness policies, copied onto green's load balancer
    'classicLoadBalancers.describePolicies',
    'classicLoadBalancers.createPolicy',
    'classicLoadBalancers.setListenerPolicies',
    'classicLoadBalancers.setBackendPolicies',
    'dns.getHostedZone',
    'dns.listZonesByName',
    'dns.getRecord',
    'dns.getRecordSets',
    'dns.change',
    'dns.waitInSync',
  ],
  // New instances attached to the live group and its load balancers; the old ones terminated.
  'swap-instances': [
    ...LAUNCH_INSTANCES,
    'groups.describeGroup',
    'groups.updateGroup',
    'groups.suspendProcesses',
    'groups.resumeProcesses',
    'groups.attachInstances',
    'groups.detachInstances',
    'groups.terminateInstanceInGroup',
    'classicLoadBalancers.describe',
    'classicLoadBalancers.describeAttributes',
    'classicLoadBalancers.instanceHealth',
    'classicLoadBalancers.registerInstances',
    'classicLoadBalancers.deregisterInstances',
    'targetGroups.describe',
    'targetGroups.attributes',
    'targetGroups.health',
    'targetGroups.register',
    'targetGroups.deregister',
  ],
  // A replica group in a copy of blue's target group; the ALB/NLB listener and its rules move (docs/iam.md).
  'replica-listener': [
    ...REPLICA_GROUP,
    'targetGroups.describe',
    'targetGroups.findByName',
    'targetGroups.attributes',
    'targetGroups.tags',
    'targetGroups.create',
    'targetGroups.modifyAttributes',
    'targetGroups.delete',
    'targetGroups.health',
    'listeners.describe',
    'listeners.ofLoadBalancer', // every listener of a load balancer that forwards to blue's target group moves
    'listeners.rules',
    'listeners.modify',
    'listeners.modifyRule',
    'listeners.loadBalancer',
    'instances.describe', // the private address of each target an HTTP gate checks
  ],
};

/**
 * `bluegreen gc` (src/janitor): how it lists (the Tagging API first, then the describes of what it does not
 * reach and of what it found) and, per kind of leftover, how it deletes (a group is described until it is
 * gone). gc looks for every kind any strategy makes, whatever the config's strategy (a service may have used
 * another before), and finds the live stack with the strategy's observe, whose calls the strategy's part holds.
 */
const GC_LIST: PortMethod[] = [
  'tagging.resourcesTagged',
  'groups.listGroupsByTag',
  'inventory.launchConfigurationsByPrefix',
  'inventory.launchTemplatesByTag',
  'instances.describe',
  'inventory.groupsOfInstances',
  'inventory.images',
  'inventory.snapshots',
  'classicLoadBalancers.describe',
  'targetGroups.describe',
  'alarms.describeAlarms',
];
const GC_DELETE: Record<LeftoverType, PortMethod[]> = {
  instance: ['instances.terminate'],
  alarm: ['alarms.deleteAlarms'],
  'auto-scaling-group': ['groups.deleteGroup', 'groups.describeGroup'],
  'load-balancer': ['classicLoadBalancers.delete'],
  'target-group': ['targetGroups.delete'],
  'launch-configuration': ['launch.deleteLaunchConfiguration'],
  'launch-template': ['launch.deleteLaunchTemplate'],
  image: ['images.deleteImage'],
  snapshot: ['images.deleteSnapshot'],
};

/** The port methods `bluegreen gc` can call, besides its observe: the same for every strategy. */
export function gcMethods(): PortMethod[] {
  return [...new Set([...GC_LIST, ...LEFTOVER_TYPES.flatMap((type) => GC_DELETE[type])])].sort();
}

/** The port methods a deployment (plan, deploy, resume, rollback) and `gc` with these needs can call. */
export function portMethodsFor(needs: PolicyNeeds): PortMethod[] {
  const methods = new Set<PortMethod>([...READ_LAUNCH, ...COPY_LAUNCH, ...STRATEGY_PARTS[needs.strategy], ...gcMethods()]);
  const add = (list: PortMethod[]) => list.forEach((m) => methods.add(m));
  if (needs.release === 'commands') {
    add(LAUNCH_INSTANCES); // swap-instances prepares its new instances; the replicas launch one builder
    add(BAKE_IMAGE);
    if (needs.via === 'ssm') add(RUN_SSM);
  }
  if (needs.alarmGates) add(['alarms.states']);
  if (needs.requestCount) add(['alarms.metricSum']);
  if (needs.completeHooks) add(['groups.describeGroup', 'groups.completeLifecycleAction']);
  return [...methods].sort();
}

export const ACCOUNT_PLACEHOLDER = 'ACCOUNT_ID';
export const ROLE_PLACEHOLDER = 'INSTANCE_ROLE_NAME';

/**
 * The actions AWS authorizes on the caller's behalf for what these methods are given (PARAMETER_ACTIONS),
 * that can be allowed on every resource: tags at creation, launching from a template. iam:PassRole and KMS
 * keys are scoped to their resources in statements of their own.
 */
function onBehalfOf(methods: ReadonlySet<PortMethod>): string[] {
  const scoped = new Set<string>(['iam:PassRole', ...VOLUME_KEY_ACTIONS]);
  return [...new Set(PARAMETER_ACTIONS.filter((r) => methods.has(r.method)).flatMap((r) => r.actions.filter((a) => !scoped.has(a))))].sort();
}

/** The policy for these needs: the calls, the permissions AWS checks on their behalf, and iam:PassRole. */
export function policyFor(needs: PolicyNeeds): IamPolicy {
  const methods = new Set(portMethodsFor(needs));
  const calls = actionsOf(methods);
  const onBehalf = onBehalfOf(methods).filter((a) => !calls.includes(a));
  const roles = [...new Set(needs.live?.rolesForAutoScaling ?? [])].sort();
  const keys = launchesItself(needs) ? [...new Set(needs.live?.volumeKeys ?? [])].sort() : [];
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'BluegreenCalls', Effect: 'Allow', Action: calls, Resource: '*' },
      { Sid: 'TagOnCreateAndLaunchFromTemplates', Effect: 'Allow', Action: onBehalf, Resource: '*' },
      {
        Sid: 'PassTheInstanceRole',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: `arn:aws:iam::${ACCOUNT_PLACEHOLDER}:role/${ROLE_PLACEHOLDER}`,
        Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      },
      ...(needs.state ? stateStatements(needs.state) : []),
      ...roles.map((role, i) => passToAutoScaling(role, i)),
      ...(keys.length > 0 ? [volumeKeysStatement(keys)] : []),
    ],
  };
}

/**
 * A role the replica hands to Auto Scaling: a lifecycle hook's notification role, or a custom service-linked
 * role (https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html).
 */
function passToAutoScaling(role: string, i: number): PolicyStatement {
  return {
    Sid: `PassRoleToAutoScaling${i + 1}`,
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: role,
    Condition: { StringEquals: { 'iam:PassedToService': 'autoscaling.amazonaws.com' } },
  };
}

/**
 * Customer managed keys of blue's volumes, when bluegreen launches (a builder, swap-instances' instances) or
 * bakes from them itself (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html).
 * Auto Scaling launching a replica uses its service-linked role instead: the key policy must allow that role.
 */
function volumeKeysStatement(keys: string[]): PolicyStatement {
  return { Sid: 'UseTheVolumeKeys', Effect: 'Allow', Action: [...VOLUME_KEY_ACTIONS], Resource: keys.length === 1 ? (keys[0] as string) : keys };
}

/** The placeholder bucket of docs/iam-policy.json's state statements. */
export const DOCUMENTED_STATE = { bucket: 'STATE_BUCKET', prefix: 'bluegreen/' } as const;

/**
 * The journal and lease lock in S3 (src/aws/sdk/s3.ts): read, write and delete the objects under the prefix
 * only, and list the bucket (without s3:ListBucket, S3 answers 403 instead of 404 for a missing key, so the
 * list permission cannot be narrowed by an s3:prefix condition).
 */
export function stateStatements(state: { bucket: string; prefix: string }): PolicyStatement[] {
  return [
    { Sid: 'BluegreenStateObjects', Effect: 'Allow', Action: [...STATE_OBJECT_ACTIONS], Resource: `arn:aws:s3:::${state.bucket}/${state.prefix}*` },
    { Sid: 'BluegreenStateBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${state.bucket}` },
  ];
}

/** Every combination of needs the config schema admits, for the tests and docs. */
export function allNeeds(): PolicyNeeds[] {
  const out: PolicyNeeds[] = [];
  for (const strategy of ['replica-dns', 'swap-instances', 'replica-listener'] as const) {
    const releases: Array<Pick<PolicyNeeds, 'release' | 'via'>> = [
      { release: 'image' },
      { release: 'commands', via: 'ssh' },
      { release: 'commands', via: 'ssm' },
    ];
    for (const r of releases) {
      for (const alarmGates of strategy === 'swap-instances' ? [false] : [false, true]) {
        for (const requestCount of [false, true]) out.push({ strategy, ...r, alarmGates, requestCount });
      }
    }
    if (strategy !== 'swap-instances') out.push({ strategy, release: 'image', alarmGates: false, requestCount: false, completeHooks: true });
  }
  return out;
}

/** What the person attaching the policy must still do, for stderr. */
export function policyNotes(needs?: PolicyNeeds): string[] {
  const keys = needs?.live?.volumeKeys ?? [];
  return [
    ...(needs && !needs.live
      ? [
          "Read from the config only: if blue's lifecycle hooks have a RoleARN, its group a custom ServiceLinkedRoleARN, or its volumes a customer managed KMS key, run `bluegreen iam-policy --observe` to add iam:PassRole and kms statements for them (docs/iam.md).",
        ]
      : []),
    ...(keys.length > 0
      ? [
          `Auto Scaling launches green with its service-linked role: the key policy of ${keys.join(', ')} must allow AWSServiceRoleForAutoScaling (kms:Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey, and CreateGrant for AWS resources): https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html`,
        ]
      : []),
    `Replace ${ACCOUNT_PLACEHOLDER} and ${ROLE_PLACEHOLDER} in PassTheInstanceRole with the role of your instances' instance profile (iam:PassRole, to ec2.amazonaws.com only).`,
    'In a brand-new account, also allow iam:CreateServiceLinkedRole once (AWSServiceRoleForAutoScaling, AWSServiceRoleForElasticLoadBalancing) or create those roles ahead.',
    'See docs/iam.md for what each action is for and how to narrow the mutating ones by resource.',
  ];
}
