/**
 * The handlers of replica-dns: apply and undo for each step kind, bound to the AWS ports.
 *
 * Rules every handler keeps:
 *  - idempotent: look the resource up by its deterministic name and adopt it when an earlier attempt made it;
 *  - journal first: ctx.record() what is about to be made or changed before the mutating call;
 *  - undo works after a partial apply, with resources already gone, and twice;
 *  - no secrets (UserData...) in outputs.
 */
import type { CreateLoadBalancerCommandInput, HealthCheck, LoadBalancerAttributes } from '@aws-sdk/client-elastic-load-balancing';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { AwsPorts } from '../../aws/ports.js';
import type { JsonObject, StepHandler, StepRegistry } from '../../engine/types.js';
import { waitUntil, type Observation } from '../../engine/wait.js';
import { DeploymentError } from '../../errors.js';
import {
  bakeImage,
  launchInstances,
  runCommands,
  terminateInstances,
  waitReachable,
  waitRunning,
} from '../common/instance-steps.js';
import { checkAlarms, runHttpCheck, waitDrainedWatching, type HttpCheckResult } from '../common/gates.js';
import { holdEnd, holdWatching } from '../common/hold.js';
import { httpGet, type HttpGet } from '../common/http.js';
import type { StrategyServices } from '../types.js';
import { copyAlarms, copyScalingPolicies, createGroup, createLaunch, retireBlue } from './replica-steps.js';
import { aliasTargetOf, pointsAt, requireInService, type AliasTarget } from './records.js';
import { shiftTraffic } from './traffic.js';
import {
  kindOf,
  SHIFT_TRAFFIC_KIND,
  STEP,
  toJson,
  type CheckHttpParams,
  type CreateLoadBalancerParams,
  type RetireBlueParams,
  type SwitchDnsParams,
  type WaitHealthyParams,
  type WaitRetireParams,
} from './plan.js';


type Handler<P> = StepHandler<P & JsonObject>;

/** `http`: the GET of the HTTP gates (tests pass a fake; the default is the real one). */
export function handlers(ports: AwsPorts, services: StrategyServices, http: HttpGet = httpGet): StepRegistry {
  const registry: Record<string, StepHandler<any>> = {
    // Release by commands: the builder's steps, shared with swap-instances.
    [kindOf(STEP.launchBuilder)]: launchInstances(ports),
    [kindOf(STEP.waitRunning)]: waitRunning(ports, STEP.launchBuilder),
    [kindOf(STEP.waitReachable)]: waitReachable(ports, services, STEP.launchBuilder),
    [kindOf(STEP.runCommands)]: runCommands(ports, services, STEP.launchBuilder),
    [kindOf(STEP.bakeImage)]: bakeImage(ports, STEP.launchBuilder),
    [kindOf(STEP.terminateBuilder)]: terminateInstances(ports, STEP.launchBuilder),
    [kindOf(STEP.createLaunch)]: createLaunch(ports, STEP.bakeImage),
    [kindOf(STEP.createLoadBalancer)]: createLoadBalancer(ports),
    [kindOf(STEP.createGroup)]: createGroup(ports),
    [kindOf(STEP.copyScalingPolicies)]: copyScalingPolicies(ports),
    [kindOf(STEP.copyAlarms)]: copyAlarms(ports, STEP.copyScalingPolicies),
    [kindOf(STEP.waitHealthy)]: waitHealthy(ports),
    [kindOf(STEP.checkHttp)]: checkHttp(ports, http),
    [kindOf(STEP.switchDns)]: switchDns(ports),
    [SHIFT_TRAFFIC_KIND]: shiftTraffic(ports),
    [kindOf(STEP.waitRetire)]: waitRetire(ports),
    [kindOf(STEP.retireBlue)]: retireBlueStack(ports),
  };
  return registry;
}

// ---------------------------------------------------------------- shared observations

/** Counts a group's InService instances that its load balancer also reports InService. */
async function healthOf(ports: AwsPorts, group: string, loadBalancer: string): Promise<Observation> {
  const [g, health] = await Promise.all([ports.groups.describeGroup(group), ports.classicLoadBalancers.instanceHealth(loadBalancer)]);
  if (!g) return { done: false, message: `group ${group} does not exist` };
  const desired = g.DesiredCapacity ?? 0;
  const inLb = new Set(health.filter((h) => h.State === 'InService').map((h) => h.InstanceId));
  const n = (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService' && inLb.has(i.InstanceId)).length;
  return {
    done: desired > 0 && n >= desired,
    message: `${n} of ${desired} instances InService in ${loadBalancer}`,
    counts: { done: n, total: desired },
  };
}

// ---------------------------------------------------------------- create-load-balancer

function createLoadBalancer(ports: AwsPorts): Handler<CreateLoadBalancerParams> {
  return {
    async apply(ctx, p) {
      const [existing] = await ports.classicLoadBalancers.describe([p.name]);
      let dnsName = existing?.DNSName;
      if (!existing) {
        await ctx.record({ loadBalancer: p.name });
        dnsName = await ports.classicLoadBalancers.create(p.input as unknown as CreateLoadBalancerCommandInput);
      }
      // Adopted or new: make sure it is configured like blue's.
      if (p.healthCheck) await ports.classicLoadBalancers.configureHealthCheck(p.name, p.healthCheck as unknown as HealthCheck);
      await ports.classicLoadBalancers.modifyAttributes(p.name, p.attributes as unknown as LoadBalancerAttributes);
      await ctx.record({ loadBalancer: p.name, dnsName: dnsName ?? null });
    },
    async undo(_ctx, p) {
      await ports.classicLoadBalancers.delete(p.name);
    },
  };
}

// ---------------------------------------------------------------- wait-healthy

function waitHealthy(ports: AwsPorts): Handler<WaitHealthyParams> {
  return {
    async apply(ctx, p) {
      await waitUntil(
        ctx,
        {
          what: `${p.group} to have all its instances InService in ${p.loadBalancer}`,
          timeoutSeconds: p.timeoutSeconds,
          intervalSeconds: p.intervalSeconds,
        },
        () => healthOf(ports, p.group, p.loadBalancer),
      );
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- check-http

function checkHttp(ports: AwsPorts, http: HttpGet): Handler<CheckHttpParams> {
  return {
    async apply(ctx, p) {
      const [lb] = await ports.classicLoadBalancers.describe([p.loadBalancer]);
      if (!lb?.DNSName) throw new DeploymentError(`load balancer ${p.loadBalancer} no longer exists; its HTTP gates cannot be checked`);
      // Journal: per check only its index in gates.http, the last status and the tries (never a body).
      const results: HttpCheckResult[] = [];
      for (const [index, check] of p.checks.entries()) {
        const { result, failure } = await runHttpCheck(ctx, http, check, lb.DNSName, index);
        results.push(result);
        await ctx.record({ http: results.map((r) => ({ ...r })) });
        if (failure) throw failure;
      }
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- switch-dns

function switchDns(ports: AwsPorts): Handler<SwitchDnsParams> {
  return {
    async apply(ctx, p) {
      // Never switch while a gate alarm is in ALARM (a VerificationError: the engine rolls back).
      await checkAlarms(ports, p.alarms ?? [], `before pointing ${p.recordName} at ${p.loadBalancer}`);
      // Never point traffic at nothing.
      await requireInService(ports, p.loadBalancer, `point ${p.recordName} at ${p.loadBalancer}`);
      const target = await aliasTargetOf(ports, p.loadBalancer, p.region);
      const current = await ports.dns.getRecord(p.zoneId, p.recordName, 'A');
      const changeId = ctx.outputs.changeId as string | undefined;
      if (changeId && current && pointsAt(current, target.DNSName)) {
        await ports.dns.waitInSync(changeId, p.syncTimeoutSeconds);
        return;
      }
      // What the record was before this step first changed it (an earlier attempt may have changed it already).
      await ctx.record({
        ...('previous' in ctx.outputs ? {} : { previous: current ? toJson(current) : null }),
        target: { ...target },
      });
      const record: ResourceRecordSet = {
        Name: p.recordName,
        Type: 'A',
        AliasTarget: { ...target, EvaluateTargetHealth: current?.AliasTarget?.EvaluateTargetHealth ?? p.evaluateTargetHealth },
      };
      const id = await ports.dns.change(p.zoneId, [{ Action: 'UPSERT', ResourceRecordSet: record }], `bluegreen ${ctx.deploymentId}: ${p.from} -> ${p.loadBalancer}`);
      await ctx.record({ changeId: id });
      ctx.progress(`waiting for the change of ${p.recordName} to be INSYNC`);
      await ports.dns.waitInSync(id, p.syncTimeoutSeconds);
    },
    async undo(ctx, p) {
      const target = ctx.outputs.target as AliasTarget | undefined;
      if (!target) return; // never changed
      const previous = ctx.outputs.previous as ResourceRecordSet | null | undefined;
      const current = await ports.dns.getRecord(p.zoneId, p.recordName, 'A');
      if (!current || !pointsAt(current, target.DNSName)) {
        const restored = ctx.outputs.restoreChangeId as string | undefined;
        if (restored) await ports.dns.waitInSync(restored, p.syncTimeoutSeconds);
        else ctx.progress(`${p.recordName} no longer points at ${p.loadBalancer}; left as it is`);
        return;
      }
      if (!previous) {
        // The record did not exist before the switch: remove ours.
        const id = await ports.dns.change(p.zoneId, [{ Action: 'DELETE', ResourceRecordSet: current }], `bluegreen ${ctx.deploymentId}: rollback`);
        await ctx.record({ restoreChangeId: id });
        await ports.dns.waitInSync(id, p.syncTimeoutSeconds);
        return;
      }
      const id = await ports.dns.change(
        p.zoneId,
        [{ Action: 'UPSERT', ResourceRecordSet: previous }],
        `bluegreen ${ctx.deploymentId}: rollback to ${previous.AliasTarget?.DNSName ?? 'the previous record'}`,
      );
      await ctx.record({ restoreChangeId: id });
      ctx.progress(`waiting for ${p.recordName} to point back at ${previous.AliasTarget?.DNSName} (INSYNC)`);
      await ports.dns.waitInSync(id, p.syncTimeoutSeconds);
    },
  };
}

// ---------------------------------------------------------------- wait-retire

function waitRetire(ports: AwsPorts): Handler<WaitRetireParams> {
  return {
    async apply(ctx, p) {
      const alarms = p.alarms ?? [];
      if (p.drain) {
        // Done once the floor has passed and blue stayed quiet for the whole window. Reaching the ceiling
        // (counted from the floor's end, or from now when a resumed wait begins later; not journaled) stops
        // the deployment with a DeploymentError, not a rollback: blue still serving says nothing against green.
        return waitDrainedWatching(ports, ctx, {
          end: await holdEnd(ctx, { seconds: p.seconds, key: 'until' }),
          intervalSeconds: p.intervalSeconds,
          alarms,
          drain: p.drain,
          stopped: `blue is untouched and the record stays on green. A resume watches for up to ${Math.round(p.drain.ceilingSeconds / 60)} minutes more; a rollback points the record back at blue`,
        });
      }
      await holdWatching(ports, ctx, { seconds: p.seconds, intervalSeconds: p.intervalSeconds, alarms, key: 'until', doing: 'while waiting to retire blue', label: 'before retiring blue' });
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- retire-blue

function retireBlueStack(ports: AwsPorts): Handler<RetireBlueParams> {
  return retireBlue<RetireBlueParams>(ports, {
    name: (p) => p.loadBalancer,
    delete: async (_ctx, p) => ports.classicLoadBalancers.delete(p.loadBalancer),
    health: (p) => healthOf(ports, p.group, p.loadBalancer),
  });
}
