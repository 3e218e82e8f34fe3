import { describe, expect, it } from 'vitest';
import { allInOrder } from '../../../src/strategies/common/reads.js';

const later = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

describe('allInOrder', () => {
  it('sends every read at once and answers their values in order', async () => {
    const started: string[] = [];
    const read = (name: string, ms: number) => {
      started.push(name);
      return later(ms, name);
    };
    await expect(allInOrder([read('a', 20), read('b', 1), Promise.resolve(3)])).resolves.toEqual(['a', 'b', 3]);
    expect(started).toEqual(['a', 'b']);
  });

  it('throws the first failure in the given order, not the first to arrive', async () => {
    await expect(allInOrder([later(1, 'ok'), later(20, 'gate in ALARM', true), later(1, 'no InService instance', true)])).rejects.toThrow(
      'gate in ALARM',
    );
  });
});
