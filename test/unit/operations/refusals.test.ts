/** Which journal status refuses which verb, with the exact message and next command. */
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/engine/types.js';
import type { InputError } from '../../../src/errors.js';
import { deployRefusal, promoteRefusal, resumeRefusal, rollbackRefusal } from '../../../src/operations/refusals.js';
import { cmd, journalOf } from '../engine/journal.js';

const said = (e: InputError | undefined) => (e ? { message: e.message, next: e.next } : undefined);
const at = (status: Journal['status']) => journalOf(status, ['done', 'failed'], { error: 'boom' });
const paused = journalOf('paused', ['done', 'pending'], { pauseBefore: 's1' });

describe('deployRefusal', () => {
  it('goes ahead with no journal or an ended one', () => {
    expect(deployRefusal(undefined, cmd)).toBeUndefined();
    expect(deployRefusal(at('succeeded'), cmd)).toBeUndefined();
    expect(deployRefusal(at('rolled-back'), cmd)).toBeUndefined();
  });

  it('refuses a paused deployment: promote or rollback it first', () => {
    expect(said(deployRefusal(paused, cmd))).toEqual({
      message:
        'deployment k3x9a of shop is paused before step s1 (step 1); run `bluegreen promote -c shop.yml` to finish it or `bluegreen rollback -c shop.yml` to return to blue before deploying again',
      next: 'bluegreen status -c shop.yml',
    });
  });

  it.each(['running', 'failed', 'rolling-back', 'rollback-failed'] as const)('refuses an unfinished (%s) deployment', (status) => {
    expect(said(deployRefusal(at(status), cmd))).toEqual({
      message: `deployment k3x9a of shop is unfinished (${status}: boom); run \`bluegreen resume -c shop.yml\` to finish it or \`bluegreen rollback -c shop.yml\` to return to blue before deploying again`,
      next: 'bluegreen status -c shop.yml',
    });
  });
});

describe('promoteRefusal', () => {
  it('goes ahead only with a paused deployment', () => {
    expect(promoteRefusal(paused, cmd)).toBeUndefined();
  });

  it.each([
    ['succeeded', 'deployment k3x9a is not paused: it succeeded; nothing to promote (`bluegreen deploy -c shop.yml` starts a new one)', undefined],
    [
      'rolled-back',
      'deployment k3x9a is not paused: it was rolled back; nothing to promote (`bluegreen deploy -c shop.yml` starts a new one)',
      undefined,
    ],
    [
      'rolling-back',
      'deployment k3x9a is not paused: it is being rolled back (rolling-back); finish that with `bluegreen rollback -c shop.yml`',
      'bluegreen rollback -c shop.yml',
    ],
    [
      'rollback-failed',
      'deployment k3x9a is not paused: it is being rolled back (rollback-failed); finish that with `bluegreen rollback -c shop.yml`',
      'bluegreen rollback -c shop.yml',
    ],
    [
      'failed',
      'deployment k3x9a is not paused: it is failed; run `bluegreen resume -c shop.yml` to go on or `bluegreen rollback -c shop.yml` to return to blue',
      'bluegreen resume -c shop.yml',
    ],
    [
      'running',
      'deployment k3x9a is not paused: it is running; run `bluegreen resume -c shop.yml` to go on or `bluegreen rollback -c shop.yml` to return to blue',
      'bluegreen resume -c shop.yml',
    ],
  ] as const)('refuses %s', (status, message, next) => {
    expect(said(promoteRefusal(at(status), cmd))).toEqual({ message, next });
  });
});

describe('resumeRefusal', () => {
  it('goes ahead with a running or failed deployment', () => {
    expect(resumeRefusal(at('running'), cmd)).toBeUndefined();
    expect(resumeRefusal(at('failed'), cmd)).toBeUndefined();
  });

  it.each([
    ['succeeded', 'deployment k3x9a already succeeded; nothing to resume', undefined],
    ['rolled-back', 'deployment k3x9a was rolled back; nothing to resume', undefined],
    ['rolling-back', 'deployment k3x9a is being rolled back; finish that with `bluegreen rollback -c shop.yml`', 'bluegreen rollback -c shop.yml'],
    ['rollback-failed', 'deployment k3x9a is being rolled back; finish that with `bluegreen rollback -c shop.yml`', 'bluegreen rollback -c shop.yml'],
  ] as const)('refuses %s', (status, message, next) => {
    expect(said(resumeRefusal(at(status), cmd))).toEqual({ message, next });
  });

  it('refuses a paused deployment: promote goes on', () => {
    expect(said(resumeRefusal(paused, cmd))).toEqual({
      message:
        'deployment k3x9a is paused before step s1 (step 1): run `bluegreen promote -c shop.yml` to go on, or `bluegreen rollback -c shop.yml` to return to blue',
      next: 'bluegreen promote -c shop.yml',
    });
  });
});

describe('rollbackRefusal', () => {
  it('refuses only a deployment already rolled back', () => {
    expect(said(rollbackRefusal(at('rolled-back')))).toEqual({ message: 'deployment k3x9a is already rolled back', next: undefined });
    for (const status of ['running', 'paused', 'succeeded', 'failed', 'rolling-back', 'rollback-failed'] as const) {
      expect(rollbackRefusal(at(status))).toBeUndefined();
    }
  });
});
