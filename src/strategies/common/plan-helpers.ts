/** Small helpers every planner uses: journal JSON from SDK shapes, and the words of titles and changes. */
import type { JsonObject } from '../../engine/types.js';

/** SDK values to journal JSON (drops undefined; no Dates occur in request shapes). */
export function toJson<T>(value: T): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

/** A params object typed by its interface, as the JSON the step descriptor holds (no copy). */
export function asJson<T>(params: T): JsonObject {
  return params as unknown as JsonObject;
}

/** "1 policy", "3 policies". */
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A group's sizes for a plan's changes: "min 2, max 4, desired 2". */
export const sizesText = (min?: number, max?: number, desired?: number) => `min ${min ?? 0}, max ${max ?? 0}, desired ${desired ?? 0}`;
