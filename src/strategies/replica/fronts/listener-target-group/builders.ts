/**
 * Pure builders of replica-listener: blue's target group in, green's create input out; the listener's and
 * rules' actions in, the actions of each traffic step out. No I/O; tested with exact inputs and outputs.
 * The group, launch, policy and alarm copies are the core's (src/strategies/replica/builders.ts).
 */
import type {
  Action,
  CreateTargetGroupCommandInput,
  Tag as ElbV2Tag,
  TargetGroup,
  TargetGroupAttribute,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { defined, nonEmpty } from '../../../common/builders.js';
import { isOwnTagKey, ownTags, type OwnTags } from '../../../common/names.js';

// ---------------------------------------------------------------- target group

/**
 * CreateTargetGroup for green: blue's protocol, protocol version, port, VPC, target type, address type,
 * health check and matcher; blue's tags without ours, and our own.
 */
export function targetGroupCopy(blue: TargetGroup, blueTags: ElbV2Tag[], name: string, tags: OwnTags): CreateTargetGroupCommandInput {
  return defined({
    Name: name,
    Protocol: blue.Protocol,
    ProtocolVersion: nonEmpty(blue.ProtocolVersion),
    Port: blue.Port,
    VpcId: nonEmpty(blue.VpcId),
    TargetType: blue.TargetType,
    IpAddressType: blue.IpAddressType,
    HealthCheckProtocol: blue.HealthCheckProtocol,
    HealthCheckPort: nonEmpty(blue.HealthCheckPort),
    HealthCheckEnabled: blue.HealthCheckEnabled,
    HealthCheckPath: nonEmpty(blue.HealthCheckPath),
    HealthCheckIntervalSeconds: blue.HealthCheckIntervalSeconds,
    HealthCheckTimeoutSeconds: blue.HealthCheckTimeoutSeconds,
    HealthyThresholdCount: blue.HealthyThresholdCount,
    UnhealthyThresholdCount: blue.UnhealthyThresholdCount,
    Matcher: blue.Matcher && (blue.Matcher.HttpCode || blue.Matcher.GrpcCode) ? defined({ ...blue.Matcher }) : undefined,
    Tags: [
      ...blueTags.filter((t) => !isOwnTagKey(t.Key) && !t.Key?.startsWith('aws:')).map((t) => defined({ Key: t.Key, Value: t.Value })),
      ...ownTags(tags),
    ],
  });
}

/**
 * The attributes green's target group gets: every one of blue's (deregistration delay, stickiness, slow
 * start, load balancing algorithm, ...) that has a value.
 */
export function targetGroupAttributesCopy(blue: TargetGroupAttribute[]): TargetGroupAttribute[] {
  return blue.flatMap((a) => (a.Key && a.Value !== undefined ? [{ Key: a.Key, Value: a.Value }] : []));
}

/** deregistration_delay.timeout_seconds of a target group's attributes (AWS's default 300 when absent). */
export function deregistrationDelaySeconds(attributes: TargetGroupAttribute[]): number {
  const value = Number(attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value ?? '300');
  return Number.isFinite(value) && value >= 0 ? value : 300;
}

// ---------------------------------------------------------------- CloudWatch dimensions

/** The LoadBalancer dimension of an ALB/NLB metric: "app/shop/50dc6c495c0c9188" from the load balancer's or a listener's ARN. */
export function loadBalancerDimension(arn: string): string {
  const match = /:(?:loadbalancer|listener)\/((?:app|net)\/[^/]+\/[^/]+)/.exec(arn);
  return match?.[1] ?? arn;
}

/** The TargetGroup dimension: "targetgroup/shop-web/0123456789abcdef" from the target group's ARN. */
export function targetGroupDimension(arn: string): string {
  const match = /:(targetgroup\/[^/]+\/[^/]+)$/.exec(arn);
  return match?.[1] ?? arn;
}

/**
 * Replaces blue's target group in every string of a structure that names it as a dimension or resource
 * label ("targetgroup/<name>/<id>", e.g. the ResourceLabel of an ALBRequestCountPerTarget policy:
 * "app/shop/<id>/targetgroup/shop-web/<id>") with green's.
 */
export function swapTargetGroupDimension<T>(value: T, blue: string, green: string): T {
  if (typeof value === 'string') {
    return (value === blue || value.endsWith(`/${blue}`) ? value.slice(0, value.length - blue.length) + green : value) as T;
  }
  if (Array.isArray(value)) return (value as unknown[]).map((v) => swapTargetGroupDimension(v, blue, green)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swapTargetGroupDimension(v, blue, green)])) as T;
  }
  return value;
}

// ---------------------------------------------------------------- forward actions

/** The target groups of a forward action with their weights (a lone TargetGroupArn weighs 1). */
export function forwardGroups(action: Action): { arn: string; weight: number }[] {
  if (action.Type !== 'forward') return [];
  const listed = action.ForwardConfig?.TargetGroups ?? [];
  if (listed.length > 0) return listed.flatMap((g) => (g.TargetGroupArn ? [{ arn: g.TargetGroupArn, weight: g.Weight ?? 1 }] : []));
  return action.TargetGroupArn ? [{ arn: action.TargetGroupArn, weight: 1 }] : [];
}

/** Whether any action forwards requests to the target group (weight above 0). */
export function forwardsTo(actions: Action[] | undefined, targetGroupArn: string): boolean {
  return (actions ?? []).some((a) => forwardGroups(a).some((g) => g.arn === targetGroupArn && g.weight > 0));
}

/** The target groups that get requests from these actions (weight above 0), each once. */
export function liveTargetGroups(actions: Action[] | undefined): string[] {
  return [
    ...new Set(
      (actions ?? []).flatMap((a) =>
        forwardGroups(a)
          .filter((g) => g.weight > 0)
          .map((g) => g.arn),
      ),
    ),
  ];
}

/**
 * The actions with every forward to blue moved: `percent` 100 forwards to green only; less sends
 * `percent` of the requests to green and the rest to blue (ForwardConfig with both). The weighted forward
 * keeps the action's own TargetGroupStickinessConfig when it is enabled; else, with `stickinessSeconds`,
 * it gets target group stickiness for that long, so a client stays on the target group it was first sent
 * to (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupStickinessConfig.html).
 * Other actions (redirect, fixed-response, authenticate-*) are kept as they are; an authenticate-oidc action
 * keeps its client secret.
 */
export function trafficActions(actions: Action[], blue: string, green: string, percent: number, stickinessSeconds?: number): Action[] {
  return sendable(actions).map((action) => {
    if (!forwardGroups(action).some((g) => g.arn === blue && g.weight > 0)) return action;
    const { TargetGroupArn: _arn, ForwardConfig: forward, ...rest } = action;
    if (percent >= 100) return { ...rest, TargetGroupArn: green };
    const own = forward?.TargetGroupStickinessConfig;
    const sticky = own?.Enabled || !stickinessSeconds ? own && { ...own } : { Enabled: true, DurationSeconds: stickinessSeconds };
    return {
      ...rest,
      ForwardConfig: defined({
        TargetGroups: [
          { TargetGroupArn: blue, Weight: 100 - percent },
          { TargetGroupArn: green, Weight: percent },
        ],
        TargetGroupStickinessConfig: sticky,
      }),
    };
  });
}

/** A client's stickiness on blue's target group, from its attributes: undefined when stickiness.enabled is not true. */
export function targetStickiness(attributes: TargetGroupAttribute[]): { type: string; seconds: number } | undefined {
  const value = (key: string) => attributes.find((a) => a.Key === key)?.Value;
  if (value('stickiness.enabled') !== 'true') return undefined;
  const type = value('stickiness.type') ?? 'lb_cookie';
  // AWS's default cookie duration is 1 day (86400 s), for lb_cookie and app_cookie alike.
  const seconds = Number(value(`stickiness.${type}.duration_seconds`) ?? '86400');
  return { type, seconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 86400 };
}

/**
 * Actions as described, made fit to send back (the original actions restored on undo): an
 * authenticate-oidc action without its client secret (AWS never describes it) says to keep the existing one.
 */
export function sendable(actions: Action[]): Action[] {
  return actions.map((a) =>
    a.Type === 'authenticate-oidc' && a.AuthenticateOidcConfig && !a.AuthenticateOidcConfig.ClientSecret
      ? { ...a, AuthenticateOidcConfig: { ...a.AuthenticateOidcConfig, UseExistingClientSecret: true } }
      : a,
  );
}

/**
 * Whether two lists of actions send requests the same way: same types in the same order, the same target
 * groups with the same weights (a forward to one group weighs the same whatever its weight), and the
 * other actions equal, and an enabled target group stickiness the same. Describe shapes (TargetGroupArn beside a
 * ForwardConfig, weight 1, a disabled stickiness) do not matter.
 */
export function sameTraffic(a: Action[] | undefined, b: Action[] | undefined): boolean {
  return JSON.stringify(trafficShape(a ?? [])) === JSON.stringify(trafficShape(b ?? []));
}

function trafficShape(actions: Action[]): unknown[] {
  return [...actions]
    .sort((x, y) => (x.Order ?? 0) - (y.Order ?? 0))
    .map((a) => {
      if (a.Type !== 'forward') return { type: a.Type, ...sortedKeys({ ...a, Order: undefined, AuthenticateOidcConfig: undefined }) };
      const groups = forwardGroups(a).filter((g) => g.weight > 0);
      const sticky = a.ForwardConfig?.TargetGroupStickinessConfig;
      return {
        type: 'forward',
        groups: groups.length === 1 ? [{ arn: groups[0]?.arn, weight: 1 }] : groups.sort((x, y) => x.arn.localeCompare(y.arn)),
        // An enabled target group stickiness is part of where requests go (a disabled one is how AWS describes none).
        ...(sticky?.Enabled ? { sticky: sticky.DurationSeconds ?? null } : {}),
      };
    });
}

function sortedKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => x.localeCompare(y)),
  );
}
