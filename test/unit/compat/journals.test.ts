/**
 * Old journals: each fixture of test/fixtures/compat/journals/ holds a journal that the code of commit
 * 53a1cbd left when its run stopped (a step failed, the process crashed, paused before the switch, or
 * succeeded), with the in-memory AWS and the virtual time at that moment, and what that code did next.
 * The code of the day must take such a journal over: resume (promote when paused) ends succeeded with
 * green live and blue retired as configured, rollback returns the world to before the deployment (or
 * refuses, changing nothing, where the recording refused).
 *
 * Until the restructuring of issue 9 landed, the code of the day also had to do it exactly as the
 * recording did (the same calls, journal, world and virtual time: commit 6176f7a has that check). Since
 * then the behaviour may change on purpose (what real AWS needs), so only what the journal promises is
 * checked: the steps as planned are untouched, and the follow-up meets resumeProblems / rollbackProblems.
 */
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/engine/types.js';
import { differences, fixturesIn, readFixture } from './golden.js';
import { JOURNAL_SHAPES } from './journal-shapes.js';
import { followUp, journalFile, planPartOf, resumeProblems, rollbackProblems, type JournalFixture } from './replay.js';

const CASES = JOURNAL_SHAPES.flatMap((shape) => shape.stops.map((stop) => ({ file: `${shape.name}-${stop.name}`, shape, stop })));

/** The journal's steps as the old code planned them must come through today's follow-up untouched. */
function planChanges(fixture: JournalFixture, journal: Journal): string[] {
  return differences(planPartOf(fixture.at.journal), planPartOf(journal)).map((d) => `journal (steps as planned) ${d}`);
}

describe('old journals (recorded from commit 53a1cbd)', () => {
  it('has one fixture per shape and stop, and a case for every fixture', () => {
    expect(fixturesIn('journals')).toEqual(CASES.map((c) => c.file).sort());
  });

  describe.each(CASES)('$file', ({ file, shape, stop }) => {
    const fixture = readFixture<JournalFixture>(journalFile(shape.name, stop.name));
    const verb = fixture.at.journal.status === 'paused' ? 'promote' : 'resume';

    it(`${verb} with today's code ends succeeded, green live, blue retired`, async () => {
      const now = await followUp(fixture, 'resume');
      expect(resumeProblems({ ...fixture, resume: now.after }), `${file}: ${verb} of the recorded journal`).toEqual([]);
      expect(planChanges(fixture, now.journal), `${file}: ${verb} changed the planned steps`).toEqual([]);
    });

    it("rollback with today's code returns the world to before the deployment (or refuses, as the recording did)", async () => {
      const now = await followUp(fixture, 'rollback');
      expect(rollbackProblems({ ...fixture, rollback: now.after }), `${file}: rollback of the recorded journal`).toEqual([]);
      expect(now.after.outcome, `${file}: rollback's outcome`).toEqual(fixture.rollback.outcome);
      expect(planChanges(fixture, now.journal), `${file}: rollback changed the planned steps`).toEqual([]);
    });

    it('the recording itself: its resume and rollback did what the fixture proves', () => {
      expect(fixture.stop).toEqual(stop);
      expect(resumeProblems(fixture)).toEqual([]);
      expect(rollbackProblems(fixture)).toEqual([]);
    });
  });
});
