/**
 * The confirmation of the commands that change anything, written once: show people what will happen, then
 * the rule of Session.confirm (`--yes` goes ahead; on a terminal the user is asked; otherwise nothing is
 * asked and the command ends with exit code 2, nothing changed). deploy, promote and rollback show a plan
 * (confirmPlan); resume shows where the deployment stands (showAndConfirm).
 */
import type { Config } from '../config/schema.js';
import type { Plan } from '../strategies/types.js';
import type { Session } from './session.js';

/** Writes `text` for people, then applies the confirmation rule. True to go ahead, false when the user said no. */
export async function showAndConfirm(session: Session, text: string, question: string): Promise<boolean> {
  session.human.write(text);
  return session.confirm(question);
}

/** What a command says about its plan: the heading above it, the question after it, the step it pauses before. */
export interface PlanPrompt {
  heading: string;
  question: string;
  pauseBefore?: string;
}

/** The `confirm` an operation calls under the lock with its plan; `declined` tells afterwards that the user said no. */
export interface PlanConfirmation {
  confirm: (plan: Plan, config: Config) => Promise<boolean>;
  readonly declined: boolean;
}

export function confirmPlan(session: Session, prompt: (plan: Plan, config: Config) => PlanPrompt): PlanConfirmation {
  let declined = false;
  return {
    confirm: async (plan, config) => {
      const { renderPlan } = await import('./render/plan.js');
      const { colorsFor } = await import('./render/style.js');
      const { heading, question, pauseBefore } = prompt(plan, config);
      const yes = await showAndConfirm(session, `${renderPlan(plan, colorsFor(session.human), heading, pauseBefore)}\n`, question);
      declined = !yes;
      return yes;
    },
    get declined() {
      return declined;
    },
  };
}
