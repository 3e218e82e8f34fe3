/** The confirmation of deploy, promote, rollback and resume: the plan shown, then --yes, a terminal's answer, or exit 2. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { confirmPlan, showAndConfirm } from '../../../src/cli/confirm.js';
import { Session } from '../../../src/cli/session.js';
import type { Config } from '../../../src/config/schema.js';
import { EXIT, exitCodeOf, InputError } from '../../../src/errors.js';
import type { Plan } from '../../../src/strategies/types.js';

const answer = vi.hoisted((): { value: boolean | symbol } => ({ value: true }));
vi.mock('@clack/prompts', () => ({ confirm: async () => answer.value, isCancel: (v: unknown) => typeof v === 'symbol' }));

function sink() {
  let text = '';
  return { stream: { isTTY: false, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream, text: () => text };
}

function session(flags: { yes?: boolean; output?: 'json' | 'text' } = {}) {
  const out = sink();
  const err = sink();
  return { session: new Session('rollback', { config: 'shop.yml', ...flags }, out.stream, err.stream), out, err };
}

const plan: Plan = {
  deploymentId: 'k3x9a',
  summary: {},
  warnings: [],
  steps: [{ id: 'switch-dns', kind: 'k', title: 'Undo: Point the record at green', params: {} }],
};
const config = { service: 'shop' } as Config;
const prompt = () => ({ heading: 'Plan: roll back shop (deployment k3x9a)', question: 'Roll back shop?' });
const SHOWN = 'Plan: roll back shop (deployment k3x9a)\n\n  1. Undo: Point the record at green  switch-dns\n\n';

const tty = process.stdin.isTTY;
afterEach(() => {
  process.stdin.isTTY = tty;
});

describe('confirmPlan', () => {
  it('--yes: shows the plan and goes ahead without asking', async () => {
    const { session: s, out } = session({ yes: true });
    const asked = confirmPlan(s, prompt);
    expect(await asked.confirm(plan, config)).toBe(true);
    expect(asked.declined).toBe(false);
    expect(out.text()).toBe(SHOWN);
  });

  it('--output json: the plan goes to stderr, stdout stays JSON only', async () => {
    const { session: s, out, err } = session({ yes: true, output: 'json' });
    await confirmPlan(s, prompt).confirm(plan, config);
    expect(out.text()).toBe('');
    expect(err.text()).toBe(SHOWN);
  });

  it('no terminal and no --yes: shows the plan, then refuses with exit 2 and nothing changed', async () => {
    process.stdin.isTTY = false;
    const { session: s, out } = session();
    const asked = confirmPlan(s, prompt);
    const error = await asked.confirm(plan, config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(exitCodeOf(error)).toBe(EXIT.badInput);
    expect((error as Error).message).toBe('stdin is not a terminal: pass --yes to rollback without being asked; nothing was changed');
    expect(out.text()).toBe(SHOWN);
  });

  it('on a terminal: asks; a no (or Ctrl-C) is remembered as declined', async () => {
    process.stdin.isTTY = true;
    for (const [value, go] of [
      [true, true],
      [false, false],
      [Symbol('cancel'), false],
    ] as const) {
      answer.value = value;
      const asked = confirmPlan(session().session, prompt);
      expect(await asked.confirm(plan, config)).toBe(go);
      expect(asked.declined).toBe(!go);
    }
  });
});

describe('showAndConfirm', () => {
  it('writes the text for people, then the same rule', async () => {
    const { session: s, out } = session({ yes: true });
    expect(await showAndConfirm(s, 'Service: shop\n', 'Resume deployment k3x9a of shop?')).toBe(true);
    expect(out.text()).toBe('Service: shop\n');
  });
});

describe('Session.commandLine', () => {
  it('the verb with the config file of the command', () => {
    expect(session().session.commandLine('status')).toBe('bluegreen status -c shop.yml');
  });
});
