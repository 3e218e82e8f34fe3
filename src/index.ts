/**
 * bluegreen as a library: the same operations the CLI runs.
 *
 *   import { deploy } from 'bluegreen';
 *   const journal = await deploy({ configFile: 'bluegreen.yml', onEvent: (e) => console.log(e) });
 */
export {
  plan,
  deploy,
  resume,
  promote,
  rollback,
  status,
  unlock,
  history,
  deploymentHistory,
  historyEntry,
  iamPolicy,
  rollbackPlan,
  remainingPlan,
  pausePointOf,
  nextCommands,
  liveColor,
  gc,
} from './operations.js';
export type {
  OperationOptions,
  DeployOptions,
  PlanOptions,
  ResumeOptions,
  PlanResult,
  StatusReport,
  HistoryEntry,
  GcOptions,
  GcResult,
} from './operations.js';
export type { GcPlan, Leftover, LeftoverType, Protection } from './janitor/plan.js';
export { policyFor, needsOf, portMethodsFor } from './iam/policy.js';
export type { IamPolicy, PolicyNeeds, PolicyStatement } from './iam/policy.js';
export { PORT_ACTIONS } from './iam/actions.js';
export type { PortMethod } from './iam/actions.js';
export { loadConfig } from './config/load.js';
export type {
  Config,
  ConfigInput,
  Gates,
  HttpGate,
  Release,
  ReplicaDnsConfig,
  ReplicaListenerConfig,
  SshSettings,
  SwapInstancesConfig,
  TrafficSettings,
} from './config/schema.js';
export { EVENT } from './engine/events.js';
export type { EngineEvent, EventSink, RunMode } from './engine/events.js';
export type { Journal, StepRecord, StepDescriptor, StepState, DeploymentStatus } from './engine/types.js';
export type { Plan } from './strategies/types.js';
export type { AwsPorts } from './aws/ports.js';
export {
  BluegreenError,
  ConfigError,
  InputError,
  LockedError,
  AwsCallError,
  VerificationError,
  DeploymentError,
  EXIT,
  exitCodeOf,
} from './errors.js';
export type { LockHolder, ExitCode } from './errors.js';
