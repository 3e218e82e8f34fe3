/**
 * The one reader of a journal's summary (what a strategy's plan wrote as its PlanSummary). A journal of an
 * older version may lack keys, or hold one of another type: each key is read on its own, and one that is
 * absent or malformed reads as absent; it never fails. operations (status, history), the janitor and the
 * CLI read a journal's summary only through readSummary, never through a cast.
 */
import { z } from 'zod';
import type { JsonObject } from '../engine/types.js';
import type { PlanSummary, StackSummary } from './types.js';

/** A key read on its own: absent, or of another type, it is undefined. */
const tolerant = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const text = tolerant(z.string());

const side = tolerant(
  z.object({
    color: text,
    group: text,
    launch: text,
    loadBalancer: text,
    targetGroup: text,
    instances: tolerant(z.union([z.array(z.string()), z.number()])),
  }),
);

const summarySchema = z.object({
  blue: side,
  green: side,
  trafficStep: text,
  release: tolerant(z.enum(['commands', 'image'])),
  image: tolerant(z.string().nullable()),
});

/** One side (blue or green) as a journal's summary names it: each key may be absent in an older journal. */
export type SideSummary = Partial<StackSummary>;

/** A journal's summary as far as it names the keys of PlanSummary: each may be absent in an older journal. */
export interface JournalSummary {
  blue?: SideSummary;
  green?: SideSummary;
  trafficStep?: PlanSummary['trafficStep'];
  release?: PlanSummary['release'];
  image?: PlanSummary['image'];
}

/**
 * Pure: the typed facts of a journal's summary. A key absent or malformed reads as undefined; strategy
 * extras (record, listener, traffic, sizes) are left out: renderers show the summary's JSON as it is.
 */
export function readSummary(json: JsonObject): JournalSummary {
  return summarySchema.parse(json);
}
