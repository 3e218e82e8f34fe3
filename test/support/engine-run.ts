/** A new deployment's journal and the engine's options around it: memory store, virtual clock, events kept. */
import type { Config } from '../../src/config/schema.js';
import type { Clock } from '../../src/engine/clock.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { EngineOptions } from '../../src/engine/runner.js';
import type { StepRegistry } from '../../src/engine/types.js';
import { newJournal } from '../../src/operations.js';
import type { Plan } from '../../src/strategies/types.js';
import { MemoryStore } from '../unit/engine/memory-store.js';

export function engineRun(world: { clock: Clock }, config: Config, plan: Plan, registry: StepRegistry) {
  const journal = newJournal(plan, config, world.clock.now());
  const events: EngineEvent[] = [];
  const store = new MemoryStore();
  const options: EngineOptions = {
    registry,
    store,
    clock: world.clock,
    emit: (e) => events.push(e),
    signal: new AbortController().signal,
    next: (verb) => `bluegreen ${verb} -c shop.yml`,
  };
  return { journal, options, events, store };
}
