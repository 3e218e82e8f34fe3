/** gcProtections: the live stack's and the journal's protections together; journals whose summary lacks keys. */
import { describe, expect, it } from 'vitest';
import type { Journal, JsonObject } from '../../../src/engine/types.js';
import { gcProtections, journalProtections } from '../../../src/janitor/protect.js';
import { journalOf } from '../engine/journal.js';

const journal = (status: Journal['status'], summary: JsonObject) => journalOf(status, [], { deploymentId: 'ccccc', summary });

const SUMMARY = { blue: { color: 'blue', group: 'shop-blue-bbbbb' }, green: { color: 'green', group: 'shop-green-ccccc' } };

describe('gcProtections', () => {
  it('the live stack first, then what the journal keeps', () => {
    expect(gcProtections({ group: 'shop-green-ccccc', imageId: 'ami-0c' }, journal('succeeded', SUMMARY))).toEqual([
      { resource: { type: 'auto-scaling-group', name: 'shop-green-ccccc' }, why: 'the live stack (shop-green-ccccc)' },
      { resource: { type: 'image', name: 'ami-0c' }, why: 'the image of the live stack (shop-green-ccccc)' },
      { resource: { type: 'auto-scaling-group', name: 'shop-blue-bbbbb' }, why: 'rollback of deployment ccccc returns to it' },
    ]);
  });

  it('without a live stack (not observable mid-deployment) only the journal protects', () => {
    const why = 'deployment ccccc is running: finish it with resume or rollback first';
    expect(gcProtections(undefined, journal('running', SUMMARY))).toEqual([
      { deploymentId: 'ccccc', why },
      { resource: { type: 'auto-scaling-group', name: 'shop-blue-bbbbb' }, why },
      { resource: { type: 'auto-scaling-group', name: 'shop-green-ccccc' }, why },
    ]);
  });

  it('a rollback that is blocked keeps nothing of a succeeded deployment; no journal, nothing', () => {
    expect(gcProtections(undefined, journal('succeeded', SUMMARY), 'blue was deleted')).toEqual([]);
    expect(gcProtections(undefined, undefined)).toEqual([]);
  });
});

describe('journalProtections of a summary that lacks keys or holds odd ones', () => {
  it('an unfinished deployment still keeps itself; a side that is not an object protects nothing', () => {
    const why = 'deployment ccccc is failed: finish it with resume or rollback first';
    expect(journalProtections(journal('failed', { blue: 'shop-blue-bbbbb', green: { group: 42, launch: 'shop-green-ccccc' } }))).toEqual([
      { deploymentId: 'ccccc', why },
      { resource: { type: 'launch-configuration', name: 'shop-green-ccccc' }, why },
      { resource: { type: 'launch-template', name: 'shop-green-ccccc' }, why },
    ]);
    expect(journalProtections(journal('succeeded', {}))).toEqual([]);
  });
});
