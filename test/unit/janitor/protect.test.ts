/** What gc must keep, from the live stack and the current journal; and whether a rollback is still possible. */
import { describe, expect, it } from 'vitest';
import type { Journal, StepRecord, StepRegistry } from '../../../src/engine/types.js';
import { planGc, type Leftover } from '../../../src/janitor/plan.js';
import { journalProtections, liveProtections, rollbackBlocked } from '../../../src/janitor/protect.js';
import { VirtualClock } from '../../support/virtual-clock.js';

function journal(status: Journal['status'], steps: Partial<StepRecord>[] = []): Journal {
  return {
    version: 1,
    service: 'shop',
    deploymentId: 'ccccc',
    strategy: 'replica-dns',
    configDigest: 'x',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:10:00Z',
    status,
    summary: {
      blue: { color: 'blue', group: 'shop-blue-bbbbb', loadBalancer: 'shop-blue-bbbbb' },
      green: { color: 'green', group: 'shop-green-ccccc', launch: 'shop-green-ccccc' },
    },
    steps: steps.map((s, i) => ({ id: `s${i}`, kind: 'k', title: `step ${i}`, params: {}, state: 'done', outputs: {}, ...s })),
  };
}

const found: Leftover[] = [
  { type: 'auto-scaling-group', name: 'shop-green-aaaaa', deploymentId: 'aaaaa', createdAt: '2026-01-01T00:00:00Z' },
  { type: 'launch-configuration', name: 'shop-green-aaaaa', deploymentId: 'aaaaa' },
  { type: 'auto-scaling-group', name: 'shop-blue-bbbbb', deploymentId: 'bbbbb', createdAt: '2026-02-01T00:00:00Z' },
  { type: 'load-balancer', name: 'shop-blue-bbbbb', deploymentId: 'bbbbb' },
  { type: 'auto-scaling-group', name: 'shop-green-ccccc', deploymentId: 'ccccc', createdAt: '2026-03-01T00:00:00Z' },
  { type: 'image', name: 'ami-0ccccc', deploymentId: 'ccccc' },
];
const removed = (protections: Parameters<typeof planGc>[1]) => planGc(found, protections).remove.map((r) => r.name);

describe('journalProtections', () => {
  it('succeeded: the stack a rollback returns to (summary.blue) stays, with its deployment', () => {
    const p = journalProtections(journal('succeeded'));
    expect(p).toEqual([{ resource: { type: 'auto-scaling-group', name: 'shop-blue-bbbbb' }, why: 'rollback of deployment ccccc returns to it' }]);
    expect(removed([...liveProtections({ group: 'shop-green-ccccc' }), ...p])).toEqual(['shop-green-aaaaa', 'shop-green-aaaaa']);
  });

  it('succeeded but rollback blocked (blue deleted or its instances gone): nothing kept for it', () => {
    expect(journalProtections(journal('succeeded'), 'blue was deleted')).toEqual([]);
    expect(removed([...liveProtections({ group: 'shop-green-ccccc' })])).toEqual([
      'shop-green-aaaaa',
      'shop-green-aaaaa',
      'shop-blue-bbbbb',
      'shop-blue-bbbbb',
    ]);
  });

  it.each(['running', 'paused', 'failed', 'rolling-back', 'rollback-failed'] as const)(
    '%s: the whole deployment and both its stacks stay',
    (status) => {
      const p = journalProtections(journal(status));
      expect(p[0]).toEqual({ deploymentId: 'ccccc', why: `deployment ccccc is ${status}: finish it with resume or rollback first` });
      expect(p.flatMap((x) => (x.resource ? [`${x.resource.type} ${x.resource.name}`] : []))).toEqual([
        'auto-scaling-group shop-blue-bbbbb',
        'auto-scaling-group shop-green-ccccc',
        'launch-configuration shop-green-ccccc',
        'launch-template shop-green-ccccc',
      ]);
      expect(removed(p)).toEqual(['shop-green-aaaaa', 'shop-green-aaaaa']);
    },
  );

  it('rolled back, or no journal: nothing', () => {
    expect(journalProtections(journal('rolled-back'))).toEqual([]);
    expect(journalProtections(undefined)).toEqual([]);
  });

  it('the first reason given for a resource is the one shown (the live stack before the journal)', () => {
    const plan = planGc(found, [...liveProtections({ group: 'shop-green-ccccc', imageId: 'ami-0ccccc' }), ...journalProtections(journal('paused'))]);
    expect(plan.keep.find((k) => k.name === 'shop-green-ccccc')?.why).toBe('the live stack (shop-green-ccccc)');
    expect(plan.keep.find((k) => k.name === 'ami-0ccccc')?.why).toBe('the image of the live stack (shop-green-ccccc)');
  });
});

describe('liveProtections', () => {
  it('the group, its launch of the right kind, and its image', () => {
    expect(
      liveProtections({ group: 'shop-web', launch: { kind: 'template', name: 'shop-swap-k3x9a' }, imageId: 'ami-1' }).map((p) => p.resource),
    ).toEqual([
      { type: 'auto-scaling-group', name: 'shop-web' },
      { type: 'launch-template', name: 'shop-swap-k3x9a' },
      { type: 'image', name: 'ami-1' },
    ]);
  });
});

describe('rollbackBlocked', () => {
  const registry = (reason: string | undefined, seen: string[]): StepRegistry => ({
    k: {
      apply: async () => undefined,
      undo: async () => undefined,
      blocksUndo: async (ctx) => {
        seen.push(`${ctx.deploymentId}:${JSON.stringify(ctx.outputs)}`);
        return ctx.outputs.deleting ? reason : undefined;
      },
    },
  });
  const signal = new AbortController().signal;

  it("asks the started steps' blocksUndo, with their outputs, and returns the first reason", async () => {
    const seen: string[] = [];
    const j = journal('succeeded', [{ outputs: {} }, { outputs: { deleting: true } }, { state: 'pending', outputs: { deleting: true } }]);
    expect(await rollbackBlocked(j, registry('blue was deleted', seen), new VirtualClock(), signal)).toBe('blue was deleted');
    expect(seen).toEqual(['ccccc:{"deleting":true}']); // newest started first; the pending step is not asked
  });

  it('undefined when no step blocks', async () => {
    const seen: string[] = [];
    expect(
      await rollbackBlocked(journal('succeeded', [{ outputs: {} }, { outputs: {} }]), registry('x', seen), new VirtualClock(), signal),
    ).toBeUndefined();
    expect(seen).toHaveLength(2);
  });
});
