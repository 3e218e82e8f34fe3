import type { CrashPoint, Mutation, Scenario } from './harness.js';

/**
 * Product bugs this suite found, left out of crash.test.ts and resume-crash.test.ts until they are fixed.
 * None open. Fixed so far: replica-dns traffic-100 resumed after its change took effect but before its id
 * was journaled went on without seeing the change INSYNC; retire.action delete refused a rollback when
 * `deleting` was journaled but nothing of blue was removed yet.
 */
const KNOWN_BUGS: { scenario: string; kind: 'before' | 'after'; operation: string; step: string; then: 'resume' | 'rollback' }[] = [];
/** Whether a case (a crash at a write, then resume or rollback) is one of the known bugs. */
export function isKnownBug(scenario: Scenario, then: 'resume' | 'rollback', point: CrashPoint, write: Mutation | undefined): boolean {
  return KNOWN_BUGS.some(
    (b) => b.scenario === scenario.name && b.then === then && b.kind === point.kind && b.operation === write?.operation && b.step === write.step,
  );
}
