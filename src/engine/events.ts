/**
 * Event names and shapes: the stable keys of `--output json`. One place, so renderers, tests and docs agree.
 */
import type { DeploymentStatus, ResourceRef, JsonObject } from './types.js';

export const EVENT = {
  deploymentStarted: 'deployment.started',
  deploymentFinished: 'deployment.finished',
  /** The run stopped before the journal's pauseBefore step: green is up, no traffic on it yet. */
  deploymentPaused: 'deployment.paused',
  stepStarted: 'step.started',
  stepProgress: 'step.progress',
  /** A line of a release command's own output. The CLI shows it in text mode and leaves it out of --output json. */
  stepOutput: 'step.output',
  stepSucceeded: 'step.succeeded',
  stepFailed: 'step.failed',
  undoStarted: 'step.undo.started',
  undoSucceeded: 'step.undo.succeeded',
  undoFailed: 'step.undo.failed',
} as const;

/** What started a run: a new deployment, a resume, a promote of a paused one, or a rollback. */
export type RunMode = 'deploy' | 'resume' | 'promote' | 'rollback';

interface Base {
  deploymentId: string;
  service: string;
  time: string; // ISO
}

export type EngineEvent =
  | (Base & { event: typeof EVENT.deploymentStarted; mode: RunMode; steps: number })
  /** `next`: the command that goes on (promote); `rollback`: the one that returns to blue. */
  | (Base & { event: typeof EVENT.deploymentPaused; stepId: string; title: string; next: string; rollback: string })
  | (Base & { event: typeof EVENT.deploymentFinished; status: DeploymentStatus; durationMs: number; error?: string })
  | (Base & { event: typeof EVENT.stepStarted | typeof EVENT.undoStarted; stepId: string; title: string; index: number; total: number })
  | (Base & { event: typeof EVENT.stepProgress; stepId: string; message: string; done?: number; total?: number; elapsedMs: number })
  | (Base & { event: typeof EVENT.stepOutput; stepId: string; source: string; stream: 'stdout' | 'stderr'; line: string })
  | (Base & {
      event: typeof EVENT.stepSucceeded | typeof EVENT.undoSucceeded;
      stepId: string;
      durationMs: number;
      resources: ResourceRef[];
      outputs: JsonObject;
    })
  | (Base & { event: typeof EVENT.stepFailed | typeof EVENT.undoFailed; stepId: string; durationMs: number; error: string });

export type EventSink = (event: EngineEvent) => void;
