/** What every traffic step of the replica strategies says and does after its change: the share, and the hold. */
import type { AwsPorts } from '../../../aws/ports.js';
import type { StepContext } from '../../../engine/types.js';
import { holdWatching } from '../../common/hold.js';

/** "all requests", "10% of requests". */
export const share = (p: { percent: number }) => (p.percent >= 100 ? 'all requests' : `${p.percent}% of requests`);

/**
 * Below 100% with a hold: waits `holdSeconds` (its end journaled as `holdUntil`) while the gate alarms are
 * watched; one in ALARM rolls back. `on` names green in the message: "green", "shop-green-k3x9a".
 */
export async function holdShare(
  ports: AwsPorts,
  ctx: StepContext,
  p: { percent: number; holdSeconds: number; intervalSeconds: number; alarms: string[] },
  on: string,
): Promise<void> {
  if (p.percent >= 100 || p.holdSeconds <= 0) return;
  await holdWatching(ports, ctx, {
    seconds: p.holdSeconds,
    intervalSeconds: p.intervalSeconds,
    alarms: p.alarms,
    key: 'holdUntil',
    doing: `while holding ${p.percent}% of requests on ${on}`,
    label: `of the ${p.percent}% hold`,
  });
}
