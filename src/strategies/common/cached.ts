/**
 * When DNS clients stop sending requests to a load balancer the record moved off: clients keep the answer
 * they cached (an alias record to a load balancer has a TTL of 60 s, and many resolvers keep it longer), and
 * the load balancer drains the connections it has. A step that moves a record off a load balancer records,
 * under CACHED_UNTIL, until when requests may still arrive there; the janitor keeps that load balancer
 * until then (src/janitor/protect.ts).
 */
import type { JsonObject } from '../../engine/types.js';

/** The step output: load balancer name -> epoch ms until which clients may still send it requests. */
export const CACHED_UNTIL = 'cachedUntil';

/** The CACHED_UNTIL output of a step, only its well-formed entries. */
export function cachedUntilOf(outputs: Readonly<JsonObject>): Record<string, number> {
  const value = outputs[CACHED_UNTIL];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number'));
}
