import type { JournalStore, SaveOptions } from '../../../src/engine/store.js';
import type { Journal } from '../../../src/engine/types.js';

/** A JournalStore in memory that keeps every saved version, as a crash would find the last one. */
export class MemoryStore implements JournalStore {
  saved: Journal[] = [];
  /** Per save in `saved`: whether it was asked to be durable (fsynced). */
  durable: boolean[] = [];
  archived: Journal[] = [];
  async current() {
    const last = this.saved.at(-1);
    return last ? structuredClone<Journal>(last) : undefined;
  }
  async save(journal: Journal, options?: SaveOptions) {
    this.saved.push(structuredClone(journal));
    this.durable.push(options?.durable ?? true);
  }
  async archive() {
    const last = await this.current();
    if (last) this.archived.push(last);
    this.saved = [];
    this.durable = [];
  }
  async history() {
    return [...this.archived].reverse();
  }
}
