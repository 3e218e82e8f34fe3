/** A small journal for tests of what is decided from a journal alone: steps s0.. in the given states. */
import type { Journal, JsonObject, StepRecord, StepState } from '../../../src/engine/types.js';

export function journalOf(status: Journal['status'], states: StepState[], extra: Partial<Journal> & { summary?: JsonObject } = {}): Journal {
  return {
    version: 1,
    service: 'shop',
    deploymentId: 'k3x9a',
    strategy: 'replica-dns',
    configDigest: 'x',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:01:15.000Z',
    status,
    summary: {},
    steps: states.map((state, i): StepRecord => ({ id: `s${i}`, kind: `k${i}`, title: `step ${i}`, params: { n: i }, state, outputs: {} })),
    ...extra,
  };
}

export const cmd = (verb: string) => `bluegreen ${verb} -c shop.yml`;
