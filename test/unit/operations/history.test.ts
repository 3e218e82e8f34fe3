/** A journal as a history entry: exact entries for each way a deployment ends, and for older summaries. */
import { describe, expect, it } from 'vitest';
import { historyEntry } from '../../../src/operations/history.js';
import { journalOf } from '../engine/journal.js';

describe('historyEntry', () => {
  it('a succeeded deployment of an image, with its actor', () => {
    const journal = journalOf('succeeded', ['done', 'done'], { summary: { image: 'ami-0new' }, actor: { host: 'ci-7', pid: 42, user: 'ci' } });
    expect(historyEntry(journal)).toStrictEqual({
      deploymentId: 'k3x9a',
      strategy: 'replica-dns',
      status: 'succeeded',
      startedAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:01:15.000Z',
      durationSeconds: 75,
      releaseKind: 'image',
      image: 'ami-0new',
      actor: { host: 'ci-7', pid: 42, user: 'ci' },
    });
  });

  it('a failed deployment baked from commands: the failed step and the error', () => {
    const journal = journalOf('failed', ['done', 'failed', 'pending'], { summary: { release: 'commands', image: 'baked' }, error: 'stopped at s1' });
    journal.steps[1]!.error = 'boom';
    expect(historyEntry(journal)).toStrictEqual({
      deploymentId: 'k3x9a',
      strategy: 'replica-dns',
      status: 'failed',
      startedAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:01:15.000Z',
      durationSeconds: 75,
      releaseKind: 'commands',
      image: 'baked',
      failedStep: { id: 's1', title: 'step 1', state: 'failed', error: 'boom' },
      error: 'stopped at s1',
    });
  });

  it('an interrupted rollback: the step left undoing', () => {
    expect(historyEntry(journalOf('rolling-back', ['undone', 'undoing', 'done'])).failedStep).toStrictEqual({
      id: 's1',
      title: 'step 1',
      state: 'undoing',
    });
  });

  it('a paused deployment: where it stopped', () => {
    const entry = historyEntry(journalOf('paused', ['done', 'pending', 'pending'], { pauseBefore: 's2' }));
    expect(entry.pausedBefore).toStrictEqual({ id: 's2', title: 'step 2' });
  });

  it('a summary without release or image (null: not known at plan time), and unreadable times', () => {
    const entry = historyEntry(journalOf('succeeded', ['done'], { summary: { image: null }, updatedAt: 'never' }));
    expect(entry.releaseKind).toBe('image');
    expect(entry.image).toBeUndefined();
    expect(entry.durationSeconds).toBe(0);
  });
});
