/** wait-retire and retire-blue: blue kept, scaled to zero or deleted once clients moved to green. Pure. */
import { ALARM_POLL_SECONDS, DRAIN_CEILING_SECONDS, DRAIN_WINDOW_MINUTES, METRIC_DELAY_SECONDS } from '../../common/gates.js';
import { GROUP_DELETE_TIMEOUT_SECONDS } from '../../common/group-gone.js';
import { asJson, plural, sizesText } from '../../common/plan-helpers.js';
import { InputError } from '../../../errors.js';
import { alarmActionsOf, isManagedAlarm, RETIRE_SUSPENDS, scalesOnForecast } from '../builders.js';
import { isOwnStackName } from '../names.js';
import type { RetireBlueCommon, WaitRetireParams } from '../steps/retire.js';
import { REPLICA_STEP } from '../step-ids.js';
import { step, watching, type PlanContext, type Planned } from './context.js';
import { blueLaunchOf } from './launch.js';

/** How often the retire wait says how long is left. */
export const RETIRE_PROGRESS_SECONDS = 30;

/** retire.after (the floor), and with retire.untilRequestsBelow until blue's front is quiet; gate alarms watched. */
export function planWaitRetire(ctx: PlanContext): Planned {
  const { alarms, front } = ctx;
  const { seconds, unit, metricName } = front.wait;
  const below = ctx.config.retire.untilRequestsBelow;
  const params: WaitRetireParams = {
    ...(alarms.length > 0 ? { alarms } : {}),
    seconds,
    intervalSeconds: Math.min(
      alarms.length > 0 ? ALARM_POLL_SECONDS : RETIRE_PROGRESS_SECONDS,
      // With a drain to watch the wait outlasts the floor, so the floor does not shorten the poll.
      below === undefined ? Math.max(1, seconds) : RETIRE_PROGRESS_SECONDS,
    ),
    ...(below === undefined
      ? {}
      : { drain: { ...front.wait.drain, below, windowMinutes: DRAIN_WINDOW_MINUTES, ceilingSeconds: DRAIN_CEILING_SECONDS } }),
  };
  const draining =
    below === undefined
      ? ''
      : ` and until ${front.blue} gets fewer than ${below} ${unit} a minute for ${DRAIN_WINDOW_MINUTES} whole minutes in a row (CloudWatch ${metricName}, minutes ended ${METRIC_DELAY_SECONDS}s ago or more; at most ${DRAIN_CEILING_SECONDS / 60} minutes past the floor)`;
  const blue = ctx.observed.blue.color;
  const wait = step(ctx, REPLICA_STEP.waitRetire, {
    title: `Wait ${seconds}s${below === undefined ? '' : ` and until ${blue} gets fewer than ${below} ${unit} a minute`} for clients to move to ${ctx.green.color} before retiring ${blue}`,
    params: asJson(params),
    waits: `${seconds}s${draining}${watching(alarms)}`,
  });
  return { steps: [wait], warnings: front.wait.warnings };
}

/** No step: the warning that a gate alarm in ALARM now would roll green back before traffic moves. */
export function planGateAlarms(ctx: PlanContext): Planned {
  const firing = ctx.observed.alarmsFiring ?? [];
  const n = firing.length;
  if (n === 0) return { steps: [], warnings: [] };
  const { step: first, without } = ctx.front.firstTraffic;
  return {
    steps: [],
    warnings: [
      `gates.alarms: ${n === 1 ? 'alarm' : 'alarms'} ${firing.join(', ')} ${n === 1 ? 'is' : 'are'} in ALARM now; unless ${n === 1 ? 'it returns' : 'they return'} to OK before the ${first} step, green will be built and then rolled back without ${without}`,
    ],
  };
}

export function planRetireBlue(ctx: PlanContext): Planned {
  const { config, front } = ctx;
  const blue = ctx.observed.blue;
  const group = blue.group.AutoScalingGroupName;
  const action = config.retire.action;
  if (action === 'delete') refuseProtected(ctx);
  const launch = blueLaunchOf(blue.launch);
  const facts = action === 'delete' ? deleteFacts(ctx) : undefined;
  const params: RetireBlueCommon = {
    action,
    group,
    ...front.retire.params,
    launch: { kind: blue.launch.kind, name: launch.name, own: isOwnStackName(config.service, launch.name) },
    policies: ctx.policies.map((p) => p.PolicyName as string),
    ...(facts ? { policyArns: facts.policyArns } : {}),
    alarms: blue.alarms.flatMap((a) => (a.AlarmName && !isManagedAlarm(a.AlarmName) ? [a.AlarmName] : [])),
    timeoutSeconds: config.health.timeoutSeconds,
    intervalSeconds: config.health.intervalSeconds,
    deleteTimeoutSeconds: facts?.timeoutSeconds ?? GROUP_DELETE_TIMEOUT_SECONDS,
    holdStep: front.firstTraffic.step,
  };
  const deleted = [
    `group ${group}`,
    ...front.retire.deletes,
    ...(params.launch.own ? [`${launch.type} ${launch.name}`] : []),
    plural(params.policies.length, 'policy', 'policies'),
    plural(params.alarms.length - (facts?.edits.length ?? 0), 'alarm', 'alarms'),
  ];
  const changes =
    action === 'scale-to-zero'
      ? zeroChanges(ctx)
      : [...zeroChanges(ctx), ...(facts?.edits ?? []), { what: `${blue.color} stack`, from: deleted.join(', '), to: 'deleted' }];
  const retire = step(ctx, REPLICA_STEP.retireBlue, {
    title:
      action === 'scale-to-zero' ? `Scale ${group} to zero` : action === 'delete' ? `Delete ${blue.color} stack ${group}` : `Keep ${group} as it is`,
    params: asJson(params),
    ...(action === 'keep' ? {} : { changes }),
    ...(facts ? { waits: facts.waits } : {}),
  });
  const warnings =
    action !== 'delete'
      ? []
      : [
          `retire.action delete: after the ${REPLICA_STEP.retireBlue} step, rollback cannot bring blue (${group}) back; use scale-to-zero to keep that possibility`,
          ...(params.launch.own ? [] : [`retire.action delete keeps blue's ${launch.type} ${launch.name}: bluegreen did not create it`]),
        ];
  return { steps: [retire], warnings: [...warnings, ...front.retire.warnings] };
}

/**
 * What scaling blue to zero changes, for the plan: its sizes (MaxSize too), the processes that would
 * scale it up again, and its predictive policies that launch (the step's handler journals each for undo).
 */
/**
 * retire.action delete never removes a protection the user set: a blue group with DeletionProtection
 * (prevent-all-deletion refuses DeleteAutoScalingGroup; prevent-force-deletion is there against exactly
 * the mass termination delete starts with) is refused before anything is made or deleted.
 */
function refuseProtected(ctx: PlanContext): void {
  const g = ctx.observed.blue.group;
  const protection = g.DeletionProtection;
  if (!protection || protection === 'none') return;
  throw new InputError(
    `retire.action delete: blue's group ${g.AutoScalingGroupName} has DeletionProtection ${protection}, and bluegreen does not remove a protection you set; use retire.action scale-to-zero (or keep), or lift it first: aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${g.AutoScalingGroupName} --deletion-protection none`,
  );
}

/**
 * What delete does beyond scale-to-zero, for the params and the plan: blue's policy ARNs, the alarms that
 * keep other actions and lose blue's (one change each), and how long blue's instances may take to go
 * (the termination hooks' heartbeat on top of the group's own deletion time).
 */
function deleteFacts(ctx: PlanContext) {
  const blue = ctx.observed.blue;
  const group = blue.group.AutoScalingGroupName;
  const policyArns = ctx.policies.flatMap((p) => (p.PolicyARN ? [p.PolicyARN] : []));
  const ours = new Set(policyArns);
  const edits = blue.alarms
    .filter((a) => a.AlarmName && !isManagedAlarm(a.AlarmName))
    .filter((a) => alarmActionsOf(a).some((x) => ours.has(x)) && !alarmActionsOf(a).every((x) => ours.has(x)))
    .map((a) => ({
      what: `actions of alarm ${a.AlarmName} (it also acts elsewhere: kept, without blue's policies)`,
      from: alarmActionsOf(a).join(', '),
      to: alarmActionsOf(a)
        .filter((x) => !ours.has(x))
        .join(', '),
    }));
  const heartbeat = Math.max(
    0,
    ...blue.lifecycleHooks.filter((h) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_TERMINATING').map((h) => h.HeartbeatTimeout ?? 3600),
  );
  const timeoutSeconds = GROUP_DELETE_TIMEOUT_SECONDS + heartbeat;
  const waits = `until every instance of ${group} has terminated through its termination hooks${blue.group.WarmPoolConfiguration ? ', then its warm pool is deleted' : ''}, then until the group is deleted (without ForceDelete; at most ${timeoutSeconds}s each)`;
  return { policyArns, edits, timeoutSeconds, waits };
}

function zeroChanges(ctx: PlanContext) {
  const g = ctx.observed.blue.group;
  const group = g.AutoScalingGroupName;
  const suspended = g.SuspendedProcesses?.flatMap((p) => (p.ProcessName ? [p.ProcessName] : [])) ?? [];
  const suspends = RETIRE_SUSPENDS.filter((name) => !suspended.includes(name));
  return [
    { what: `capacity of ${group}`, from: sizesText(g.MinSize, g.MaxSize, g.DesiredCapacity), to: sizesText(0, 0, 0) },
    ...(suspends.length === 0
      ? []
      : [
          {
            what: `suspended processes of ${group} (scheduled actions and alarm-driven policies would scale it up)`,
            from: suspended.length > 0 ? suspended.join(', ') : 'none',
            to: [...suspended, ...suspends].join(', '),
          },
        ]),
    ...ctx.policies
      .filter(scalesOnForecast)
      .map((p) => ({ what: `predictive scaling policy ${p.PolicyName} of ${group}`, from: 'ForecastAndScale', to: 'ForecastOnly' })),
  ];
}
