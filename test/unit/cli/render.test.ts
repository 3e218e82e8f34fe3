import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/engine/events.js';
import { createProgress } from '../../../src/cli/render/progress.js';
import { renderPlan } from '../../../src/cli/render/plan.js';
import { renderStatus } from '../../../src/cli/render/status.js';
import { colorsFor } from '../../../src/cli/render/style.js';
import type { Journal } from '../../../src/engine/types.js';

const plain = colorsFor({ isTTY: false } as NodeJS.WritableStream & { isTTY: boolean });

function sink() {
  let text = '';
  return {
    stream: { isTTY: false, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream,
    text: () => text,
  };
}

const base = { deploymentId: 'k3x9a', service: 'shop', time: '2026-01-01T00:00:00.000Z' };

describe('plain progress (not a terminal)', () => {
  it('prints one stamped line per event, with step titles and durations', () => {
    let now = 1000;
    const out = sink();
    const p = createProgress(out.stream, { now: () => now });
    const events: Array<[number, EngineEvent]> = [
      [0, { ...base, event: 'deployment.started', mode: 'deploy', steps: 2 }],
      [100, { ...base, event: 'step.started', stepId: 'create-group', title: 'Create Auto Scaling group shop-green-k3x9a', index: 1, total: 2 }],
      [2200, { ...base, event: 'step.succeeded', stepId: 'create-group', durationMs: 2100, resources: [], outputs: {} }],
      [2300, { ...base, event: 'step.started', stepId: 'wait-healthy', title: 'Wait until healthy', index: 2, total: 2 }],
      [3300, { ...base, event: 'step.progress', stepId: 'wait-healthy', message: '1 of 2 instances InService', elapsedMs: 1000 }],
      [4300, { ...base, event: 'step.progress', stepId: 'wait-healthy', message: '1 of 2 instances InService', elapsedMs: 2000 }],
      [12300, { ...base, event: 'step.failed', stepId: 'wait-healthy', durationMs: 10000, error: 'timed out' }],
      [12300, { ...base, event: 'deployment.finished', status: 'failed', durationMs: 12300, error: 'step wait-healthy failed' }],
    ];
    for (const [at, e] of events) {
      now = 1000 + at;
      p.onEvent(e);
    }
    p.stop();
    expect(out.text().split('\n')).toEqual([
      '[   0.0s] • deploy shop, deployment k3x9a: 2 steps',
      '[   0.1s] ▸ create-group  Create Auto Scaling group shop-green-k3x9a (step 1 of 2)',
      '[   2.2s] ✓ create-group  Create Auto Scaling group shop-green-k3x9a (2.1s)',
      '[   2.3s] ▸ wait-healthy  Wait until healthy (step 2 of 2)',
      '[   3.3s] · wait-healthy  1 of 2 instances InService',
      '[  12.3s] ✗ wait-healthy  Wait until healthy failed (10.0s): timed out',
      '[  12.3s] ✗ deployment k3x9a failed in 12.3s: step wait-healthy failed',
      '',
    ]);
  });
});

describe('renderPlan', () => {
  it('shows index, title, creates, changes, waits, then warnings', () => {
    const text = renderPlan(
      {
        deploymentId: 'k3x9a',
        summary: { image: 'ami-1', green: { group: 'shop-green-k3x9a' } },
        warnings: ['retire.action delete: rollback will not be possible after retire'],
        steps: [
          { id: 'create-group', kind: 'x', title: 'Create group', params: {}, creates: [{ type: 'auto-scaling-group', name: 'shop-green-k3x9a' }] },
          {
            id: 'switch-dns',
            kind: 'y',
            title: 'Switch',
            params: {},
            changes: [{ what: 'record shop.example.com', from: 'blue', to: 'green' }],
            waits: 'until INSYNC',
          },
        ],
      },
      plain,
    );
    expect(text).toContain('green.group: shop-green-k3x9a');
    expect(text).toMatch(/1\. Create group {2}create-group\n\s+\+ creates auto-scaling-group shop-green-k3x9a/);
    expect(text).toMatch(/2\. Switch {2}switch-dns\n\s+~ changes record shop.example.com: blue -> green\n\s+… waits until INSYNC/);
    expect(text).toMatch(/Warnings:\n {2}! retire.action delete/);
  });
});

describe('renderStatus', () => {
  it('shows service, live color, lock, deployment, steps and the resources made', () => {
    const journal: Journal = {
      version: 1,
      service: 'shop',
      deploymentId: 'k3x9a',
      strategy: 'replica-dns',
      configDigest: 'd',
      createdAt: 't0',
      updatedAt: 't1',
      status: 'failed',
      summary: {},
      error: 'step b failed: boom',
      steps: [
        { id: 'a', kind: 'k', title: 'Make A', params: {}, state: 'done', outputs: {}, creates: [{ type: 'load-balancer', name: 'lb-1' }] },
        { id: 'b', kind: 'k', title: 'Make B', params: {}, state: 'failed', outputs: {}, error: 'boom', creates: [{ type: 'alarm', name: 'al-1' }] },
        { id: 'c', kind: 'k', title: 'Make C', params: {}, state: 'pending', outputs: {}, creates: [{ type: 'alarm', name: 'never' }] },
      ],
    };
    const text = renderStatus(
      { service: 'shop', liveColor: 'blue', journal, lock: { host: 'h', pid: 42, since: 's', command: 'bluegreen deploy' } },
      plain,
    );
    expect(text).toContain('Live color: blue');
    expect(text).toContain('held by pid 42 on h since s: bluegreen deploy');
    expect(text).toContain('Status:     failed');
    expect(text).toMatch(/✓ a {2}done {6}Make A/);
    expect(text).toMatch(/✗ b {2}failed {4}Make B\n\s+boom/);
    expect(text).toContain('load-balancer lb-1');
    expect(text).toContain('alarm al-1');
    expect(text).not.toContain('never');
  });
});
