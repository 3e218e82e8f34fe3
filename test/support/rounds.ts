/**
 * Serial rounds of AWS calls, in virtual time: wraps every function of every port so that each call takes
 * one tick (or as many as `ticks` says). A call started at tick t answers at t + 1, and calls answer in tick order (all those of
 * one tick together, once nothing else is running), so calls made together (Promise.all) share their tick and
 * a call that waits for another's answer starts one tick later. `rounds()` is then the length of the longest
 * chain of calls each waiting for the one before: what a run costs when every call takes the same time.
 * Nothing is timed for real.
 */
import type { AwsPorts } from '../../src/aws/ports.js';

export interface TimedCall {
  operation: string;
  /** The tick it was sent at (0: the first round); it answered at start + its ticks. */
  start: number;
}

export interface TimedPorts {
  ports: AwsPorts;
  calls: TimedCall[];
  /** The tick the last answer came at: the number of serial rounds (when every call takes one tick). */
  rounds(): number;
  /** The operations sent in each round, sorted: "dns.getHostedZone images.describeImage". */
  byRound(): string[];
}

type Fn = (...args: unknown[]) => Promise<unknown>;

/** `ticks`: how many ticks a call of this operation ("images.describeImage") takes; 1 unless it says. */
export function timedPorts(inner: AwsPorts, ticks: (operation: string) => number = () => 1): TimedPorts {
  let now = 0;
  /** Calls sent whose inner answer has not come yet (they are not in `due` yet). */
  let running = 0;
  const due: { at: number; settle: () => void }[] = [];
  const calls: TimedCall[] = [];
  let scheduled = false;

  // Once the event loop has nothing else to do (setImmediate runs after every pending promise job), the
  // earliest tick's answers are given, then the loop looks again.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (running > 0 || due.length === 0) {
        if (running > 0 || due.length > 0) schedule();
        return;
      }
      const at = Math.min(...due.map((d) => d.at));
      now = at;
      const ready = due.filter((d) => d.at === at);
      for (const d of ready) due.splice(due.indexOf(d), 1);
      for (const d of ready) d.settle();
      if (due.length > 0) schedule();
    });
  };

  const wrapPort = (prefix: string, port: object): object => {
    const wrapped: Record<string, unknown> = {};
    for (const name of Object.keys(port)) {
      const fn = (port as Record<string, unknown>)[name];
      if (typeof fn !== 'function') continue;
      wrapped[name] = async (...args: unknown[]) => {
        const start = now;
        const operation = `${prefix}.${name}`;
        calls.push({ operation, start });
        running++;
        let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
        try {
          outcome = { ok: true, value: await (fn as Fn).apply(port, args) };
        } catch (error) {
          outcome = { ok: false, error };
        } finally {
          running--;
        }
        await new Promise<void>((settle) => {
          due.push({ at: start + ticks(operation), settle });
          schedule();
        });
        if (!outcome.ok) throw outcome.error;
        return outcome.value;
      };
    }
    return wrapped;
  };

  const keys: (keyof AwsPorts)[] = [
    'groups',
    'launch',
    'images',
    'instances',
    'classicLoadBalancers',
    'targetGroups',
    'listeners',
    'dns',
    'alarms',
    'ssm',
    'inventory',
    'tagging',
  ];
  const ports = Object.fromEntries(keys.map((k) => [k, wrapPort(k, inner[k])])) as unknown as AwsPorts;
  return {
    ports,
    calls,
    rounds: () => (calls.length === 0 ? 0 : Math.max(...calls.map((c) => c.start + ticks(c.operation)))),
    byRound: () => {
      const rounds: string[][] = [];
      for (const c of calls) (rounds[c.start] ??= []).push(c.operation);
      return [...rounds].map((ops) => (ops ?? []).sort().join(' '));
    },
  };
}
