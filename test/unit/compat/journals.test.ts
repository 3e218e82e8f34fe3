/**
 * Old journals: each fixture of test/fixtures/compat/journals/ holds a journal that the code of commit
 * 53a1cbd left when its run stopped (a step failed, the process crashed, paused before the switch, or
 * succeeded), with the in-memory AWS and the virtual time at that moment, and what that code did next.
 * The code of the day must take such a journal over: resume (promote when paused) ends succeeded with
 * green live and blue retired as configured, rollback returns the world to before the deployment (or
 * refuses, changing nothing, where the recording refused), both exactly as the recording did.
 */
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/engine/types.js';
import { differences, fixturesIn, readFixture } from './golden.js';
import { JOURNAL_SHAPES } from './journal-shapes.js';
import { followUp, journalFile, planPartOf, resumeProblems, rollbackProblems, runToStop, type FollowUp, type JournalFixture } from './replay.js';

const CASES = JOURNAL_SHAPES.flatMap((shape) => shape.stops.map((stop) => ({ file: `${shape.name}-${stop.name}`, shape, stop })));

/** The recorded follow-up against today's, step by step; the plan part of the journal untouched. */
function compare(fixture: JournalFixture, then: 'resume' | 'rollback', { after: now, journal }: { after: FollowUp; journal: Journal }): string[] {
  const recorded = fixture[then];
  return [
    ...differences(planPartOf(fixture.at.journal), planPartOf(journal)).map((d) => `journal (steps as planned) ${d}`),
    ...differences(recorded.outcome, now.outcome).map((d) => `outcome ${d}`),
    ...differences(recorded.journal, now.journal).map((d) => `journal.${d}`),
    ...differences(recorded.snapshot, now.snapshot).map((d) => `world.${d}`),
    ...differences(recorded.liveStack, now.liveStack).map((d) => `liveStack.${d}`),
    ...differences(recorded.clock, now.clock).map((d) => `virtual time ${d}`),
  ];
}

describe('old journals (recorded from commit 53a1cbd)', () => {
  it('has one fixture per shape and stop, and a case for every fixture', () => {
    expect(fixturesIn('journals')).toEqual(CASES.map((c) => c.file).sort());
  });

  describe.each(CASES)('$file', ({ file, shape, stop }) => {
    const fixture = readFixture<JournalFixture>(journalFile(shape.name, stop.name));
    const verb = fixture.at.journal.status === 'paused' ? 'promote' : 'resume';

    it(`${verb} with today's code ends succeeded, green live, blue retired, as recorded`, async () => {
      const now = await followUp(fixture, 'resume');
      expect(resumeProblems({ ...fixture, resume: now.after }), `${file}: ${verb} of the recorded journal`).toEqual([]);
      expect(compare(fixture, 'resume', now), `${file}: ${verb} differs from the recording`).toEqual([]);
    });

    it("rollback with today's code returns the world to before the deployment (or refuses), as recorded", async () => {
      const now = await followUp(fixture, 'rollback');
      expect(rollbackProblems({ ...fixture, rollback: now.after }), `${file}: rollback of the recorded journal`).toEqual([]);
      expect(compare(fixture, 'rollback', now), `${file}: rollback differs from the recording`).toEqual([]);
    });

    it("today's code, run the same way, stops at the same step with the same journal and world", async () => {
      const now = await runToStop(shape, stop);
      expect(differences(fixture.config, now.config), `${file}: the shape's config differs from the recorded one`).toEqual([]);
      expect(differences(fixture.at.outcome, now.at.outcome), `${file}: the run's outcome`).toEqual([]);
      expect(differences(fixture.at.journal, now.at.journal), `${file}: the journal at the stop`).toEqual([]);
      expect(differences(fixture.at.fake, now.at.fake), `${file}: the world at the stop (FakeAws.dump)`).toEqual([]);
      expect(differences(fixture.at.clock, now.at.clock), `${file}: the virtual time at the stop`).toEqual([]);
      expect(differences(fixture.before, now.before), `${file}: the world before the deployment`).toEqual([]);
    });

    it('the recording itself: its resume and rollback did what the fixture proves', () => {
      expect(fixture.stop).toEqual(stop);
      expect(resumeProblems(fixture)).toEqual([]);
      expect(rollbackProblems(fixture)).toEqual([]);
    });
  });
});
