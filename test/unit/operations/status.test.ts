/** liveColor, nextCommands and the status report, from the journal and lock alone. */
import { describe, expect, it } from 'vitest';
import type { LockHolder } from '../../../src/errors.js';
import { liveColor, nextCommands, statusReport } from '../../../src/operations/status.js';
import { cmd, journalOf } from '../engine/journal.js';

const SUMMARY = { blue: { color: 'blue', group: 'shop-web' }, green: { color: 'green', group: 'shop-green-k3x9a' } };
const lock: LockHolder = { host: 'ci-7', pid: 42, since: '2026-01-01T00:00:00.000Z', command: 'bluegreen deploy' };

describe('liveColor', () => {
  it('switch-dns (the default traffic step) done or undoing: green; pending or undone: blue', () => {
    const at = (state: 'done' | 'undoing' | 'pending' | 'undone') => {
      const j = journalOf('running', ['done', state], { summary: SUMMARY });
      j.steps[1]!.id = 'switch-dns';
      return liveColor(j);
    };
    expect([at('done'), at('undoing'), at('pending'), at('undone')]).toEqual(['green', 'green', 'blue', 'blue']);
  });

  it("follows the summary's trafficStep", () => {
    const j = journalOf('succeeded', ['done', 'done'], { summary: { ...SUMMARY, trafficStep: 's1' } });
    expect(liveColor(j)).toBe('green');
    j.steps[1]!.state = 'pending';
    expect(liveColor(j)).toBe('blue');
  });

  it('a summary without colors (an older journal): undefined', () => {
    expect(liveColor(journalOf('succeeded', ['done'], { summary: { trafficStep: 's0' } }))).toBeUndefined();
  });
});

describe('nextCommands', () => {
  it.each([
    ['paused', ['bluegreen promote -c shop.yml', 'bluegreen rollback -c shop.yml']],
    ['running', ['bluegreen resume -c shop.yml', 'bluegreen rollback -c shop.yml']],
    ['failed', ['bluegreen resume -c shop.yml', 'bluegreen rollback -c shop.yml']],
    ['rolling-back', ['bluegreen rollback -c shop.yml']],
    ['rollback-failed', ['bluegreen rollback -c shop.yml']],
    ['succeeded', []],
    ['rolled-back', []],
  ] as const)('%s: %j', (status, next) => {
    expect(nextCommands(journalOf(status, []), false, cmd)).toEqual(next);
  });

  it('none while a run holds the lock', () => {
    expect(nextCommands(journalOf('failed', []), true, cmd)).toEqual([]);
  });
});

describe('statusReport', () => {
  it('a service never deployed: only its name', () => {
    expect(statusReport('shop', undefined, undefined, cmd)).toStrictEqual({ service: 'shop' });
  });

  it('a failed deployment, unlocked: the live color, the journal and the next commands', () => {
    const journal = journalOf('failed', ['done', 'failed'], { summary: SUMMARY });
    expect(statusReport('shop', journal, undefined, cmd)).toStrictEqual({
      service: 'shop',
      liveColor: 'blue',
      journal,
      next: ['bluegreen resume -c shop.yml', 'bluegreen rollback -c shop.yml'],
    });
  });

  it('a run holding the lock: the lock, no next commands', () => {
    const journal = journalOf('running', ['running'], { summary: SUMMARY });
    expect(statusReport('shop', journal, lock, cmd)).toStrictEqual({ service: 'shop', liveColor: 'blue', journal, lock });
  });
});
