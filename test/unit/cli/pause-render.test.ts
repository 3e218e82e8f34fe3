/** How a paused deployment is shown: progress lines, the end-of-run block, status, the plan marker, history. */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/engine/events.js';
import type { Journal } from '../../../src/engine/types.js';
import { renderHistory } from '../../../src/cli/render/history.js';
import { renderPlan, PAUSE_MARK } from '../../../src/cli/render/plan.js';
import { createProgress } from '../../../src/cli/render/progress.js';
import { renderOutcome, renderStatus } from '../../../src/cli/render/status.js';
import { colorsFor } from '../../../src/cli/render/style.js';
import { historyEntry } from '../../../src/operations.js';

const plain = colorsFor({ isTTY: false } as NodeJS.WritableStream & { isTTY: boolean });
const base = { deploymentId: 'k3x9a', service: 'shop', time: '2026-01-01T00:00:00.000Z' };

function sink() {
  let text = '';
  return {
    stream: { isTTY: false, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream,
    text: () => text,
  };
}

function paused(): Journal {
  return {
    version: 1,
    service: 'shop',
    deploymentId: 'k3x9a',
    strategy: 'replica-dns',
    configDigest: 'd',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:02:05.000Z',
    status: 'paused',
    pauseBefore: 'switch-dns',
    summary: { green: { group: 'shop-green-k3x9a' } },
    steps: [
      { id: 'wait-healthy', kind: 'k', title: 'Wait until healthy', params: {}, state: 'done', outputs: {} },
      { id: 'switch-dns', kind: 'k', title: 'Point shop.example.com at shop-green-k3x9a', params: {}, state: 'pending', outputs: {} },
      { id: 'retire-blue', kind: 'k', title: 'Scale shop-blue to zero', params: {}, state: 'pending', outputs: {} },
    ],
  };
}

describe('a paused run in the progress display', () => {
  it('plain lines: the pause, then the deployment paused (not marked as a failure)', () => {
    let now = 1000;
    const out = sink();
    const p = createProgress(out.stream, { now: () => now });
    const events: EngineEvent[] = [
      {
        ...base,
        event: 'deployment.paused',
        stepId: 'switch-dns',
        title: 'Point shop.example.com at shop-green-k3x9a',
        next: 'bluegreen promote -c shop.yml',
        rollback: 'bluegreen rollback -c shop.yml',
      },
      { ...base, event: 'deployment.finished', status: 'paused', durationMs: 1500 },
    ];
    for (const e of events) {
      now += 1500;
      p.onEvent(e);
    }
    expect(out.text().split('\n')).toEqual([
      '[   1.5s] ⏸ paused before switch-dns  Point shop.example.com at shop-green-k3x9a',
      '[   3.0s] • deployment k3x9a paused in 1.5s',
      '',
    ]);
  });

  it('live display: the pause stays as a line, and the end line says paused', () => {
    const out = sink();
    const p = createProgress(out.stream, { live: true, now: () => 0 });
    p.onEvent({ ...base, event: 'deployment.paused', stepId: 'switch-dns', title: 'Point it', next: 'n', rollback: 'r' });
    p.onEvent({ ...base, event: 'deployment.finished', status: 'paused', durationMs: 0 });
    p.stop();
    expect(out.text()).toContain('⏸ paused before Point it switch-dns');
    expect(out.text()).toContain('● deployment k3x9a paused in 0.0s');
  });
});

describe('renderOutcome of a paused deployment', () => {
  it('ends with the paused block and the two next commands', () => {
    const text = renderOutcome(paused(), plain, { promote: 'bluegreen promote -c shop.yml', rollback: 'bluegreen rollback -c shop.yml' });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('⏸ shop: deployment k3x9a paused');
    expect(lines.slice(-2)).toEqual([
      'Paused before step switch-dns (Point shop.example.com at shop-green-k3x9a): green is up and healthy, no traffic on it yet.',
      'Next: bluegreen promote -c shop.yml, or bluegreen rollback -c shop.yml.',
    ]);
  });

  it('has no paused block for a deployment that is not paused', () => {
    const j = { ...paused(), status: 'succeeded' as const };
    const text = renderOutcome(j, plain, { promote: 'p', rollback: 'r' });
    expect(text).not.toContain('Paused');
    expect(text.split('\n')[0]).toBe('✓ shop: deployment k3x9a succeeded');
  });
});

describe('renderStatus of a paused deployment', () => {
  it('shows the status, where it paused, and the next commands', () => {
    const text = renderStatus(
      { service: 'shop', liveColor: 'blue', journal: paused(), next: ['bluegreen promote -c shop.yml', 'bluegreen rollback -c shop.yml'] },
      plain,
    );
    expect(text).toContain('Status:     paused');
    expect(text).toContain('Paused:     before step switch-dns (Point shop.example.com at shop-green-k3x9a): green is up, no traffic on it yet');
    expect(text).toMatch(/Next:\n {2}bluegreen promote -c shop.yml\n {2}bluegreen rollback -c shop.yml\n$/);
  });

  it('shows no Paused or Next line when there is nothing to do', () => {
    const text = renderStatus({ service: 'shop', liveColor: 'green', journal: { ...paused(), status: 'succeeded' } }, plain);
    expect(text).not.toContain('Paused:');
    expect(text).not.toContain('Next:');
  });
});

describe('renderPlan with a pause point', () => {
  const plan = {
    deploymentId: 'k3x9a',
    summary: {},
    warnings: [],
    steps: [
      { id: 'wait-healthy', kind: 'x', title: 'Wait', params: {} },
      { id: 'switch-dns', kind: 'y', title: 'Switch', params: {}, pausePoint: true },
    ],
  };

  it('marks the step the deployment would stop before, just above it', () => {
    const text = renderPlan(plan, plain, undefined, 'switch-dns');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes(PAUSE_MARK));
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/2\. Switch {2}switch-dns/);
    expect(lines[at - 1]).toMatch(/1\. Wait {2}wait-healthy/);
  });

  it('shows no marker without --pause-before-switch', () => {
    expect(renderPlan(plan, plain)).not.toContain('⏸');
  });
});

describe('history of a paused deployment', () => {
  it('says paused and before which step, with no failed step', () => {
    const entry = historyEntry(paused());
    expect(entry).toMatchObject({
      status: 'paused',
      pausedBefore: { id: 'switch-dns', title: 'Point shop.example.com at shop-green-k3x9a' },
      durationSeconds: 125,
    });
    expect(entry.failedStep).toBeUndefined();
    const text = renderHistory([entry], plain);
    expect(text).toContain('k3x9a  paused  (replica-dns)');
    expect(text).toContain('  Paused:   before switch-dns: Point shop.example.com at shop-green-k3x9a');
    expect(text).not.toContain('Stopped:');
  });
});

describe('the paused block before any health wait (swap-instances pauses before attaching)', () => {
  it('does not claim green is healthy', () => {
    const j = paused();
    j.steps[0] = { ...j.steps[0]!, id: 'wait-running', title: 'Wait until running' };
    const text = renderOutcome(j, plain, { promote: 'p', rollback: 'r' });
    expect(text).toContain('green is up, no traffic on it yet.');
    expect(text).not.toContain('healthy');
  });
});
