/**
 * Records the compat fixtures of test/fixtures/compat/ with the code of this checkout: the golden plans
 * (plans/<shape>.json: each shape's plan and live stack) and, with `journals`, the old journals
 * (journals/<shape>-<stop>.json). test/unit/compat/*.test.ts compare the code of the day against them.
 *
 *   node --import tsx scripts/record-compat.ts plans                  (the golden plans)
 *   node --import tsx scripts/record-compat.ts journals --from-old-code (only from a checkout of 53a1cbd)
 *
 * The golden plans are re-recorded when a plan changes on purpose, in the same commit as the change, so
 * the diff of the fixtures shows what a deployment now does differently. The journals are what the code of
 * commit 53a1cbd wrote: recorded with any later code they would prove nothing, so they need the flag.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, planFile, planOf } from '../test/unit/compat/golden.js';
import { JOURNAL_SHAPES } from '../test/unit/compat/journal-shapes.js';
import { followUp, journalFile, resumeProblems, rollbackProblems, runToStop } from '../test/unit/compat/replay.js';
import { PLAN_SHAPES } from '../test/unit/compat/shapes.js';

const asked = process.argv.slice(2);
const wants = (what: string) => asked.includes(what);
if (!wants('plans') && !wants('journals')) {
  console.error('usage: record-compat.ts plans | journals --from-old-code');
  process.exit(2);
}
if (wants('journals') && !asked.includes('--from-old-code')) {
  console.error("journals are the old code's (commit 53a1cbd): re-record them only from a checkout of it, with --from-old-code");
  process.exit(2);
}

/** The last commit that changed the product code: the code the fixtures describe. */
function productCommit(): string {
  const commit = execFileSync('git', ['log', '-1', '--format=%h %s', '--', 'src'], { encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '';
  return `${commit}${dirty ? ' (with uncommitted changes to src)' : ''}`;
}

const recorded = `recorded by scripts/record-compat.ts from the code of commit ${productCommit()}; re-record: node --import tsx scripts/record-compat.ts`;

function write(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

if (wants('plans')) {
  rmSync(path.join(FIXTURES, 'plans'), { recursive: true, force: true });
  mkdirSync(path.join(FIXTURES, 'plans'), { recursive: true });
  for (const shape of PLAN_SHAPES) write(planFile(shape.name), { recorded, ...(await planOf(shape)) });
}

if (wants('journals')) {
  rmSync(path.join(FIXTURES, 'journals'), { recursive: true, force: true });
  mkdirSync(path.join(FIXTURES, 'journals'), { recursive: true });
  for (const shape of JOURNAL_SHAPES) {
    for (const stop of shape.stops) {
      const stopped = await runToStop(shape, stop);
      const fixture = {
        recorded,
        ...stopped,
        resume: (await followUp(stopped, 'resume')).after,
        rollback: (await followUp(stopped, 'rollback')).after,
      };
      const problems = [...resumeProblems(fixture), ...rollbackProblems(fixture)];
      if (problems.length > 0)
        throw new Error(`${shape.name}-${stop.name}: today's code does not do what the fixture must prove:\n${problems.join('\n')}`);
      write(journalFile(shape.name, stop.name), fixture);
    }
  }
}
