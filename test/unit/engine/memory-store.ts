import type { JournalStore } from '../../../src/engine/store.js';
import type { Journal } from '../../../src/engine/types.js';

/** A JournalStore in memory that keeps every saved version, as a crash would find the last one. */
export class MemoryStore implements JournalStore {
  saved: Journal[] = [];
  archived: Journal[] = [];
  async current() {
    const last = this.saved.at(-1);
    return last ? structuredClone<Journal>(last) : undefined;
  }
  async save(journal: Journal) {
    this.saved.push(structuredClone(journal));
  }
  async archive() {
    const last = await this.current();
    if (last) this.archived.push(last);
    this.saved = [];
  }
  async history() {
    return [...this.archived].reverse();
  }
}
