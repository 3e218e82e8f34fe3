/**
 * Golden files: what they hold, where they live, and a diff that names the step and key that differ.
 * Shared by the compat tests and scripts/record-compat.ts (which writes what the tests read).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../../src/config/schema.js';
import { strategyFor } from '../../../src/strategies/index.js';
import { DEPLOYMENT_ID, type PlanShape } from './shapes.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/compat');

/** The JSON a value becomes in a file (undefined keys gone, Dates as strings). */
export const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export interface PlanFixture {
  /** Which code recorded it and how to re-record it (not compared). */
  recorded: string;
  shape: string;
  config: Config;
  plan: unknown;
  liveStack: unknown;
}

/** Today's answer for a shape: observe the fake stack, plan over it, name the live stack. */
export async function planOf(shape: PlanShape): Promise<Omit<PlanFixture, 'recorded'>> {
  const { aws, config } = shape.build();
  const strategy = strategyFor(config.strategy);
  const observed: unknown = await strategy.observe(config, aws);
  return asJson({ shape: shape.name, config, plan: strategy.plan(config, observed, DEPLOYMENT_ID), liveStack: strategy.liveStack(observed) });
}

/** The fixture names (without .json) in a folder of FIXTURES, sorted. */
export function fixturesIn(folder: string): string[] {
  return readdirSync(join(FIXTURES, folder))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export const planFile = (name: string) => join(FIXTURES, 'plans', `${name}.json`);

export function readFixture<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** A readable name for an array item: a step's (or a step record's) id beside its index. */
function label(item: unknown, index: number): string {
  const id = item !== null && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : undefined;
  return id === undefined ? `[${index}]` : `[${index} ${id}]`;
}

const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));

/**
 * Every place where `actual` differs from `expected`, as "path: expected X, got Y", the path naming steps
 * by id (e.g. `plan.steps[2 create-group].params.input.MinSize: expected 2, got 3`). Empty: equal.
 */
export function differences(expected: unknown, actual: unknown, path = ''): string[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const out: string[] = [];
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) out.push(...differences(expected[i], actual[i], `${path}${label(expected[i] ?? actual[i], i)}`));
    return out;
  }
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    return keys.flatMap((k) => differences(expected[k], actual[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  return [`${path || '(whole)'}: expected ${show(expected)}, got ${show(actual)}`];
}
